"""Attachments as plain data (the JSON export) and as a few words (chips, Markdown, History).

``to_record`` keeps everything needed to rebuild the attachment (``from_record``): the
bytes travel as a ``data:`` URL; ``summary`` is the short line a person reads:
"PDF, 3 pages, 1.2 MB", "image, 2048 × 1536, 412 KB", "recording, 3.2 s, 100 KB".
"""

from __future__ import annotations

import base64
import binascii
from types import MappingProxyType
from typing import Any

from .model import Attachment
from .prepare import megabytes
from .wire import data_url, describe


def to_record(attachment: Attachment) -> dict[str, Any]:
    return {
        "name": attachment.name,
        "kind": attachment.kind,
        "mime": attachment.mime,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "meta": dict(attachment.meta),
        "text": attachment.text,
        "data": data_url(attachment),
    }


def from_record(record: dict[str, Any]) -> Attachment:
    """The attachment a record describes. Raises ``ValueError`` when the data does not match its hash."""
    url = str(record.get("data", ""))
    try:
        data = base64.b64decode(url.split(",", 1)[1], validate=True)
    except (IndexError, binascii.Error) as exc:
        raise ValueError("the attachment's data is not a base64 data URL") from exc
    kind = record.get("kind")
    if kind not in ("image", "document", "audio"):
        raise ValueError(f"unknown attachment kind {kind!r}")
    attachment = Attachment(kind=kind, name=str(record.get("name", "file")), mime=str(record.get("mime", "")), data=data,
                            text=str(record.get("text", "")), meta=MappingProxyType(dict(record.get("meta") or {})))
    if record.get("sha256") not in (None, attachment.sha256):
        raise ValueError("the attachment's data does not match its sha256")
    return attachment


def summary(attachment: Attachment) -> str:
    """A few words about the file, for a chip or a list."""
    meta = attachment.meta
    size = megabytes(attachment.size)
    if attachment.kind == "image":
        return f"image, {meta.get('width', '?')} × {meta.get('height', '?')}, {size}"
    if attachment.kind == "audio":
        duration = meta.get("duration")
        return f"recording, {duration:g} s, {size}" if isinstance(duration, (int, float)) else f"recording, {size}"
    cut = ", cut to fit" if meta.get("truncated") else ""
    return f"{describe(attachment)}, {size}{cut}"


__all__ = ["from_record", "summary", "to_record"]
