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
from typing import Callable, Iterator

import streamlit as st

from chatcore.events import Chunk, End, Error, Event, Reasoning, ToolCall, ToolResult
from chatcore.markdown_blocks import BlockSplitter
from chatcore.ticker import TICK
from chatcore.turn import Turn

from .footer import render_footer
from .panels import LivePanel
from .safe_text import safe_markdown, safe_pieces

# Measured with bench/ui_stream.py: every markdown update costs ~95 bytes of framing plus
# the whole current block, so blocks of about a paragraph and ~7 updates a second keep a
# 20,000-character answer under 5x its size on the wire, while the first text shows at once.
BATCH_S = 0.15
BLOCK_CHARS = 150
REASONING_BATCH_S = 0.25

Piece = str | Callable[[], object]


def _new_block() -> None:
    """Yielded between blocks: ``write_stream`` closes its current Markdown element."""


class LiveAnswer:
    def __init__(self, turn: Turn, *, batch_s: float = BATCH_S, block_chars: int = BLOCK_CHARS) -> None:
        self.turn = turn
        self.batch_s = batch_s
        self._splitter = BlockSplitter(block_chars)
        self._pending: list[str] = []
        self._last_flush = 0.0
        self._shown_any = False
        self._waiting = None
        self._panels: dict[str, LivePanel] = {}
        self._reasoning = None
        self._reasoning_text: list[str] = []
        self._reasoning_flush = 0.0

    # -------------------------------------------------------------- pieces
    def pieces(self, events: Iterator[Event | object]) -> Iterator[Piece]:
        return safe_pieces(self._pieces(events))  # no image or link phones out, even mid-stream

    def _pieces(self, events: Iterator[Event | object]) -> Iterator[Piece]:
        yield self._show_waiting
        for event in events:
            if event is TICK:
                if self._pending:
                    yield from self._flush_text()
                continue
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
            elif kind is Error:
                yield self._error_piece(event)  # type: ignore[arg-type]
            elif kind is End:
                yield self._end_piece()
        yield from self._flush_text()

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

    def _first_output(self) -> None:
        if not self._shown_any:
            self._shown_any = True
            if self._waiting is not None:
                self._waiting.empty()

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

    def _result_piece(self, result: ToolResult) -> Callable[[], None]:
        def draw() -> None:
            panel = self._panels.get(result.id)
            if panel is not None:
                panel.show_result(result)

        return draw

    def _error_piece(self, error: Error) -> Callable[[], None]:
        if error.retry_in is not None:
            return lambda: st.toast(error.message, icon=":material/schedule:")
        return lambda: None  # the final error is drawn with the footer, from the turn record

    def _end_piece(self) -> Callable[[], None]:
        def draw() -> None:
            self._first_output()
            self._close_reasoning()
            render_footer(self.turn)

        return draw
