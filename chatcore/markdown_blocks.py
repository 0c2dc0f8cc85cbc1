"""Where streamed Markdown may be cut into separate display blocks.

Re-rendering one growing Markdown element costs the whole text again on every update, so
a long answer's traffic grows with its square. Cutting it into blocks (of about a paragraph in
the app) keeps the cost linear, but a cut inside a fenced code block, a math block or a table
would break how it renders. ``BlockSplitter`` tracks those as text streams in and says
where a cut is safe: at a blank line outside any fence.
"""

from __future__ import annotations

_FENCES = ("```", "~~~", "$$")


class BlockSplitter:
    def __init__(self, target_chars: int = 1000) -> None:
        self.target_chars = target_chars
        self._block_len = 0  # characters in the current block
        self._fence: str | None = None  # the open fence marker, if inside one
        self._line = ""  # the current, unfinished line

    def split(self, text: str) -> list[str]:
        """Cut ``text`` (the next streamed piece) into parts; a new block starts before each part after the first."""
        parts: list[str] = []
        start = pos = 0
        while (newline := text.find("\n", pos)) >= 0:
            line = self._line + text[pos:newline]
            self._line = ""
            self._track_fence(line)
            pos = newline + 1
            if not line.strip() and self._fence is None and self._block_len + (pos - start) >= self.target_chars:
                parts.append(text[start:pos])
                self._block_len = 0
                start = pos
        self._line += text[pos:]
        rest = text[start:]
        self._block_len += len(rest)
        parts.append(rest)  # may be "": the cut fell at the very end, the next text starts a new block
        return parts

    def _track_fence(self, line: str) -> None:
        stripped = line.lstrip()
        if self._fence is None:
            for marker in _FENCES:
                if stripped.startswith(marker):
                    # "$$ x $$" on one line opens and closes at once
                    if not (marker == "$$" and stripped.count("$$") >= 2):
                        self._fence = marker
                    return
        elif stripped.startswith(self._fence):
            self._fence = None

    @property
    def in_fence(self) -> bool:
        return self._fence is not None


__all__ = ["BlockSplitter"]
