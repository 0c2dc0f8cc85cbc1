"""The sidebar's tool picker: every tool the model may use, wherever it comes from.

Tools come and go while a session lives (an MCP server becomes ready, a file in tools/
gains a function), so the picker remembers which names it offered last time: a new tool
arrives ticked (unless a preset or chat.toml says otherwise), a removed one drops out, and
the visitor's own unticking is kept.
"""

from __future__ import annotations

import streamlit as st

from chatcore.app_config import AppConfig
from chatcore.session import ChatSession
from chatcore.tools import BUILT_IN, Tool, ToolRegistry
from chatcore.tools.catalog import MCP_SOURCE, CatalogView

from .presets import PRESET_TOOLS, TOOLS, TOOLS_SEEN
from .tool_sources import refresh_tools, render_server_states, render_tool_problems

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
    where = tool.source if tool.source.startswith(MCP_SOURCE) else tool.source.rsplit(":", 1)[0]  # file, no line
    return f"{name} · {where}"


def ticked_tools(session: ChatSession, config: AppConfig) -> tuple[CatalogView, list[str]]:
    """The current tools (handed to the session too) and the ticked names, kept under the
    multiselect's key whether or not it is drawn (a folded *Advanced* does not draw it)."""
    view = refresh_tools(session)
    names = view.registry.names()
    seen = st.session_state.get(TOOLS_SEEN)
    if TOOLS not in st.session_state or seen is None:
        st.session_state[TOOLS] = [t.name for t in view.registry if starts_ticked(t, config)]
    elif seen != names:
        kept = [n for n in st.session_state[TOOLS] if n in names]
        arrived = [t.name for t in view.registry if t.name not in seen and starts_ticked(t, config)]
        st.session_state[TOOLS] = kept + [n for n in arrived if n not in kept]
    st.session_state[TOOLS_SEEN] = names
    return view, list(st.session_state[TOOLS])


def render_tool_picker(session: ChatSession, config: AppConfig) -> list[str]:
    """The multiselect (its key stays ``tools``), and what is wrong with the tools that
    could not load; returns the ticked names."""
    view, _ticked = ticked_tools(session, config)
    registry = view.registry
    chosen: list[str] = st.multiselect(
        "Tools", registry.names(), key=TOOLS, format_func=lambda n: tool_label(registry, n), persist_state="session",
    )
    render_server_states()
    render_tool_problems(view, limit=3)
    return chosen
