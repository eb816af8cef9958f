"""Business identity like GビズID: national accounts keyed by 法人番号, with member users.

- :mod:`.models` — accounts, members, the platform-level audit chain;
- :mod:`.services` — the business actions (register, members, suspension, login);
- :mod:`.selectors` — reads, and :func:`~.selectors.current_member` for other modules;
- :mod:`.pages` — the ``business_page`` decorator for pages of business members.
"""
