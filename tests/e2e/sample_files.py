"""Small real files for the attachment tests, made on the spot (no binary fixtures in the repo)."""

from __future__ import annotations

import io


def png(width: int = 640, height: int = 480, colour: tuple[int, int, int] = (220, 30, 30)) -> bytes:
    """A plain PNG of one colour (Pillow)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with a real text layer, one list of lines per page (``tests.attachment_files`` writes it)."""
    from tests.attachment_files import text_pdf as pdf_of_pages

    return pdf_of_pages(["\n".join(lines) for lines in pages])


def wav(seconds: float = 1.0, rate: int = 16000, frequency: float = 440.0) -> bytes:
    """A mono 16-bit WAV of a sine tone (what the chat input's recorder sends is WAV too)."""
    import math
    import struct
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        frames = int(seconds * rate)
        writer.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * i / rate)))
                                    for i in range(frames)))
    return out.getvalue()
