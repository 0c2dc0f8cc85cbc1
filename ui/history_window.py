"""Long chats stay light: only the newest messages are drawn, earlier ones on request.

Every run of the chat page draws the conversation again and sends it to the browser, so a
200-message chat cost each new prompt ~8x a new chat's bytes and rendering time. The page
draws the newest ``WINDOW`` to ``WINDOW + STEP - 1`` messages; a "Show earlier messages" button above them draws
``MORE`` more each time it is clicked (every message stays reachable; the History page
has them all as well). The newest messages are always drawn. How many are shown is kept
per conversation in this visitor's session state (nothing shared).
"""

from __future__ import annotations

import streamlit as st

# Measured with bench/page_bytes.py: each message drawn costs a new prompt ~650 bytes even when
# the browser holds its text (a dozen small elements), so at most 15 keep a long chat's prompt
# under 2x a new chat's.
WINDOW = 6  # at least this many messages (a prompt and its answer are two) drawn before "Show earlier messages"
STEP = 10  # the first message drawn moves on in steps of this many (so 6 to 15 are drawn)
MORE = 20  # messages each click on "Show earlier messages" adds


def _shown_key(conversation_id: str) -> str:
    return f"history-shown-{conversation_id}"


def first_shown(conversation_id: str, total: int) -> int:
    """Index of the first message to draw out of ``total``.

    The start moves in steps of ``STEP`` messages, not with every prompt: a run that draws
    different messages at the places of the last run's shows the last run's leftovers (faded)
    until it ends, for the whole of a streaming answer."""
    shown = max(WINDOW, int(st.session_state.get(_shown_key(conversation_id), WINDOW)))
    return max(0, (total - shown) // STEP * STEP)


def _show_more(conversation_id: str, total: int) -> None:
    key = _shown_key(conversation_id)
    st.session_state[key] = min(total, max(WINDOW, int(st.session_state.get(key, WINDOW))) + MORE)


def render_earlier_control(conversation_id: str, hidden: int, total: int) -> None:
    """The button that draws earlier messages, with how many are not drawn yet."""
    st.button(f"Show earlier messages ({hidden} more)", key=f"show-earlier-{conversation_id}",
              icon=":material/expand_less:", type="tertiary", on_click=_show_more, args=(conversation_id, total),
              help=f"Draw up to {MORE} earlier messages of this chat")


__all__ = ["WINDOW", "first_shown", "render_earlier_control"]
