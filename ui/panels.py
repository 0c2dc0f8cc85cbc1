"""Tool-call panels: one look for a call, live (``st.status``) and in history (``st.expander``)."""

from __future__ import annotations

import base64
import json
from typing import Any

import streamlit as st

from chatcore.events import ToolCall, ToolProgress, ToolResult
from chatcore.turn import ToolCallRecord

STATE_ICONS = {
    "streaming": ":material/pending:",
    "running": ":material/progress_activity:",
    "complete": ":material/check_circle:",
    "error": ":material/error:",
    "cancelled": ":material/stop_circle:",
}
STATE_WORDS = {"streaming": "preparing…", "running": "running…", "complete": "done", "error": "failed", "cancelled": "cancelled"}


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def panel_label(name: str, state: str, duration: float | None = None) -> str:
    parts = [f"**{name}**", STATE_WORDS.get(state, state)]
    if duration is not None:
        parts.append(format_duration(duration))
    return " · ".join(parts)


def pretty_arguments(arguments: str, parsed: dict[str, Any] | None) -> str:
    if parsed is not None:
        return json.dumps(parsed, indent=2, ensure_ascii=False)
    return arguments or "{}"


def pretty_result(result: Any) -> tuple[str, str]:
    """(text, language) for ``st.code``."""
    if isinstance(result, str):
        try:
            result = json.loads(result)
        except ValueError:
            return result, "text"
    return json.dumps(result, indent=2, ensure_ascii=False, default=str), "json"


def render_result(result: Any) -> None:
    """A tool's result: its images (an MCP server's ``images``) as pictures, the rest as code."""
    images = result.get("images") if isinstance(result, dict) else None
    if isinstance(images, list) and images:
        rest = {k: v for k, v in result.items() if k != "images"}
        text, language = pretty_result(rest.get("result", rest) if set(rest) <= {"result"} else rest)
        st.code(text, language=language)
        for image in images:
            data = _image_bytes(image)
            if data is not None:
                st.image(data, caption=image.get("mime_type"))
        return
    text, language = pretty_result(result)
    st.code(text, language=language)


def _image_bytes(image: Any) -> bytes | None:
    if not isinstance(image, dict) or not isinstance(image.get("data"), str):
        return None
    try:
        return base64.b64decode(image["data"], validate=True)
    except ValueError:
        return None


def render_panel_body(arguments: str, parsed: dict[str, Any] | None, state: str, result: Any, error: str | None) -> None:
    st.caption("Arguments")
    st.code(pretty_arguments(arguments, parsed), language="json")
    if error is not None:
        st.caption("Error")
        st.error(error, icon=":material/error:")
    elif state == "complete":
        st.caption("Result")
        render_result(result)


def render_history_panel(record: ToolCallRecord, key: str) -> None:
    """A finished call, collapsed; its open/closed state survives reruns through ``key``."""
    label = panel_label(record.name, record.state, record.duration)
    with st.expander(label, expanded=False, icon=STATE_ICONS.get(record.state), key=key):
        render_panel_body(record.arguments, record.parsed, record.state, record.result, record.error)


class LivePanel:
    """A call shown while it happens: created when the call appears, updated in place."""

    def __init__(self, call: ToolCall) -> None:
        self.name = call.name
        self.status = st.status(panel_label(call.name, "streaming"), state="running", expanded=True)
        self._arguments = self.status.empty()
        self._progress = self.status.empty()
        self._result = self.status.empty()
        self.show_call(call)

    def show_call(self, call: ToolCall) -> None:
        self.name = call.name or self.name
        with self._arguments.container():
            st.caption("Arguments")
            st.code(pretty_arguments(call.arguments, call.parsed), language="json")
        if call.complete:
            self.status.update(label=panel_label(self.name, "running"))

    def show_progress(self, progress: ToolProgress) -> None:
        """What the running tool last said about its progress: a bar when it can count."""
        with self._progress.container():
            if progress.total:
                fraction = min(1.0, max(0.0, (progress.done or 0.0) / progress.total))
                st.progress(fraction, text=progress.message or None)
            else:
                st.caption(f":material/progress_activity: {progress.message}")

    def show_result(self, result: ToolResult) -> None:
        self._progress.empty()
        state = "complete" if result.error is None else ("cancelled" if result.error == "Cancelled" else "error")
        with self._result.container():
            if result.error is None:
                st.caption("Result")
                render_result(result.result)
            else:
                st.caption("Error")
                st.error(result.error, icon=":material/error:")
        self.status.update(
            label=panel_label(self.name, state, result.duration),
            state="complete" if state == "complete" else "error",
            expanded=False,
        )
