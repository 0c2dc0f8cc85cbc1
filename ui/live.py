"""Turn a turn's events into drawing steps, cheaply.

* The first text shows at once; later text comes in batches (``ui/live_pace.py``): a few
  redraws a second, fewer when the server is busy or the paragraph being drawn is long.
* Text is drawn in blocks (``ui/answer_blocks.py``): only the last block grows, and the
  finished answer is drawn from its record with the same blocks, which the browser keeps.
* Tool calls and reasoning are drawn in place: panels appear where they happen, in order,
  and update as results arrive.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.elements.lib.mutable_status_container import StatusContainer

from chatcore.events import Chunk, End, Error, Event, Reasoning, ToolCall, ToolProgress, ToolResult
from chatcore.live_turn import LiveTurn
from chatcore.ticker import TICK
from chatcore.turn import Segment, Turn

from .answer_blocks import BLOCK_CHARS, LiveBlocks
from .footer import render_footer
from .live_pace import paced_events, streaming_page, update_interval
from .panels import LivePanel
from .safe_text import safe_markdown
from .transcript import render_segments

REASONING_BATCH_S = 0.25

Piece = Callable[[], object]

SILENCE_NOTICE_S = 1.0  # the model has been quiet this long: say so, next to Stop


def show_live_answer(answer: LiveAnswer, live: LiveTurn) -> None:
    """Draw ``live`` into the current container from its start, then as it streams."""
    with streaming_page():
        events = paced_events(live, lambda: update_interval(answer.block_chars))
        try:
            for draw in answer.pieces(events):
                draw()
        finally:
            events.close()


class LiveAnswer:
    """``base``: what the answer already held before these events (a continued answer):
    drawn first, its last run of text joined to what streams next, so the Markdown reads
    as one piece. ``status``: a slot beside the Stop button for "still working" notes."""

    def __init__(self, turn: Turn, *, base: Sequence[Segment] = (), status: Any = None, key: str = "live",
                 block_chars: int = BLOCK_CHARS) -> None:
        self.turn = turn
        self._text = LiveBlocks(block_chars)
        self._pending: list[str] = []
        self._shown_any = False
        self._waiting: DeltaGenerator | None = None
        self._base = list(base)
        self._key = key
        self._status = status
        self._status_text = ""
        self._last_event = time.monotonic()
        self._retry_slot: Any = None
        self._retries = 0
        self._panels: dict[str, LivePanel] = {}
        self._reasoning: StatusContainer | None = None
        self._reasoning_text: list[str] = []
        self._reasoning_flush = 0.0

    @property
    def block_chars(self) -> int:
        """Characters in the block being drawn (a long one is redrawn less often)."""
        return self._text.chars

    # -------------------------------------------------------------- pieces
    def pieces(self, events: Iterator[Event | object]) -> Iterator[Piece]:
        """Drawing steps, to call in order in the answer's container. Text is sanitised as it
        streams (``LiveBlocks``): no image or link phones out, even mid-stream."""
        yield from self._base_pieces()
        if not self._shown_any:
            yield self._show_waiting
        for event in events:
            if event is TICK:
                if self._pending:
                    yield from self._flush_text()
                else:
                    if any(panel.elapsed_due() for panel in self._panels.values()):
                        yield self._show_elapsed  # a running tool's time, in its label, once a second
                    yield from self._silence_note()
                continue
            self._last_event = time.monotonic()
            if self._status_text:
                yield self._clear_status
            kind = type(event)
            if kind is Chunk:
                self._pending.append(event.content)  # type: ignore[union-attr]
                if not self._shown_any:  # the first text at once; the rest at the next TICK
                    yield from self._flush_text()
                continue
            yield from self._flush_text(close=True)
            if kind is Reasoning:
                yield from self._reasoning_piece(event)  # type: ignore[arg-type]
            elif kind is ToolCall:
                yield self._first_output
                yield self._panel_piece(event)  # type: ignore[arg-type]
            elif kind is ToolResult:
                yield self._result_piece(event)  # type: ignore[arg-type]
            elif kind is ToolProgress:
                yield self._progress_piece(event)  # type: ignore[arg-type]
            elif kind is Error:
                yield self._error_piece(event)  # type: ignore[arg-type]
            elif kind is End:
                yield self._end_piece()
        yield from self._flush_text(close=True)

    def _base_pieces(self) -> Iterator[Piece]:
        """A continued answer's first part: all but its last text statically, that text as the
        start of the live Markdown block (so nothing breaks where the two parts meet)."""
        base = self._base
        if not base:
            return
        tail = base.pop().text if base[-1].kind == "text" else ""
        if base:
            segments = tuple(base)
            yield lambda: render_segments(self.turn, segments, key=f"{self._key}-base")
            self._shown_any = True
        if tail:
            self._pending.append(tail)
            yield from self._flush_text()

    def _silence_note(self) -> Iterator[Piece]:
        quiet = time.monotonic() - self._last_event
        if self._status is None or quiet < SILENCE_NOTICE_S:
            return
        running = [r.name for r in self.turn.tool_calls.values() if r.state == "running"]
        doing = f"Running {', '.join(running)}" if running else ("The model is thinking" if self._shown_any else "Waiting for the model")
        text = f":material/more_horiz: {doing}… {quiet:.0f} s"
        if text != self._status_text:
            self._status_text = text
            yield lambda: self._status.caption(text)

    def _clear_status(self) -> None:
        self._status_text = ""
        self._status.empty()

    def _flush_text(self, *, close: bool = False) -> Iterator[Piece]:
        """Draw the text held back; ``close``: the text segment ends here (a panel follows, or the end)."""
        if not self._pending:
            if close:
                yield self._text.close
            return
        text = "".join(self._pending)
        self._pending.clear()
        if not self._shown_any:
            yield self._first_output
        yield lambda: self._text.add(text, close=close)

    # -------------------------------------------------------------- callables
    def _show_waiting(self) -> None:
        self._waiting = st.empty()
        self._waiting.caption(":material/hourglass_top: Waiting for the model…")

    def _reasoning_piece(self, event: Reasoning) -> Iterator[Piece]:
        self._reasoning_text.append(event.content)
        if self._reasoning is None:
            yield self._first_output

            def open_panel() -> None:
                self._reasoning = st.status("Thinking…", state="running", expanded=False)
                self._reasoning_slot = self._reasoning.empty()

            yield open_panel
        now = time.monotonic()
        if now - self._reasoning_flush >= REASONING_BATCH_S:
            self._reasoning_flush = now
            text = "".join(self._reasoning_text)
            yield lambda: self._reasoning_slot.markdown(safe_markdown(text))

    def _close_reasoning(self) -> None:
        if self._reasoning is not None:
            self._reasoning_slot.markdown(safe_markdown("".join(self._reasoning_text)))
            self._reasoning.update(label="Reasoning", state="complete", expanded=False)
            self._reasoning = None

    def _panel_piece(self, call: ToolCall) -> Callable[[], None]:
        def draw() -> None:
            self._close_reasoning()
            panel = self._panels.get(call.id)
            if panel is None:
                self._panels[call.id] = LivePanel(call)
            else:
                panel.show_call(call)

        return draw

    def _show_elapsed(self) -> None:
        for panel in self._panels.values():
            panel.show_elapsed()

    def _result_piece(self, result: ToolResult) -> Callable[[], None]:
        def draw() -> None:
            panel = self._panels.get(result.id)
            if panel is not None:
                panel.show_result(result)

        return draw

    def _progress_piece(self, progress: ToolProgress) -> Callable[[], None]:
        def draw() -> None:
            panel = self._panels.get(progress.id)
            if panel is not None:
                panel.show_progress(progress)

        return draw

    def _error_piece(self, error: Error) -> Callable[[], None]:
        if error.retry_in is None:
            return lambda: None  # the final error is drawn with the footer, from the turn record
        self._retries += 1
        text = f"{error.message} (retry {self._retries})"

        def show_retry() -> None:  # one notice, updated in place, gone once the answer flows
            if self._retry_slot is None:
                self._retry_slot = st.empty()
            self._retry_slot.info(text, icon=":material/schedule:")

        return show_retry

    def _first_output(self) -> None:
        if not self._shown_any:
            self._shown_any = True
            if self._waiting is not None:
                self._waiting.empty()
        if self._retry_slot is not None:
            self._retry_slot.empty()
            self._retry_slot = None

    def _end_piece(self) -> Callable[[], None]:
        def draw() -> None:
            self._first_output()
            self._close_reasoning()
            render_footer(self.turn)

        return draw
