"""The first screen of an empty chat: the welcome words and the starter prompts as buttons.

A click does not stream from inside its callback: it leaves a pending action (like Retry
or Edit do), and the chat page treats that text exactly as if it had been typed.
"""

from __future__ import annotations

import streamlit as st

from chatcore.app_config import AppConfig

from .state import PROMPT, request_action

STARTER_ACTION = "starter"


def render_welcome(config: AppConfig) -> None:
    """The welcome and one button per starter prompt (not when a typed prompt is about to start the chat)."""
    if st.session_state.get(PROMPT):
        return
    st.caption(config.welcome)
    prompts = config.starter_prompts
    if not prompts:
        return
    with st.container(horizontal=True, key="starter_prompts"):
        for index, prompt in enumerate(prompts):
            st.button(
                prompt,
                key=f"starter-{index}",
                icon=":material/arrow_outward:",
                on_click=request_action,
                args=(STARTER_ACTION,),
                kwargs={"text": prompt},
            )


def render_prompt_list(config: AppConfig) -> None:
    """The same prompts, for the sidebar's "Try these prompts"."""
    for prompt in config.starter_prompts:
        st.markdown(f"- `{prompt}`")
