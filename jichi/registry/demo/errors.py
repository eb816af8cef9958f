"""What the demo generator raises."""


class DemoError(Exception):
    """The demo population cannot be generated as asked (message says why)."""
