"""What a visitor attached to a prompt, after it was checked: the one shape the UI, the
provider, the store and the exports share.

An ``Attachment`` only exists once its bytes were sniffed and accepted (``prepare``): the
type is read from the bytes, never from the name or the browser's claim; images are
already resized and recompressed; documents already have their text extracted (and cut
to the configured limit, with ``truncated`` saying so); audio carries its transcript once
one was made.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Mapping

AttachmentKind = Literal["image", "document", "audio"]


class AttachmentRefused(ValueError):
    """A file that cannot be attached, with a reason written for the visitor."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class Attachment:
    kind: AttachmentKind
    name: str  # as the visitor gave it: shown as plain text only, never as a path or markup
    mime: str  # sniffed from the bytes (image/png, application/pdf, text/csv, audio/wav, ...)
    data: bytes = field(repr=False)  # what is kept and sent: the resized image, the document's bytes, the recording
    text: str = ""  # documents: the extracted text (maybe cut); audio: the transcript ("" if none)
    meta: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # meta keys used so far: width, height (images, after resizing), original_width,
    # original_height, original_size (bytes as uploaded), animated (GIF/WebP: first frame sent),
    # pages (PDF), rows (CSV/TSV), chars (the document's full length, when known), kept_chars,
    # truncated (bool), format (html/svg: kept as text), duration, sample_rate, channels,
    # sample_width (WAV), transcript_error (str), transcription_model

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


__all__ = ["Attachment", "AttachmentKind", "AttachmentRefused"]
