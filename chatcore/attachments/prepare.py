"""From an uploaded file to an ``Attachment``, or a refusal with a reason a visitor understands.

Everything here is hostile input: the name is cleaned before it is used anywhere (and is
still only ever shown as plain text); the type comes from the bytes (``sniff``); a name
that claims another type than the bytes is refused; size limits are checked before any
parsing. Never raises anything but ``AttachmentRefused`` for a bad file.
"""

from __future__ import annotations

import re
import unicodedata

from .audio import prepare_audio
from .documents import prepare_pdf, prepare_text
from .images import prepare_image
from .limits import AttachmentLimits
from .model import Attachment, AttachmentRefused
from .sniff import lying_name, sniff

NAME_LIMIT = 120
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(name: str) -> str:
    """The file name to keep: no folders, control characters or direction overrides, at most 120 characters."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf"))
    base = _UNSAFE.sub("", base).strip().strip(".") or "file"
    if len(base) > NAME_LIMIT:
        stem, dot, ext = base.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        base = base[: NAME_LIMIT - len(keep) - 2] + "…" + ("." + keep if keep else "")
    return base


def megabytes(size: int) -> str:
    mb = size / 1_000_000
    return f"{mb:.1f} MB" if mb >= 0.1 else f"{max(1, round(size / 1000))} KB"


def prepare(name: str, data: bytes, limits: AttachmentLimits = AttachmentLimits()) -> Attachment:  # noqa: B008 (frozen)
    """Check ``data`` and make it ready to send. Raises ``AttachmentRefused`` saying why not."""
    name = clean_name(name)
    if not data:
        raise AttachmentRefused(name, "the file is empty")
    if len(data) > limits.file_bytes:
        raise AttachmentRefused(name, f"{megabytes(len(data))} is over the {limits.file_mb:g} MB limit per file")
    sniffed = sniff(data)
    lie = lying_name(name, sniffed)
    if lie is not None:
        raise AttachmentRefused(name, lie)
    if sniffed.mime is None:
        if sniffed.what == "binary data":
            raise AttachmentRefused(name, "this is binary data, not text; attach images, PDFs, text documents or recordings")
        raise AttachmentRefused(name, f"this is {sniffed.what}; this chat reads images (PNG, JPEG, WebP, GIF), PDFs, "
                                      "text documents and voice recordings")
    if sniffed.mime.startswith("image/"):
        return prepare_image(name, data, sniffed.what, limits)
    if sniffed.mime == "application/pdf":
        return prepare_pdf(name, data, limits)
    if sniffed.mime == "text/plain":
        return prepare_text(name, data, limits)
    return prepare_audio(name, data, sniffed.mime)


def prepare_all(files: list[tuple[str, bytes]], limits: AttachmentLimits = AttachmentLimits()  # noqa: B008 (frozen)
                ) -> tuple[list[Attachment], list[AttachmentRefused]]:
    """Each file prepared, in order: (accepted, refusals). A file that would take the message over
    ``message_mb`` (counting what is kept and sent) or ``files_per_message`` is refused; the rest go on."""
    accepted: list[Attachment] = []
    refusals: list[AttachmentRefused] = []
    total = 0
    for name, data in files:
        if len(accepted) >= limits.files_per_message:
            refusals.append(AttachmentRefused(clean_name(name), f"a message takes at most {limits.files_per_message} files"))
            continue
        try:
            attachment = prepare(name, data, limits)
        except AttachmentRefused as refused:
            refusals.append(refused)
            continue
        if total + attachment.size > limits.message_bytes:
            refusals.append(AttachmentRefused(attachment.name, (
                f"with it this message would take {megabytes(total + attachment.size)}, over the "
                f"{limits.message_mb:g} MB limit per message; send it in the next message")))
            continue
        total += attachment.size
        accepted.append(attachment)
    return accepted, refusals


__all__ = ["NAME_LIMIT", "clean_name", "megabytes", "prepare", "prepare_all"]
