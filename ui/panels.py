"""Tool-call panels: one look for a call, live (``st.status``) and in history (``st.expander``)."""

from __future__ import annotations

import base64
import json
import re
import time
from types import MappingProxyType
from typing import Any

import streamlit as st

from chatcore.events import ToolCall, ToolProgress, ToolResult
from chatcore.literal_markdown import literal_markdown
from chatcore.tools import default_registry
from chatcore.tools.key_argument import key_argument, string_parameters
from chatcore.turn import ToolCallRecord

from .safe_text import safe_markdown

# Which arguments name a call, per built-in tool (read-only, derived once from the schemas).
KEY_PARAMETERS = MappingProxyType({tool.name: string_parameters(tool.parameters) for tool in default_registry()})
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]*")
ELAPSED_EVERY_S = 1.0  # how often a running call's label shows its time: cheap, and alive enough

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


def panel_label(name: str, state: str, duration: float | None = None, parsed: dict[str, Any] | None = None) -> str:
    """``**current_time** · Asia/Tokyo · done · 12 ms``: the argument as text, never as Markdown."""
    # A tool name (letters, digits, _ and -) reads the same as Markdown; anything else a model
    # invents is escaped like the argument.
    parts = [f"**{name if _PLAIN_NAME.fullmatch(name) else literal_markdown(name)}**"]
    argument = key_argument(parsed, KEY_PARAMETERS.get(name, ()))
    if argument:
        parts.append(literal_markdown(argument))
    parts.append(STATE_WORDS.get(state, state))
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
        st.error(safe_markdown(error), icon=":material/error:")
    elif state == "complete":
        st.caption("Result")
        render_result(result)


def render_history_panel(record: ToolCallRecord, key: str) -> None:
    """A finished call, collapsed; its open/closed state survives reruns through ``key``."""
    label = panel_label(record.name, record.state, record.duration, record.parsed)
    with st.expander(label, expanded=False, icon=STATE_ICONS.get(record.state), key=key):
        render_panel_body(record.arguments, record.parsed, record.state, record.result, record.error)


class LivePanel:
    """A call shown while it happens: created when the call appears, updated in place."""

    def __init__(self, call: ToolCall) -> None:
        self.name = call.name
        self.parsed = call.parsed
        self.started: float | None = None  # when the call's arguments were complete: it runs from then
        self._elapsed_shown = 0.0
        self.status = st.status(panel_label(call.name, "streaming"), state="running", expanded=True)
        self._arguments = self.status.empty()
        self._progress = self.status.empty()
        self._result = self.status.empty()
        self.show_call(call)

    def show_call(self, call: ToolCall) -> None:
        self.name = call.name or self.name
        self.parsed = call.parsed if call.parsed is not None else self.parsed
        with self._arguments.container():
            st.caption("Arguments")
            st.code(pretty_arguments(call.arguments, call.parsed), language="json")
        if call.complete:
            if self.started is None:
                self.started = time.monotonic()
            self.status.update(label=panel_label(self.name, "running", parsed=self.parsed))

    def elapsed_due(self) -> bool:
        """Running, and its label's time is a second or more behind."""
        return self.started is not None and time.monotonic() - self.started - self._elapsed_shown >= ELAPSED_EVERY_S

    def show_elapsed(self) -> None:
        """The running call's time so far, in its label (called on the live renderer's heartbeat)."""
        if self.started is not None and self.elapsed_due():
            self._elapsed_shown = int(time.monotonic() - self.started)  # whole seconds: 1 s, 2 s, …
            self.status.update(label=panel_label(self.name, "running", float(self._elapsed_shown), self.parsed))

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
                st.error(safe_markdown(result.error), icon=":material/error:")

                st.error(result.error, icon=":material/error:")
        self.started = None  # finished: no more elapsed-time updates
        self.status.update(
            label=panel_label(self.name, state, result.duration, self.parsed),
            state="complete" if state == "complete" else "error",
            expanded=False,
        )
