"""What a running tool gets to know about its call.

A tool that declares a parameter annotated ``ToolContext`` receives one. It exists so a
long tool can stop when the user presses Stop or the call times out (the runner gives
each call its own cancel token, and ``sleep`` wakes the moment it is cancelled), and so
it can tell the user how far it got: ``progress()`` shows live on the tool's panel.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from chatcore.cancel import CancelToken
from chatcore.events import ToolProgress

PROGRESS_EVERY_S = 0.1  # faster updates are dropped (the last one before the result still shows)


@dataclass
class ToolContext:
    """The call id and the cancel token of one tool call."""

    call_id: str = ""
    cancel: CancelToken = field(default_factory=CancelToken)
    tool_name: str = ""
    on_progress: Callable[[ToolProgress], None] | None = field(default=None, repr=False)
    _last_progress: float = field(default=0.0, repr=False)

    @property
    def cancelled(self) -> bool:
        """True once the call was stopped (user cancel or timeout): time to return."""
        return self.cancel.cancelled

    def sleep(self, seconds: float) -> bool:
        """Wait up to ``seconds``, waking early on cancel. Returns True if cancelled."""
        return self.cancel.wait(max(0.0, float(seconds)))

    def progress(self, message: str = "", *, done: float | None = None, total: float | None = None) -> None:
        """Tell the user how it is going, e.g. ``progress("page 3 of 10", done=3, total=10)``."""
        if self.on_progress is None or self.cancelled:
            return
        now = time.monotonic()
        finished = done is not None and total is not None and done >= total
        if now - self._last_progress < PROGRESS_EVERY_S and not finished:
            return
        self._last_progress = now
        self.on_progress(ToolProgress(self.call_id, self.tool_name, str(message), done, total))

    def report(self, item: Any) -> None:
        """A generator tool's yield as progress: a string, ``(done, total)``,
        ``(message, done, total)`` or anything printable."""
        if isinstance(item, tuple) and len(item) in (2, 3) and all(_is_number(x) for x in item[-2:]):
            done, total = float(item[-2]), float(item[-1])
            message = str(item[0]) if len(item) == 3 else f"{done:g} of {total:g}"
            self.progress(message, done=done, total=total)
        else:
            self.progress(item if isinstance(item, str) else _short(item))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _short(item: Any) -> str:
    text = str(item)
    return text if len(text) <= 200 else text[:199] + "…"


__all__ = ["ToolContext"]
