"""The sidebar's presets (from chat.toml): one pick fills the model, system prompt,
temperature and tools, and leaves everything else as the visitor set it.

Applied in the selectbox's ``on_change``, i.e. before the widgets it fills are drawn, which
is the one moment Streamlit lets code set a widget's value through its key.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

import streamlit as st

from chatcore.app_config import AppConfig

PRESET = "preset"  # the selectbox's key
PRESET_MODEL = "preset_model"  # the model the chosen preset asks for
PRESET_TOOLS = "preset_tools"  # the tools it asks for (tools that appear later follow it)
SYSTEM_PROMPT = "system_prompt"  # widget keys in ui/sidebar.py
TEMPERATURE = "temperature"
TOOLS = "tools"
TOOLS_SEEN = "tools_seen"  # the tool names the multiselect offered on the last run
MODEL_WIDGETS = ("model_select", "model_text")


def _apply(config: AppConfig) -> None:
    preset = config.preset(st.session_state.get(PRESET) or "")
    if preset is None:
        return
    if preset.system_prompt is not None:
        st.session_state[SYSTEM_PROMPT] = preset.system_prompt
    if preset.temperature is not None:
        st.session_state[TEMPERATURE] = preset.temperature
    if preset.tools is not None:
        st.session_state[PRESET_TOOLS] = preset.tools
        available = st.session_state.get(TOOLS_SEEN) or []
        st.session_state[TOOLS] = [name for name in available if name in preset.tools]
    if preset.model:
        st.session_state[PRESET_MODEL] = preset.model
        for key in MODEL_WIDGETS:  # redrawn with the preset's model as their value
            st.session_state.pop(key, None)


def render_preset_picker(config: AppConfig) -> None:
    if not config.presets:
        return
    st.selectbox(
        "Preset",
        [p.name for p in config.presets],
        index=None,
        placeholder="Choose a preset…",
        key=PRESET,
        on_change=_apply,
        args=(config,),
        help="Set in chat.toml: a system prompt, model, temperature and tools in one pick.",
    )


def with_default_model(secrets: Mapping[str, Any], config: AppConfig) -> dict[str, Any]:
    """``secrets`` with the model to start on: a chosen preset's, else chat.toml's unless
    ``OPENAI_MODEL`` is configured (secrets and the environment still win over the file)."""
    merged = dict(secrets)
    chosen = st.session_state.get(PRESET_MODEL)
    if chosen:
        merged["OPENAI_MODEL"] = chosen
    elif config.model and not (merged.get("OPENAI_MODEL") or os.environ.get("OPENAI_MODEL")):
        merged["OPENAI_MODEL"] = config.model
    return merged


def starts_on_mock(config: AppConfig, configured_is_mock: bool) -> bool:
    """chat.toml's ``provider`` ("auto": the real one when a key or base URL is configured)."""
    return configured_is_mock if config.provider == "auto" else config.provider == "mock"
