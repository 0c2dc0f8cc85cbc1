"""What a prompt's attachments look like in its bubble: image thumbnails, one chip per
document, the voice recording.

Everything here is visitor-controlled (names, bytes, extracted text), so nothing is ever
rendered as markup: names go through ``literal_markdown``, document text is shown in a code
block or a table, and only the raster formats the core accepts reach ``st.image`` (an SVG or
HTML file is a document at most, shown as its text).

The bubble itself stays light: a small thumbnail (made once per session and image, so a
long chat is not resized again on every run) and a button per file. The large image and the
document preview are drawn only when that button is clicked, in a dialog, so a chat full of
documents does not resend their text on every run.
"""

from __future__ import annotations

import csv
import io
from collections import OrderedDict
from typing import Sequence

import streamlit as st

from chatcore.attachments import Attachment
from chatcore.attachments import thumbnail as make_thumbnail
from chatcore.conversation import Conversation, UserEntry
from chatcore.literal_markdown import literal_markdown

RASTER_MIMES = ("image/png", "image/jpeg", "image/webp", "image/gif")
THUMB_PX = 160  # the thumbnail's width in the bubble (CSS pixels)
LABEL_CHARS = 40  # a longer file name is shortened on its button (the preview shows it whole)
PREVIEW_CHARS = 20_000  # the preview shows this much of a document's text
PREVIEW_ROWS = 200  # and this many rows of a table
THUMBS = "attachment_thumbnails"  # session state: sha256 -> thumbnail bytes (this visitor's only)
THUMBS_KEPT = 64


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def short_name(name: str, limit: int = LABEL_CHARS) -> str:
    name = " ".join(name.split()) or "unnamed"  # a name with newlines or tabs stays on one line
    return name if len(name) <= limit else name[: limit - 1] + "…"


def describe(attachment: Attachment) -> str:
    """Size, pages/rows/dimensions and a "cut to fit" note: what the chip says after the name."""
    meta = attachment.meta
    parts = [human_size(int(meta.get("original_size") or attachment.size))]
    if attachment.kind == "image" and meta.get("width") and meta.get("height"):
        parts.append(f"{meta['width']}×{meta['height']}")
    if meta.get("pages"):
        parts.append(f"{meta['pages']} page{'s' if meta['pages'] != 1 else ''}")
    if meta.get("rows"):
        parts.append(f"{meta['rows']} row{'s' if meta['rows'] != 1 else ''}")
    if meta.get("duration"):
        parts.append(f"{float(meta['duration']):.0f} s")
    if meta.get("truncated"):
        parts.append("cut to fit")
    return " · ".join(parts)


def is_table(attachment: Attachment) -> bool:
    return attachment.mime in ("text/csv", "text/tab-separated-values")


def table_rows(attachment: Attachment, limit: int = PREVIEW_ROWS) -> tuple[list[str], list[list[str]]]:
    """The document's text as a header and rows (at most ``limit``), every cell a string."""
    delimiter = "\t" if attachment.mime == "text/tab-separated-values" else ","
    reader = csv.reader(io.StringIO(attachment.text), delimiter=delimiter)
    rows: list[list[str]] = []
    for row in reader:
        rows.append(row)
        if len(rows) > limit:
            break
    if not rows:
        return [], []
    header, body = rows[0], rows[1:]
    width = max(len(r) for r in rows)
    seen: dict[str, int] = {}
    columns = []
    for i in range(width):
        name = (header[i] if i < len(header) else "").strip() or f"column {i + 1}"
        seen[name] = seen.get(name, 0) + 1
        columns.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return columns, [r + [""] * (width - len(r)) for r in body]


def thumbnail(attachment: Attachment, side: int = THUMB_PX) -> bytes | None:
    """A small JPEG/PNG of an image attachment (``chatcore.attachments.thumbnail``), made once per
    session and image; None if the stored bytes cannot be read."""
    cache: OrderedDict[str, bytes] = st.session_state.setdefault(THUMBS, OrderedDict())
    key = f"{attachment.sha256}-{side}"
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    try:
        small = make_thumbnail(attachment, side)
    except Exception:  # noqa: BLE001 - stored bytes that no longer decode: say so, do not crash the chat
        return None
    cache[key] = small
    while len(cache) > THUMBS_KEPT:
        cache.popitem(last=False)
    return small


