"""A browser-less Streamlit visitor that can fill any widget, for attack tests on loopback.

``bench/ws_session.py`` speaks the protocol to send chat prompts; this one is more general:
it records every element a run draws (alerts, widgets with their ids) and sends any widget
values, the way the browser would, including values the browser would never send (a
prompt over ``max_chars``, a 20 MB message). Widget ids are read from the runs, never guessed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY
EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN
WIDGET_KINDS = ("button", "text_input", "text_area", "chat_input")


@dataclass
class Run:
    """What one script run drew: alert texts, widgets by kind, how it ended."""

    alerts: list[str] = field(default_factory=list)
    widgets: list[tuple[str, Any]] = field(default_factory=list)  # (kind, the widget's proto)
    markdown: list[str] = field(default_factory=list)
    status: int | None = None

    def widget(self, kind: str, key: str | None = None, **attrs: Any) -> Any:
        """The widget of ``kind`` whose id ends in ``-<key>`` (keyed widgets) and has ``attrs``."""
        for found_kind, proto in self.widgets:
            if found_kind != kind or (key is not None and not proto.id.endswith(f"-{key}")):
                continue
            if all(getattr(proto, name) == value for name, value in attrs.items()):
                return proto
        raise LookupError(f"no {kind} {key or attrs} in this run; widgets: {[(k, p.id) for k, p in self.widgets]}")

    def has_widget(self, kind: str, key: str | None = None, **attrs: Any) -> bool:
        try:
            self.widget(kind, key, **attrs)
        except LookupError:
            return False
        return True


class Visitor:
    """One websocket session; ``await Visitor(port).open()`` does the first run, like loading the page."""

    def __init__(self, port: int, host: str = "127.0.0.1", headers: dict[str, str] | None = None) -> None:
        self.url = f"ws://{host}:{port}/_stcore/stream"
        self.headers = headers or {}
        self.ws: ClientConnection | None = None
        self.last: Run = Run()

    async def open(self, timeout: float = 60.0) -> Visitor:
        self.ws = await connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout,
                                ping_interval=None, additional_headers=self.headers)
        await self.send({})
        self.last = await self.read_until_finished(timeout)
        return self

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def send(self, states: dict[str, tuple[str, Any]]) -> None:
        """One rerun with widget ``states``: {widget id: (field, value)}, e.g. ("trigger_value", True)."""
        msg = BackMsg()
        client_state = msg.rerun_script
        client_state.query_string = ""
        client_state.page_script_hash = ""
        for widget_id, (name, value) in states.items():
            widget = client_state.widget_states.widgets.add()
            widget.id = widget_id
            if name == "chat_input_value":
                widget.chat_input_value.data = value
            else:
                setattr(widget, name, value)
        assert self.ws is not None
        await self.ws.send(msg.SerializeToString())

    async def submit(self, states: dict[str, tuple[str, Any]], timeout: float = 60.0) -> Run:
        await self.send(states)
        self.last = await self.read_until_finished(timeout)
        return self.last

    async def read_until_finished(self, timeout: float) -> Run:
        """Read runs until one finishes normally (a run may end early for an ``st.rerun()``)."""
        deadline = time.monotonic() + timeout
        while True:
            run = await self._read_run(deadline)
            if run.status == FINISHED:
                return run
            if run.status != EARLY_FOR_RERUN:
                raise RuntimeError(f"a run ended with status {run.status}")

    async def _read_run(self, deadline: float) -> Run:
        assert self.ws is not None
        run = Run()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no end of the script run within the deadline")
            msg = ForwardMsg.FromString(await asyncio.wait_for(self.ws.recv(), remaining))
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                run.status = msg.script_finished
                return run
            if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
                continue
            element = msg.delta.new_element
            element_kind = element.WhichOneof("type")
            if element_kind == "alert":
                run.alerts.append(element.alert.body)
            elif element_kind == "markdown":
                run.markdown.append(element.markdown.body)
            elif element_kind in WIDGET_KINDS:
                run.widgets.append((element_kind, getattr(element, element_kind)))


__all__ = ["ConnectionClosed", "Run", "Visitor"]
