"""What a file really is, read from its bytes (magic numbers), never from its name.

``sniff`` names the format the bytes prove (``image/png``, ``application/pdf``,
``text/plain``...) or, for formats this chat does not read, what they look like (so the
refusal can say "this is a ZIP archive"). ``claimed_format`` is what the file's name says
it is; ``prepare`` refuses a file whose name claims one binary format while its bytes are
another (a PNG named ``report.pdf``, or text named ``photo.png``).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# mime -> (kind, words for the visitor)
READABLE: dict[str, tuple[str, str]] = {
    "image/png": ("image", "a PNG image"),
    "image/jpeg": ("image", "a JPEG image"),
    "image/webp": ("image", "a WebP image"),
    "image/gif": ("image", "a GIF image"),
    "application/pdf": ("document", "a PDF"),
    "text/plain": ("document", "text"),
    "audio/wav": ("audio", "a WAV recording"),
    "audio/webm": ("audio", "a WebM recording"),
    "audio/ogg": ("audio", "an Ogg recording"),
    "audio/mpeg": ("audio", "an MP3 recording"),
}

# Formats recognised only to be named in a refusal.
UNREADABLE: list[tuple[bytes, int, str]] = [  # (magic, offset, what it is)
    (b"PK\x03\x04", 0, "a ZIP archive (or an Office document)"),
    (b"\x7fELF", 0, "a program (ELF)"),
    (b"MZ", 0, "a Windows program"),
    (b"BM", 0, "a BMP image (send PNG, JPEG, WebP or GIF)"),
    (b"II*\x00", 0, "a TIFF image (send PNG, JPEG, WebP or GIF)"),
    (b"MM\x00*", 0, "a TIFF image (send PNG, JPEG, WebP or GIF)"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!", 0, "a RAR archive"),
    (b"SQLite format 3\x00", 0, "a SQLite database"),
    (b"\x00\x00\x01\x00", 0, "an icon file (send PNG, JPEG, WebP or GIF)"),
]

# Extensions of the formats above: a name ending so claims that format.
_BINARY_EXTENSIONS: dict[str, str] = {
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "jfif": "image/jpeg", "webp": "image/webp",
    "gif": "image/gif", "pdf": "application/pdf", "wav": "audio/wav", "wave": "audio/wav", "webm": "audio/webm",
    "ogg": "audio/ogg", "oga": "audio/ogg", "opus": "audio/ogg", "mp3": "audio/mpeg",
}
# Binary formats we do not read: named as such, whatever the bytes say.
_OTHER_BINARY = {"zip", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "exe", "dll", "so", "bin", "dmg", "iso", "gz", "tgz",
                 "7z", "rar", "bmp", "tif", "tiff", "heic", "heif", "avif", "ico", "mp4", "mov", "m4a", "aac", "flac", "sqlite"}

# Text that is fine in a document: tab, newline, carriage return, form feed. Any other C0 control
# (and DEL) means binary data, whatever the name says.
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Sniffed:
    mime: str | None  # a READABLE mime, or None
    what: str  # words for the visitor: "a PNG image", "a ZIP archive", "binary data"


def sniff(data: bytes) -> Sniffed:
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _known("image/png")
    if head.startswith(b"\xff\xd8\xff"):
        return _known("image/jpeg")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _known("image/gif")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _known("image/webp")
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return _known("audio/wav")
    if data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return _known("application/pdf")
    if head.startswith(b"OggS"):
        return _known("audio/ogg")
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska or WebM
        return _known("audio/webm") if b"webm" in data[:64] else Sniffed(None, "a Matroska video")
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return _known("audio/mpeg")
    for magic, offset, what in UNREADABLE:
        if data[offset:offset + len(magic)] == magic:
            return Sniffed(None, what)
    if looks_like_text(data):
        return _known("text/plain")
    return Sniffed(None, "binary data")


def _known(mime: str) -> Sniffed:
    return Sniffed(mime, READABLE[mime][1])


def decode_text(data: bytes) -> str | None:
    """The text, when ``data`` is UTF-8 (a BOM is dropped) with no binary control bytes; else None."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _BINARY_CONTROL.search(text) else text


def looks_like_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    return decode_text(data) is not None


def extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else ""


def claimed_format(name: str) -> str | None:
    """The binary format the name claims (a mime, or "other" for formats this chat does not read); None for
    text extensions, unknown ones and none (the bytes alone decide)."""
    ext = extension(name)
    if ext in _BINARY_EXTENSIONS:
        return _BINARY_EXTENSIONS[ext]
    return "other" if ext in _OTHER_BINARY else None


def lying_name(name: str, sniffed: Sniffed) -> str | None:
    """Why ``name`` and the bytes disagree (a refusal reason), or None when they agree."""
    claimed = claimed_format(name)
    if claimed is None or claimed == sniffed.mime:
        return None
    ext = extension(name)
    if claimed == "other":
        if sniffed.mime is None:
            return None  # an unreadable format named as such: refused for what it is
        return f"the name says .{ext} but the bytes are {sniffed.what}; rename it to match what it is"
    said = READABLE[claimed][1]
    return f"the name says it is {said} (.{ext}) but the bytes are {sniffed.what}"


__all__ = ["READABLE", "Sniffed", "claimed_format", "decode_text", "extension", "looks_like_text", "lying_name", "sniff"]