@st.dialog("Attachment", width="large")
def show_attachment(attachment: Attachment) -> None:
    """The large image or the document's text, drawn only when asked for."""
    st.markdown(f"**{literal_markdown(attachment.name)}**")
    st.caption(literal_markdown(f"{attachment.mime} · {describe(attachment)}"))
    # Served as a download (Content-Disposition: attachment) of an opaque type: never opened as a page.
    st.download_button("Download", attachment.data, file_name=attachment.name, mime="application/octet-stream",
                       icon=":material/download:", on_click="ignore", key="attachment_download",
                       help="The file as kept and sent (an image after resizing)")
    if attachment.kind == "image" and attachment.mime in RASTER_MIMES:
        st.image(attachment.data, alt=short_name(attachment.name))
        original = attachment.meta
        if original.get("original_width") and original.get("original_height"):
            st.caption(f"Sent to the model at {original.get('width')}×{original.get('height')} "
                       f"(uploaded at {original['original_width']}×{original['original_height']}).")
        return
    if attachment.meta.get("truncated"):
        st.info("This document was cut to fit: the model read only the beginning shown here.", icon=":material/content_cut:")
    if is_table(attachment):
        columns, rows = table_rows(attachment)
        if columns:
            st.dataframe({name: [row[i] for row in rows] for i, name in enumerate(columns)}, hide_index=True)
            if len(rows) >= PREVIEW_ROWS:
                st.caption(f"The first {PREVIEW_ROWS} rows.")
            return
    text = attachment.text
    if not text:
        st.caption("No text was read from this file.")
        return
    st.code(text[:PREVIEW_CHARS], language=None, wrap_lines=True)
    if len(text) > PREVIEW_CHARS:
        st.caption(f"The first {PREVIEW_CHARS:,} of {len(text):,} characters the model read.")


ICONS = {"image": ":material/image:", "document": ":material/description:", "audio": ":material/mic:"}


def _image(attachment: Attachment, key: str) -> None:
    with st.container(width="content", gap="small"):
        thumb = thumbnail(attachment) if attachment.mime in RASTER_MIMES else None
        if thumb is not None:
            st.image(thumb, alt=short_name(attachment.name))  # its own size: nothing to resize on each run
        else:
            st.caption("This image cannot be shown.")
        if st.button(literal_markdown(short_name(attachment.name, 24)), key=key, icon=":material/zoom_in:", type="tertiary",
                     help="See it larger"):
            show_attachment(attachment)


def _chip(attachment: Attachment, key: str) -> None:
    label = f"{literal_markdown(short_name(attachment.name))} · {literal_markdown(describe(attachment))}"
    if st.button(label, key=key, icon=ICONS.get(attachment.kind, ":material/attach_file:"), help="Preview"):
        show_attachment(attachment)


def _recording(attachment: Attachment) -> None:
    st.audio(attachment.data, format=attachment.mime or "audio/wav")
    if attachment.meta.get("transcribed"):
        st.caption(f"Voice message · {describe(attachment)} · transcribed into the text above")
    elif attachment.text:
        st.caption(literal_markdown(f"{short_name(attachment.name)} · {describe(attachment)} · transcript: {attachment.text}"))
    problem = attachment.meta.get("transcript_error")
    if problem:
        st.caption(literal_markdown(f"Not transcribed: {problem}"))


def keep_key(conversation_id: str, index: int, n: int) -> str:
    """Session-state key of the edit form's "send this file again" box for attachment ``n`` of prompt ``index``."""
    return f"edit-keep-{conversation_id}-{index}-{n}"


def render_keep_choices(conversation_id: str, index: int, attachments: Sequence[Attachment]) -> None:
    """In the edit form: one ticked box per file; untick to send the edit without it (say, an
    image the chosen model cannot read)."""
    if not attachments:
        return
    st.caption("Sent again with the edit (untick to leave a file out):")
    for n, attachment in enumerate(attachments):
        st.checkbox(f"{literal_markdown(short_name(attachment.name))} · {literal_markdown(describe(attachment))}", value=True,
                    key=keep_key(conversation_id, index, n))


def render_attachments(attachments: Sequence[Attachment], key: str) -> None:
    """Thumbnails, then chips, then a recording; ``key`` makes the buttons unique on the page."""
    if not attachments:
        return
    images = [a for a in attachments if a.kind == "image"]
    others = [a for a in attachments if a.kind == "document"]
    if images:
        with st.container(horizontal=True, gap="small", key=f"thumbs-{key}"):
            for i, attachment in enumerate(images):
                _image(attachment, key=f"att-{key}-i{i}")
    if others:
        with st.container(horizontal=True, gap="small", key=f"chips-{key}"):
            for i, attachment in enumerate(others):
                _chip(attachment, key=f"att-{key}-d{i}")
    for attachment in attachments:
        if attachment.kind == "audio":
            _recording(attachment)


def render_conversation_attachments(conversation: Conversation, key: str) -> None:
    """Every file sent in ``conversation``, grouped by the prompt it came with (the History page)."""
    prompts = [(i, e) for i, e in enumerate(conversation.entries) if isinstance(e, UserEntry) and e.attachments]
    if not prompts:
        return
    count = sum(len(e.attachments) for _, e in prompts)
    with st.expander(f"Attachments ({count})", icon=":material/attach_file:", key=f"attachments-{key}"):
        for i, entry in prompts:
            st.caption(literal_markdown(short_name(entry.content, 80) if entry.content.strip() else "(files only)"))
            render_attachments(entry.attachments, key=f"h-{key}-{i}")


__all__ = ["describe", "human_size", "keep_key", "render_attachments", "render_conversation_attachments", "render_keep_choices",
           "show_attachment", "table_rows", "thumbnail"]
