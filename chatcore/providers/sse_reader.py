"""Server-Sent-Events framing over raw bytes: each event's ``data``, as bytes.

Why our own: the SDK's decoder turns every line into a ``str``, every event into an
object and every chunk into a pydantic model, which cost more CPU than the rest of the
app put together. This reader works on the bytes as they come off the socket and hands
each event's data to ``json.loads`` (which reads UTF-8 bytes itself), so a character
split across two network reads is never decoded half-way.

What it tolerates (all seen in real servers, see the wire-format notes): comment and
keep-alive lines (``: ping``), ``event:``/``id:``/``retry:`` lines, ``data:`` with or
without the space, CR, LF or CRLF line ends (even a CRLF split across two reads), several
events in one read, one event split across many, multi-line data (joined with ``\\n``), a
leading byte-order mark, and a last event that ends at EOF without its blank line. A
line cut off by EOF is dropped: it is truncated, not an event.
"""

from __future__ import annotations

from typing import Iterable, Iterator

DONE = b"[DONE]"
_BOM = b"\xef\xbb\xbf"


def sse_data(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Each event's data from ``pieces`` (network reads), up to ``[DONE]`` or EOF."""
    pending = b""  # the start of a line whose end has not arrived yet
    data: bytes | None = None  # the event being read (its data lines so far)
    skip_lf = False  # the last read ended with CR: an LF starting the next one belongs to it
    first = True
    for piece in pieces:
        if not piece:
            continue
        if first:
            first = False
            if piece.startswith(_BOM):
                piece = piece[3:]
        if skip_lf:
            skip_lf = False
            if piece[:1] == b"\n":
                piece = piece[1:]
        if b"\r" in piece:
            skip_lf = piece[-1:] == b"\r"
            piece = piece.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = (pending + piece).split(b"\n") if pending else piece.split(b"\n")
        pending = lines.pop()
        for line in lines:
            if not line:  # a blank line ends the event
                if data:  # (an event with empty data is no event)
                    if data.startswith(DONE):
                        return
                    yield data
                data = None
            elif line[:5] == b"data:":
                value = line[5:]
                if value[:1] == b" ":
                    value = value[1:]
                data = value if data is None else data + b"\n" + value
            elif line == b"data":  # a field with no colon has an empty value
                data = b"" if data is None else data + b"\n"
            # anything else: a comment (":..."), or a field chat streams do not use
    if data and not data.startswith(DONE):
        yield data  # the last event, its closing blank line lost at EOF


__all__ = ["DONE", "sse_data"]
