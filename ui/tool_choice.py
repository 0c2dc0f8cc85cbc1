"""The sidebar's tool picker: every tool the model may use, wherever it comes from.

Tools come and go while a session lives (an MCP server becomes ready, a file in tools/
gains a function), so the picker remembers which names it offered last time: a new tool
arrives ticked (unless a preset or chat.toml says otherwise), a removed one drops out, and
the visitor's own unticking is kept.
"""

from __future__ import annotations

import streamlit as st

from chatcore.app_config import AppConfig
from chatcore.tools import BUILT_IN, Tool, ToolRegistry

from .presets import PRESET_TOOLS, TOOLS, TOOLS_SEEN

KEEP = "session"


def starts_ticked(tool: Tool, config: AppConfig) -> bool:
    preset_tools = st.session_state.get(PRESET_TOOLS)
    if preset_tools is not None:
        return tool.name in preset_tools
    if tool.source == BUILT_IN and config.builtin_tools is not None:
        return tool.name in config.builtin_tools
    return True


def tool_label(registry: ToolRegistry, name: str) -> str:
    tool = registry.get(name)
    if tool is None or tool.source == BUILT_IN:
        return name
    return f"{name} · {tool.source.split(':', 1)[0] if tool.source.startswith('tools/') else tool.source}"


def render_tool_picker(registry: ToolRegistry, config: AppConfig) -> list[str]:
    """The multiselect (its key stays ``tools``); returns the ticked names."""
    names = registry.names()
    seen = st.session_state.get(TOOLS_SEEN)
    if TOOLS not in st.session_state or seen is None:
        st.session_state[TOOLS] = [t.name for t in registry if starts_ticked(t, config)]
    elif seen != names:
        kept = [n for n in st.session_state[TOOLS] if n in names]
        arrived = [t.name for t in registry if t.name not in seen and starts_ticked(t, config)]
        st.session_state[TOOLS] = kept + [n for n in arrived if n not in kept]
    st.session_state[TOOLS_SEEN] = names
    return st.multiselect(
        "Tools", names, key=TOOLS, format_func=lambda n: tool_label(registry, n), persist_state=KEEP
    )
