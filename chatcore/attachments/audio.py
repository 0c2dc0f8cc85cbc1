"""Voice recordings: kept as recorded; what can be read from the bytes goes in ``meta``.

A WAV's header gives its duration, sample rate and channels (``describe_wav``: also what
the mock's transcriber reports, honestly, instead of made-up words). Other formats (WebM,
Ogg, MP3) are kept as they are; the transcription server reads them.
"""

from __future__ import annotations

import io
import wave
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
    """duration (s), sample_rate (Hz), channels and sample_width (bytes) of a WAV; None if it is not one."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            rate = reader.getframerate()
            frames = reader.getnframes()
            channels = reader.getnchannels()
            width = reader.getsampwidth()
    except (wave.Error, EOFError, ValueError, OSError):
        return None
    if rate <= 0 or channels <= 0:
        return None
    # A header may claim more frames than the file holds (a recording cut short): count what is there.
    header_end = data.find(b"data")
    if header_end >= 0 and width > 0:
        present = max(0, len(data) - header_end - 8) // (width * channels)
        frames = min(frames, present)
    return {"duration": round(frames / rate, 2), "sample_rate": rate, "channels": channels, "sample_width": width}


__all__ = ["describe_wav", "prepare_audio"]
