"""The Tools page: each tool's description and schema, and a form that runs it for real."""

from __future__ import annotations

import json
import uuid
from typing import Any

import streamlit as st

from chatcore.app_config import load_app_config
from chatcore.cancel import CancelToken
from chatcore.events import ToolCall, ToolResult
from chatcore.tools import Tool, run_tool_calls

from .panels import format_duration, render_result
from .state import chat_session
from .tool_sources import mcp_states, refresh_tools, render_server_states, render_tool_problems


def _input_for(tool: Tool, name: str, schema: dict[str, Any], required: bool) -> Any:
    label = name + ("" if required else " (optional)")
    help_text = schema.get("description")
    key = f"tool-{tool.name}-{name}"
    default = schema.get("default")
    kind = schema.get("type")
    if "enum" in schema:
        return st.selectbox(label, schema["enum"], help=help_text, key=key)
    if kind == "boolean":
        return st.checkbox(label, value=bool(default), help=help_text, key=key)
    if kind == "integer":
        return st.number_input(label, value=int(default) if default is not None else 0, step=1, help=help_text, key=key)
    if kind == "number":
        return st.number_input(label, value=float(default) if default is not None else 0.0, help=help_text, key=key)
    if kind in ("object", "array"):
        raw = st.text_area(label + " (JSON)", value=json.dumps(default) if default is not None else "", help=help_text, key=key)
        return json.loads(raw) if raw.strip() else None
    return st.text_input(label, value=str(default) if default is not None else "", help=help_text, key=key)


def _try_form(tool: Tool) -> None:
    properties = tool.parameters.get("properties", {})
    required = set(tool.parameters.get("required", []))
    with st.form(f"try-{tool.name}"):
        values: dict[str, Any] = {}
        for name, schema in properties.items():
            try:
                value = _input_for(tool, name, schema, name in required)
            except ValueError:
                st.error(f"{name}: not valid JSON")
                continue
            if value not in ("", None) or name in required:
                values[name] = value
        if not st.form_submit_button("Run", icon=":material/play_arrow:"):
            return
    call = ToolCall(id=f"try_{uuid.uuid4().hex[:12]}", name=tool.name, arguments=json.dumps(values), complete=True, parsed=values)
    [result] = [r for r in run_tool_calls(chat_session().registry, [call], CancelToken()) if isinstance(r, ToolResult)]
    if result.error is None:
        st.success(f"Done in {format_duration(result.duration)}", icon=":material/check_circle:")
        render_result(result.result)
    else:
        st.error(result.error, icon=":material/error:")


def render_tools_page() -> None:
    st.title("Tools")
    st.caption(
        "The model sees each tool's name, description and JSON schema. Try one directly below. "
        "Add your own as typed, documented functions in `tools/`, or connect MCP servers in `mcp.json`."
    )
    for problem in load_app_config().problems:
        st.warning(problem, icon=":material/settings_alert:")
    view = refresh_tools(chat_session())
    render_tool_problems(view)
    if mcp_states():
        st.subheader("MCP servers")
        render_server_states(detailed=True)
        st.button("Refresh", icon=":material/refresh:", key="refresh_mcp", help="Show the servers' current state")
        st.subheader("Tools")
    for tool in view.registry:
        with st.expander(f"**{tool.name}** · {tool.source}", icon=":material/build:", key=f"tool-panel-{tool.name}"):
            st.markdown(tool.description)
            st.caption(f"From: `{tool.source}`")
            st.caption("JSON schema")
            st.json(tool.parameters, expanded=False)
            _try_form(tool)
