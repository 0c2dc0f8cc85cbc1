"""HTTP/1.1 chunked transfer decoding that hands over everything a network read brought.

``http.client`` decodes chunked bodies one chunk per call, and a model server sends each
token as its own chunk: so a reader that fell behind (a busy server, or one that reads in
batches on purpose, see ``read_pace``) still paid one pass through every layer above per
token. This decoder takes whatever bytes arrived and returns all the payload they complete,
so one read (and one wake-up of the answer's thread) can carry many tokens.

Strict where it matters: a size line that is not hex, or a chunk not followed by CRLF, is
a protocol error (``ValueError``); chunk extensions and trailers are read and dropped.
"""

from __future__ import annotations

MAX_LINE = 4096  # a size line or trailer longer than this is not HTTP


class ChunkedDecoder:
    """Feed it network reads; it returns the body bytes they complete. ``done`` once the
    last chunk and the trailers were read."""

    __slots__ = ("_buffer", "_left", "done")

    def __init__(self) -> None:
        self._buffer = b""
        self._left = 0  # bytes of the current chunk still to come (its CRLF not counted)
        self.done = False

    def feed(self, data: bytes) -> bytes:
        buffer = self._buffer + data if self._buffer else data
        out: list[bytes] = []
        pos = 0
        end = len(buffer)
        while pos < end and not self.done:
            if self._left > 0:  # inside a chunk: take what is here of it
                take = min(self._left, end - pos)
                out.append(buffer[pos:pos + take])
                pos += take
                self._left -= take
                if self._left == 0:
                    self._left = -1  # its CRLF comes next
                continue
            if self._left == -1:  # the CRLF after a chunk's data
                if end - pos < 2:
                    break
                if buffer[pos:pos + 2] != b"\r\n":
                    raise ValueError("a chunk was not followed by CRLF")
                pos += 2
                self._left = 0
                continue
            if self._left == -2:  # trailers after the last chunk, up to an empty line
                line_end = buffer.find(b"\r\n", pos)
                if line_end < 0:
                    break
                self.done = line_end == pos
                pos = line_end + 2
                continue
            line_end = buffer.find(b"\r\n", pos)  # a chunk's size line
            if line_end < 0:
                break
            size_text = buffer[pos:line_end].split(b";", 1)[0].strip()
            if not size_text or any(c not in b"0123456789abcdefABCDEF" for c in size_text):
                raise ValueError(f"bad chunk size line {buffer[pos:line_end][:40]!r}")
            size = int(size_text, 16)
            pos = line_end + 2
            self._left = size if size else -2
        rest = buffer[pos:]
        if len(rest) > MAX_LINE and self._left in (0, -2):
            raise ValueError("a chunk size line or trailer is too long")
        self._buffer = rest
        return b"".join(out) if len(out) != 1 else out[0]


__all__ = ["ChunkedDecoder"]
