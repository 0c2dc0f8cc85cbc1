"""Copy an answer's Markdown in one click.

Streamlit has no clipboard button, and ``st.code``'s copy icon would mean showing the whole
answer a second time. This is a small HTML button beside Retry/Regenerate: the Markdown rides
in a data attribute (HTML-escaped JSON, so model output can never become markup), and one
page-wide click handler, installed once per page, copies it. ``navigator.clipboard`` needs a
secure context (https or localhost); elsewhere the handler falls back to a hidden textarea
and ``execCommand("copy")``.
"""

from __future__ import annotations

import html
import json

import streamlit as st

_HANDLER = """<script>
if (!window.__copyMarkdown) {
  window.__copyMarkdown = true;
  const fallback = (text) => {
    const area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area); area.select();
    const ok = document.execCommand("copy"); area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy-md");
    if (!button) return;
    const text = JSON.parse(button.dataset.md);
    const copy = navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(text) : fallback(text);
    const label = button.querySelector(".copy-md-label");
    copy.then(() => { label.textContent = "Copied"; }, () => { label.textContent = "Copy failed"; })
        .finally(() => setTimeout(() => { label.textContent = "Copy"; }, 2000));
  });
}
</script>"""


def copy_button_html(markdown: str) -> str:
    payload = html.escape(json.dumps(markdown), quote=True)
    return (
        f'<button type="button" class="copy-md" data-md="{payload}" title="Copy this answer as Markdown">'
        '<span class="copy-md-icon" aria-hidden="true">content_copy</span>'
        '<span class="copy-md-label">Copy</span></button>'
    )


HANDLER_KEY = "copy-md-handler"  # hidden by ui/style.py: the handler takes no space


def render_copy_handler() -> None:
    """The page-wide click handler, once per run and outside the messages (no script ever
    sits inside a message, where only the model's text belongs)."""
    with st.container(key=HANDLER_KEY):
        st.html(_HANDLER, unsafe_allow_javascript=True)


def render_copy_button(markdown: str) -> None:
    """Plain HTML, no script: clicks are handled by ``render_copy_handler``'s listener."""
    st.html(copy_button_html(markdown), width="content")


__all__ = ["HANDLER_KEY", "copy_button_html", "render_copy_button", "render_copy_handler"]
