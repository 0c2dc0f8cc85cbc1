"""What a running tool gets to know about its call.

A tool that declares a parameter annotated ``ToolContext`` receives one. It exists so a
long tool can stop when the user presses Stop or the call times out: the runner gives
each call its own cancel token, and ``sleep`` wakes the moment it is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chatcore.cancel import CancelToken


@dataclass
class ToolContext:
    """The call id and the cancel token of one tool call."""

    call_id: str = ""
    cancel: CancelToken = field(default_factory=CancelToken)

    @property
    def cancelled(self) -> bool:
        """True once the call was stopped (user cancel or timeout): time to return."""
        return self.cancel.cancelled

    def sleep(self, seconds: float) -> bool:
        """Wait up to ``seconds``, waking early on cancel. Returns True if cancelled."""
        return self.cancel.wait(max(0.0, float(seconds)))


__all__ = ["ToolContext"]
