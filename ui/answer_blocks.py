"""An answer's text as Markdown blocks, drawn the same way while it streams and afterwards.

A growing Markdown element is sent whole on every update, so the live answer is cut into
blocks at safe boundaries (``chatcore.markdown_blocks.BlockSplitter``) and only the last
block grows. The finished answer is drawn from its record with the *same* blocks
(``answer_blocks``): each finished block is then byte for byte the element the browser
already holds, and Streamlit's message cache (``global.minCachedMessageSize`` in
.streamlit/config.toml) sends a ~75-byte reference instead of the text again, on the closing
redraw and on every later run.

Text is sanitised per block (``chatcore.safe_markdown.StreamingSanitizer``): nothing an
answer says can load an image or phone out, while it streams or afterwards.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from chatcore.markdown_blocks import BlockSplitter
from chatcore.safe_markdown import StreamingSanitizer

from .safe_text import markdown_policy

# A block ends at the first blank line (outside code and math) after this many characters.
# Bigger blocks cost more while streaming (each update resends the block so far), smaller ones
# more references on every redraw; measured with bench/page_bytes.py.
BLOCK_CHARS = 400


def answer_blocks(text: str, block_chars: int = BLOCK_CHARS) -> list[str]:
    """``text`` (one text segment of an answer) as the sanitised blocks the live answer drew."""
    policy = markdown_policy()
    blocks = []
    for part in BlockSplitter(block_chars).split(text):
        sanitizer = StreamingSanitizer(policy)
        block = sanitizer.feed(part) + sanitizer.end_block()
        if block:
            blocks.append(block)
    return blocks


def render_text(text: str) -> None:
    """A finished text segment, block by block."""
    for block in answer_blocks(text):
        st.markdown(block)


class LiveBlocks:
    """The streaming text of an answer: ``add`` appends and redraws the last block, ``close``
    ends the current text segment (before a panel, at the end). Call from the script thread."""

    def __init__(self, block_chars: int = BLOCK_CHARS) -> None:
        self.block_chars = block_chars
        self._policy = markdown_policy()
        self._splitter = BlockSplitter(block_chars)
        self._sanitizer = StreamingSanitizer(self._policy)
        self._slot: Any = None
        self._shown = ""  # the current block's sanitised text
        self._drawn = ""  # what the browser has of it
        self._drawn_final = False
        self.chars = 0  # characters in the current block (for the update cadence)

    def add(self, text: str, *, close: bool = False) -> None:
        for i, part in enumerate(self._splitter.split(text)):
            if i:
                self._end_block()
            self._shown += self._sanitizer.feed(part)
            self.chars += len(part)
        if close:
            self.close()
        else:
            self._draw(final=False)

    def close(self) -> None:
        """The text segment ends here: its last block is drawn final; new text starts afresh."""
        self._end_block()
        self._splitter = BlockSplitter(self.block_chars)

    def _end_block(self) -> None:
        self._shown += self._sanitizer.end_block()
        self._draw(final=True)
        self._slot, self._shown, self._drawn, self._drawn_final, self.chars = None, "", "", False, 0

    def _draw(self, *, final: bool) -> None:
        if not self._shown or (self._shown == self._drawn and (self._drawn_final or not final)):
            return
        if self._slot is None:
            self._slot = st.empty()
        if final:  # the exact element the finished answer draws (cached by the browser)
            self._slot.markdown(self._shown)
        else:  # unclosed **bold** or `code` shown as it will look, as st.write_stream does
            self._slot._markdown(self._shown, unterminated_parsing=True)
        self._drawn, self._drawn_final = self._shown, final


__all__ = ["BLOCK_CHARS", "LiveBlocks", "answer_blocks", "render_text"]
