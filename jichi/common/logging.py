"""Keep personal data out of the application logs.

Logs travel further than the database (to files, collectors, vendors), so
nothing that identifies a resident may reach them. The filter masks what can
be recognised by shape — 個人番号 (12 digits), 住民票コード (11), 宛名番号 and
世帯番号 (10), e-mail addresses, telephone numbers, query strings of logged
URLs — and every value wrapped in :class:`Personal`. Code must still not log
names or addresses: wrap them in :func:`personal` when a message needs to
say that a value was there.
"""

from __future__ import annotations

import logging
import re

from jichi.common.request_context import current_request_id

MASK = "[redacted]"

_PATTERNS = [
    re.compile(
        r"(?<![0-9０-９])[0-9０-９]{10,12}(?![0-9０-９])"
    ),  # 個人番号, 住民票コード, 宛名番号
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail
    re.compile(r"(?<![0-9])0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}(?![0-9])"),  # telephone
    re.compile(r"(?<=[/\w])\?[^\s\"']*"),  # query strings of URLs: search terms, names
]


class Personal:
    """A value that must never be printed: ``str()`` and ``repr()`` mask it."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return MASK

    __repr__ = __str__
    __format__ = lambda self, spec: MASK  # noqa: E731


def personal(value: object) -> Personal:
    return Personal(value)


def scrub(text: str) -> str:
    """``text`` with every recognisable piece of personal data masked."""
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Masks personal data in every record and adds ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: keep the template only
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True
