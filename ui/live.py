"""Turn a turn's events into ``st.write_stream`` pieces, cheaply.

* The first text shows at once; later text is batched (``BATCH_S``), so the browser gets
  a few updates a second, not one per token.
* Long answers are cut into blocks at safe Markdown boundaries (``BlockSplitter``):
  ``write_stream`` re-sends the whole current block on each update, so small blocks keep
  the traffic linear in the answer's length.
* Tool calls and reasoning become callables, which ``write_stream`` runs in place: panels
  appear where they happen, in order, and update as results arrive.
* The core runs on a helper thread (``with_heartbeat``) so held-back text is flushed on
  time even while the server is silent.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.elements.lib.mutable_status_container import StatusContainer

from chatcore.events import Chunk, End, Error, Event, Reasoning, ToolCall, ToolProgress, ToolResult
from chatcore.markdown_blocks import BlockSplitter
from chatcore.ticker import TICK
from chatcore.turn import Segment, Turn

from .footer import render_footer
from .panels import LivePanel
from .transcript import render_segments

# Measured with bench/ui_stream.py: every markdown update costs ~95 bytes of framing plus
# the whole current block, so blocks of about a paragraph and ~7 updates a second keep a
# 20,000-character answer under 5x its size on the wire, while the first text shows at once.
BATCH_S = 0.15
BLOCK_CHARS = 150
REASONING_BATCH_S = 0.25

Piece = str | Callable[[], object]


def _new_block() -> None:
    """Yielded between blocks: ``write_stream`` closes its current Markdown element."""


SILENCE_NOTICE_S = 1.0  # the model has been quiet this long: say so, next to Stop


class LiveAnswer:
    """``base``: what the answer already held before these events (a continued answer):
    drawn first, its last run of text joined to what streams next, so the Markdown reads
    as one piece. ``status``: a slot beside the Stop button for "still working" notes."""

    def __init__(self, turn: Turn, *, base: Sequence[Segment] = (), status: Any = None, key: str = "live",
                 batch_s: float = BATCH_S, block_chars: int = BLOCK_CHARS) -> None:
        self.turn = turn
        self.batch_s = batch_s
        self._splitter = BlockSplitter(block_chars)
        self._pending: list[str] = []
        self._last_flush = 0.0
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

    # -------------------------------------------------------------- pieces
    def pieces(self, events: Iterator[Event | object]) -> Iterator[Piece]:
        yield from self._base_pieces()
        if not self._shown_any:
            yield self._show_waiting
        for event in events:
            if event is TICK:
                if self._pending:
                    yield from self._flush_text()
                else:
                    yield from self._silence_note()
                continue
            self._last_event = time.monotonic()
            if self._status_text:
                yield self._clear_status
            kind = type(event)
            if kind is Chunk:
                self._pending.append(event.content)  # type: ignore[union-attr]
                if not self._shown_any or time.monotonic() - self._last_flush >= self.batch_s:
                    yield from self._flush_text()
                continue
            yield from self._flush_text()
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
        yield from self._flush_text()

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
            yield _new_block
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

    def _flush_text(self) -> Iterator[Piece]:
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._last_flush = time.monotonic()
        if not self._shown_any:
            yield self._first_output
        for i, part in enumerate(self._splitter.split(text)):
            if i:
                yield _new_block
            if part:
                yield part

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
            yield lambda: self._reasoning_slot.markdown(text)

    def _close_reasoning(self) -> None:
        if self._reasoning is not None:
            self._reasoning_slot.markdown("".join(self._reasoning_text))
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
