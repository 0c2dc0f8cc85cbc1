"""Exceptions a tool raises to fail in words a user understands.

The runner turns any other exception into ``"<Type>: <message>"``; a ``ToolError``
is shown as its message alone, because it was written for the user.
"""

from __future__ import annotations


class ToolError(Exception):
    """A tool failed for a reason worth telling the user (and the model) verbatim."""

    @property
    def message(self) -> str:
        return str(self)


class ToolArgumentsError(ToolError, ValueError):
    """The arguments do not fit the tool's schema, e.g. "'expression' is required"."""


__all__ = ["ToolArgumentsError", "ToolError"]
