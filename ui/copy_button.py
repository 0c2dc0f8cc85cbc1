"""Copy an answer's Markdown in one click.

Streamlit has no clipboard button, and ``st.code``'s copy icon would mean showing the whole
answer a second time. This is a small HTML button beside Retry/Regenerate: the Markdown rides
in a data attribute (gzip + base64: compact, and model output can never become markup), and
one page-wide click handler, installed once per page, unpacks it (``DecompressionStream``)
and copies it. ``navigator.clipboard`` needs a secure context (https or localhost); elsewhere
the handler falls back to a hidden textarea and ``execCommand("copy")``. The clipboard gets a
``ClipboardItem`` holding a promise, which keeps the click's permission while the text unpacks
(Safari needs that); plain ``writeText`` is the fallback.
"""

from __future__ import annotations

import base64
import gzip

import streamlit as st

_HANDLER = """<script>
if (!window.__copyMarkdown) {
  window.__copyMarkdown = true;
  const inflate = async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  };
  const fallback = (text) => {
    const area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area); area.select();
    const ok = document.execCommand("copy"); area.remove();
    if (!ok) throw new Error("copy refused");
  };
  const copy = (text) => {
    const clip = window.isSecureContext && navigator.clipboard;
    const plain = () => text.then((t) => (clip ? clip.writeText(t) : Promise.reject())).catch(() => text.then(fallback));
    if (!clip || !window.ClipboardItem) return plain();
    const item = new ClipboardItem({"text/plain": text.then((t) => new Blob([t], {type: "text/plain"}))});
    return clip.write([item]).catch(plain);
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy-md");
    if (!button) return;
    const label = button.querySelector(".copy-md-label");
    copy(inflate(button.dataset.md))
      .then(() => { label.textContent = "Copied"; }, () => { label.textContent = "Copy failed"; })
      .finally(() => setTimeout(() => { label.textContent = "Copy"; }, 2000));
  });
}
</script>"""


def packed(markdown: str) -> str:
    """The Markdown gzipped and base64-encoded: the answer is already on the page once, and
    this second copy, re-sent with every page run, should cost a fraction of it (about a
    third for prose). ``mtime=0`` keeps it identical from run to run."""
    return base64.b64encode(gzip.compress(markdown.encode("utf-8"), 9, mtime=0)).decode("ascii")


def copy_button_html(markdown: str) -> str:
    return (
        f'<button type="button" class="copy-md" data-md="{packed(markdown)}" title="Copy this answer as Markdown">'
        '<span class="copy-md-icon" aria-hidden="true">content_copy</span>'
        '<span class="copy-md-label">Copy</span></button>'
    )


_SENT = "\n".join(line.strip() for line in _HANDLER.splitlines())  # re-sent every run: no indentation
HANDLER_KEY = "copy-md-handler"  # hidden by ui/style.py: the handler takes no space


def render_copy_handler() -> None:
    """The page-wide click handler, once per run and outside the messages (no script ever
    sits inside a message, where only the model's text belongs)."""
    with st.container(key=HANDLER_KEY):
        st.html(_SENT, unsafe_allow_javascript=True)


def render_copy_button(markdown: str) -> None:
    """Plain HTML, no script: clicks are handled by ``render_copy_handler``'s listener."""
    st.html(copy_button_html(markdown), width="content")


__all__ = ["HANDLER_KEY", "copy_button_html", "packed", "render_copy_button", "render_copy_handler"]
