"""UsageError: bad arguments, exit status 2 (its own module so commands can raise it without
importing the parser that imports them)."""
from __future__ import annotations


class UsageError(Exception):
    """Raised by the parser instead of printing usage and calling sys.exit."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status
