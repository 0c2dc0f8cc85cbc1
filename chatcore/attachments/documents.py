"""Documents become text the model reads: a PDF's text layer, or a text file as it is.

The text is cut at ``document_chars`` (meta ``truncated`` and ``chars``, the full length,
say so, and the request tells the model). A PDF reads page by page and stops once the limit
is reached, so a 300-page PDF costs what the kept text costs. A password-protected PDF and
one with no text layer (a scan) are refused: there is nothing the model could read. SVG
and HTML are accepted as text only (``text/plain``): never shown or sent as markup.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from types import MappingProxyType
from typing import Any

from .limits import AttachmentLimits
from .model import Attachment, AttachmentRefused
from .sniff import decode_text, extension

# Extension -> the mime kept for a text document (anything else that is text: text/plain).
TEXT_TYPES: dict[str, str] = {
    "txt": "text/plain", "text": "text/plain", "log": "text/plain", "md": "text/markdown", "markdown": "text/markdown",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/json",
    **{ext: "text/x-code" for ext in (
        "py", "js", "mjs", "ts", "tsx", "jsx", "java", "c", "h", "cc", "cpp", "hpp", "cs", "go", "rs", "rb", "php", "swift",
        "kt", "scala", "sh", "bash", "zsh", "ps1", "sql", "r", "lua", "pl", "toml", "yaml", "yml", "ini", "cfg", "xml",
        "css", "scss", "dockerfile", "makefile", "ipynb",
    )},
    # Markup is only ever text here: never rendered.
    "html": "text/plain", "htm": "text/plain", "svg": "text/plain", "xhtml": "text/plain",
}

logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings about odd PDFs would name visitors' files in the log


def prepare_text(name: str, data: bytes, limits: AttachmentLimits) -> Attachment:
    text = decode_text(data)
    if text is None:  # sniff said text; keep the check here too for direct callers
        raise AttachmentRefused(name, "this is binary data, not text")
    ext = extension(name)
    mime = TEXT_TYPES.get(ext, "text/plain")
    meta: dict[str, Any] = {"original_size": len(data)}
    if mime == "application/json":
        try:
            json.loads(text)
        except ValueError as exc:
            raise AttachmentRefused(name, f"this is not valid JSON ({_json_problem(exc)})") from None
    if mime in ("text/csv", "text/tab-separated-values"):
        meta["rows"] = _rows(text, "\t" if mime == "text/tab-separated-values" else ",")
    if ext in ("html", "htm", "svg", "xhtml"):
        meta["format"] = ext  # shown and sent as text, never as markup
    kept, _ = _cut(text, limits.document_chars, meta)
    return Attachment(kind="document", name=name, mime=mime, data=data, text=kept, meta=MappingProxyType(meta))


def prepare_pdf(name: str, data: bytes, limits: AttachmentLimits) -> Attachment:
    from pypdf import PdfReader  # imported on first use: the app starts without it loaded
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise AttachmentRefused(name, "this is a password-protected PDF; remove the password and attach it again")
        pages = len(reader.pages)
        parts: list[str] = []
        total = 0
        for page in reader.pages:
            page_text = (page.extract_text() or "").strip()
            if page_text:
                parts.append(page_text)
                total += len(page_text) + 2
            if total > limits.document_chars:
                break  # the rest would be cut anyway
    except AttachmentRefused:
        raise
    except FileNotDecryptedError:
        raise AttachmentRefused(name, "this is a password-protected PDF; remove the password and attach it again") from None
    except (PdfReadError, Exception):  # noqa: BLE001 - hostile bytes can break a parser anywhere; the visitor gets a reason
        raise AttachmentRefused(name, "this PDF is damaged and cannot be read") from None
    if not parts:
        raise AttachmentRefused(name, "this is an image-only (scanned) PDF: no text to read. Attach the pages as images instead")
    meta: dict[str, Any] = {"pages": pages, "original_size": len(data)}
    kept, _ = _cut("\n\n".join(parts), limits.document_chars, meta, read_all=total <= limits.document_chars)
    return Attachment(kind="document", name=name, mime="application/pdf", data=data, text=kept, meta=MappingProxyType(meta))


def _opens_without_password(reader: Any) -> bool:
    """A PDF encrypted with an empty user password (only editing is restricted) opens as is."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - an unsupported cipher: treated as locked
        return False


def _cut(text: str, limit: int, meta: dict[str, Any], *, read_all: bool = True) -> tuple[str, bool]:
    """``text`` cut at ``limit`` characters (at a line break near the end when there is one)."""
    if len(text) <= limit and read_all:
        meta["chars"] = len(text)
        return text, False
    head = text[:limit]
    newline = head.rfind("\n")
    if newline > limit * 0.9:
        head = head[:newline]
    meta["truncated"] = True
    if read_all:  # else unknown: the rest was never read
        meta["chars"] = len(text)
    meta["kept_chars"] = len(head)
    return head, True


def _rows(text: str, delimiter: str) -> int:
    try:
        return sum(1 for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row)
    except csv.Error:
        return sum(1 for line in text.splitlines() if line.strip())


def _json_problem(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    return "it does not parse"


__all__ = ["TEXT_TYPES", "prepare_pdf", "prepare_text"]
