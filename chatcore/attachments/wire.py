"""Attachments as the OpenAI chat API reads them (``chatcore.messages.user_message`` calls this).

One text part carries the prompt, then each document as a fenced block headed by its file
name (and a note when it was cut), then what each recording said; each image follows as an
``image_url`` part holding a ``data:`` URL. A prompt with no images stays plain string
content (what every server accepts, byte for byte what was sent before attachments
existed). The fence is longer than any run of backticks in the document, so a document
cannot close its own block; the header's name is JSON-quoted. The mock reads these blocks
back (``document_headers``), so the two stay in this one module.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Iterable, Sequence

from .model import Attachment

_HEADER = re.compile(r'^Attached document ("(?:[^"\\]|\\.)*") \(([^\n]*)\):$', re.MULTILINE)


def data_url(attachment: Attachment) -> str:
    return f"data:{attachment.mime};base64,{base64.b64encode(attachment.data).decode('ascii')}"


def document_block(attachment: Attachment) -> str:
    text = attachment.text
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    note = ""
    if attachment.meta.get("truncated"):
        total = attachment.meta.get("chars")
        of = f" of {total:,}" if isinstance(total, int) else ""
        note = f"\n[Cut to fit: only the first {len(text):,}{of} characters of this document are included.]"
    return f"Attached document {json.dumps(attachment.name, ensure_ascii=False)} ({describe(attachment)}):\n{fence}\n{text}\n{fence}{note}"


def describe(attachment: Attachment) -> str:
    """Plain words for the header: "PDF, 3 pages", "CSV, 12 rows", "text"."""
    meta = attachment.meta
    kind = {"application/pdf": "PDF", "text/csv": "CSV", "text/tab-separated-values": "TSV", "application/json": "JSON",
            "text/markdown": "Markdown", "text/x-code": "code"}.get(attachment.mime, "text")
    facts = [kind]
    if "pages" in meta:
        facts.append(_count(meta["pages"], "page"))
    if "rows" in meta:
        facts.append(_count(meta["rows"], "row"))
    return ", ".join(facts)


def _count(n: Any, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def voice_text(attachment: Attachment) -> str:
    return f"(Voice message {json.dumps(attachment.name, ensure_ascii=False)}, transcribed:)\n{attachment.text}"


def user_content(text: str, attachments: Sequence[Attachment] = ()) -> str | list[dict[str, Any]]:
    """The ``content`` of a user message with these attachments."""
    if not attachments:
        return text
    blocks = [text] if text else []
    blocks += [document_block(a) for a in attachments if a.kind == "document"]
    blocks += [voice_text(a) for a in attachments if a.kind == "audio" and a.text]  # a recording nobody could read is kept, not sent
    joined = "\n\n".join(blocks)
    images = [a for a in attachments if a.kind == "image"]
    if not images:
        return joined
    parts: list[dict[str, Any]] = [{"type": "text", "text": joined}] if joined else []
    parts += [{"type": "image_url", "image_url": {"url": data_url(a)}} for a in images]
    return parts


def document_headers(text: str) -> Iterable[tuple[str, str, str]]:
    """(name, facts, first words) of each document block in ``text`` (what ``user_content`` wrote).

    A header quoted inside a document's own text is part of that document, not a block."""
    position = 0
    while (match := _HEADER.search(text, position)) is not None:
        position = match.end()
        fence = re.compile(r"(`{3,})\n").match(text, match.end() + 1)
        if fence is None:
            continue
        closing = text.find("\n" + fence.group(1) + "\n", fence.end() - 1)
        closing = text.find("\n" + fence.group(1), fence.end() - 1) if closing < 0 else closing
        content = text[fence.end():] if closing < 0 else text[fence.end():closing]
        position = len(text) if closing < 0 else closing + 1 + len(fence.group(1))
        try:
            name = json.loads(match.group(1))
        except ValueError:
            continue
        yield str(name), match.group(2), " ".join(content.split()[:12])


__all__ = ["data_url", "describe", "document_block", "document_headers", "user_content", "voice_text"]
