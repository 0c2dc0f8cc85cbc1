"""Voice recordings: kept as recorded; what can be read from the bytes goes in ``meta``.

A WAV's header gives its duration, sample rate and channels (``describe_wav``: also what
the mock's transcriber reports, honestly, instead of made-up words). Other formats (WebM,
Ogg, MP3) are kept as they are; the transcription server reads them.
"""

from __future__ import annotations

import struct
from types import MappingProxyType
from typing import Any

from .model import Attachment, AttachmentRefused


def prepare_audio(name: str, data: bytes, mime: str) -> Attachment:
    meta: dict[str, Any] = {"original_size": len(data)}
    if mime == "audio/wav":
        facts = describe_wav(data)
        if facts is None:
            raise AttachmentRefused(name, "this WAV recording is damaged and cannot be played")
        meta.update(facts)
    return Attachment(kind="audio", name=name, mime=mime, data=data, meta=MappingProxyType(meta))


def describe_wav(data: bytes) -> dict[str, Any] | None:
    """duration (s), sample_rate (Hz), channels and sample_width (bytes) of a WAV; None if it is not one.

    Read from the RIFF chunks themselves (any encoding: PCM, float, extensible), not by
    decoding samples. A header that claims more data than the file holds (a recording cut
    short) counts what is there."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    fmt: tuple[int, int, int, int] | None = None  # channels, rate, byte rate, bits per sample
    position = 12
    while position + 8 <= len(data):
        chunk, size = data[position:position + 4], struct.unpack_from("<I", data, position + 4)[0]
        body = position + 8
        if chunk == b"fmt " and size >= 16 and body + 16 <= len(data):
            _, channels, rate, byte_rate, _, bits = struct.unpack_from("<HHIIHH", data, body)
            fmt = (channels, rate, byte_rate, bits)
        elif chunk == b"data":
            if fmt is None or fmt[0] <= 0 or fmt[1] <= 0 or fmt[2] <= 0:
                return None
            channels, rate, byte_rate, bits = fmt
            unknown = size in (0, 0xFFFFFFFF)  # a recorder that streamed the file never went back to write it
            present = len(data) - body if unknown else min(size, len(data) - body)
            return {"duration": round(present / byte_rate, 2), "sample_rate": rate, "channels": channels,
                    "sample_width": max(1, bits // 8)}
        position = body + size + (size & 1)  # chunks are padded to an even length
    return None


__all__ = ["describe_wav", "prepare_audio"]
