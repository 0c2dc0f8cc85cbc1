"""The one error the store raises, worded for the user.

    StoreError                 any failure of the database: locked, read-only, disk full,
                               cannot open the file, PostgreSQL down...
    └── ConversationNotFound   a write to a conversation that does not exist or is not
                               the caller's (the two are not told apart, on purpose)

Callers show ``str(error)`` (or ``error.to_event()``) and carry on: a failed save never
stops the answer that is streaming.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.exc import SQLAlchemyError

from ..events import Error

_MAX_REASON = 200


class StoreError(Exception):
    """``str()`` is a sentence for the user, e.g. 'Could not save the conversation: database is locked'."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason

    def to_event(self) -> Error:
        return Error(kind="store", message=self.message, retryable=True)


class ConversationNotFound(StoreError):
    pass


def reason_of(exc: BaseException) -> str:
    """The database's own words ('database is locked'), without SQL or parameters."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip() or type(original).__name__
    first = text.splitlines()[0].strip()
    return first[:_MAX_REASON]


@contextmanager
def store_errors(action: str) -> Iterator[None]:
    """Turn a database failure inside the block into ``StoreError(f"{action}: {reason}")``."""
    try:
        yield
    except StoreError:
        raise
    except (SQLAlchemyError, OSError) as exc:
        reason = reason_of(exc)
        raise StoreError(f"{action}: {reason}", reason=reason) from exc


__all__ = ["ConversationNotFound", "StoreError", "reason_of", "store_errors"]
