"""``‹ 2 / 3 ›`` under a message that has versions (Regenerate, Edit): switch between them.

The buttons act in their ``on_click`` (before the next run draws the chat), so the run that
follows shows the chosen path; ``ChatSession.switch_version`` decides and saves it.
"""

from __future__ import annotations

import streamlit as st

from chatcore.conversation import Conversation
from chatcore.conversation_tree import Versions

from .state import chat_session


def _switch(index: int, to: int) -> None:
    from .transcript import EDITING  # (transcript draws the switcher)

    if chat_session().switch_version(index, to):
        st.session_state.pop(EDITING, None)  # an open edit box belonged to the path it was opened on


def render_version_switcher(conversation: Conversation, index: int, versions: Versions | None, *, disabled: bool = False) -> None:
    """Nothing for a message with one version; else previous, "n / m", next (call it inside a
    horizontal container: the message's row of actions)."""
    if versions is None or versions.count < 2:
        return
    key = f"version-{conversation.id}-{index}"  # drawn into the caller's horizontal row (no container of its own: cheaper reruns)
    st.button("‹", key=f"{key}-prev", type="tertiary", disabled=disabled or versions.index == 0,
              on_click=_switch, args=(index, versions.index - 1), help="Previous version")
    st.caption(versions.label, width="content")
    st.button("›", key=f"{key}-next", type="tertiary", disabled=disabled or versions.index == versions.count - 1,
              on_click=_switch, args=(index, versions.index + 1), help="Next version")


__all__ = ["render_version_switcher"]
