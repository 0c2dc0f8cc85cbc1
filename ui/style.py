"""The app's few style rules, injected once per page run (a ``<style>``-only ``st.html``
takes no space on the page).

Streamlit's theme has no per-area settings for these, so they are CSS, scoped by
``data-testid`` and by the ``st-key-<key>`` class Streamlit gives keyed elements:

* headings inside answers are sized below the page title (an answer's ``#`` would otherwise
  be as big as the title itself);
* reasoning is secondary: smaller, muted text;
* destructive buttons (History's *Delete…* / *Delete for good*) are red, in both themes;
* the Copy button (ui/copy_button.py) looks like the tertiary buttons beside it, and its
  click handler's container takes no space;
* Streamlit's header Stop is hidden (it would leave the upstream running; see below).
"""

from __future__ import annotations

import streamlit as st

DANGER = "#d9363e"  # readable on the light and the dark background

# The header Stop hidden below: Streamlit's own Stop ends the script but leaves the upstream
# request running; the app's own Stop closes it at once. Only the latter is offered.
CSS = f"""<style>
[data-testid="stChatMessage"] [data-testid="stMarkdownContainer"] h1 {{ font-size: 1.5rem; }}
[data-testid="stChatMessage"] [data-testid="stMarkdownContainer"] h2 {{ font-size: 1.3rem; }}
[data-testid="stChatMessage"] [data-testid="stMarkdownContainer"] h3 {{ font-size: 1.15rem; }}
[data-testid="stChatMessage"] [data-testid="stMarkdownContainer"] :is(h4, h5, h6) {{ font-size: 1rem; }}

[class*="st-key-reasoning-"] [data-testid="stExpanderDetails"] {{ font-size: 0.875rem; opacity: 0.75; }}

[class*="st-key-delete-"] button {{ color: {DANGER}; border-color: {DANGER}; }}
[class*="st-key-delete-yes-"] button {{ color: #fff; background-color: {DANGER}; border-color: {DANGER}; }}
[class*="st-key-delete-no-"] button {{ color: inherit; border-color: inherit; }}

.st-key-copy-md-handler {{ display: none; }}

[data-testid="stStatusWidget"] [data-testid="stBaseButton-header"] {{ display: none; }}

button.copy-md {{ font-size: 0.875rem;
  display: inline-flex; align-items: center; gap: 0.5rem; padding: 2px 0 0; margin: 0;
  background: none; border: none; color: inherit; font-family: inherit; cursor: pointer;
}}
button.copy-md:hover {{ color: var(--st-primary-color, #4f6bed); }}
button.copy-md .copy-md-icon {{ font-family: "Material Symbols Rounded"; font-size: 1.125rem; line-height: 1; }}
</style>"""


_SENT = " ".join(CSS.split())  # re-sent with every page run: no indentation or newlines


def apply_style() -> None:
    st.html(_SENT)


__all__ = ["CSS", "DANGER", "apply_style"]
