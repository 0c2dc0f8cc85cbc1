"""A turn in progress: its record, its cancel handle and its event stream, kept together.

The UI keeps the ``ActiveTurn`` in its session state. Whatever ends the run that streams
it (Stop, a new prompt, any click), the next run calls ``stop()``: the upstream closes at
once and the partial answer stays in the record, marked stopped.
"""

from __future__ import annotations

from typing import Iterator

from .attachments import Attachment
from .cancel import CancelToken
from .checkpoint import TurnSaver
from .conversation import Conversation
from .events import Event
from .loop import Provider, run_turn
from .messages import CONTINUE_INSTRUCTION, user_message
from .settings import GenerationSettings, Timeouts
from .tools import ToolRegistry
from .turn import Turn


class ActiveTurn:
    def __init__(self, turn: Turn, cancel: CancelToken, source: Iterator[Event]) -> None:
        self.turn = turn
        self.cancel = cancel
        self._source = source
        self.saver: TurnSaver | None = None  # keeps the answer saved while it streams (when there is a store)

    def events(self) -> Iterator[Event]:
        """The turn's events, each applied to ``turn`` before it is handed on."""
        apply = self.turn.apply
        try:
            for event in self._source:
                apply(event)
                yield event
        finally:
            if not self.turn.is_finished:  # closed early: whoever stopped reading stopped the turn
                self.stop()
            elif self.saver is not None:
                self.saver.wake()  # save the final state now, not at the next tick

    def stop(self, reason: str = "stopped", message: str = "") -> None:
        """Stop from any thread: close the upstream, tell tools to stop, keep what was said.

        ``message`` is how the answer's ending reads ("Stopped.")."""
        self.cancel.cancel(reason)
        self.turn.finish("stopped", "cancelled", message)
        if self.saver is not None:
            self.saver.wake()

    @property
    def is_finished(self) -> bool:
        return self.turn.is_finished


def start_turn(
    provider: Provider,
    conversation: Conversation,
    prompt: str | None,
    *,
    settings: GenerationSettings = GenerationSettings(),
    tools: ToolRegistry | None = None,
    timeouts: Timeouts = Timeouts(),
    model: str = "",
    hidden: bool = False,
    attachments: tuple[Attachment, ...] = (),
) -> ActiveTurn:
    """Record ``prompt`` with its ``attachments`` (None: answer the history as it stands) and start the answer."""
    if prompt is not None:
        conversation.add_user(prompt, hidden=hidden, attachments=attachments)
    history = conversation.history_messages()
    turn = conversation.add_turn(Turn(model=model))
    cancel = CancelToken()
    source = run_turn(provider, history, settings=settings, tools=tools, cancel=cancel, timeouts=timeouts)
    return ActiveTurn(turn, cancel, source)


def continue_turn(
    provider: Provider,
    conversation: Conversation,
    turn: Turn,
    *,
    settings: GenerationSettings = GenerationSettings(),
    tools: ToolRegistry | None = None,
    timeouts: Timeouts = Timeouts(),
) -> ActiveTurn:
    """Carry on ``turn`` (a stopped or cut-short answer, the last entry of ``conversation``).

    The model sees the history with the answer so far, then an instruction to go on (sent,
    never shown or stored); what it says next is applied to the same ``turn``, so the answer
    stays one record, one bubble and one stored message."""
    history = [*conversation.history_messages(), user_message(CONTINUE_INSTRUCTION)]
    turn.resume()
    cancel = CancelToken()
    source = run_turn(provider, history, settings=settings, tools=tools, cancel=cancel, timeouts=timeouts)
    return ActiveTurn(turn, cancel, source)


__all__ = ["ActiveTurn", "continue_turn", "start_turn"]
