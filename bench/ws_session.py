"""A browser-less Streamlit chat session: the browser's websocket protocol, spoken from Python.

Does what Streamlit's frontend does, as far as sending a chat prompt and reading the answer
needs (checked against streamlit 1.67):

* connect to ``ws://HOST:PORT/_stcore/stream`` with the subprotocol ``streamlit``;
* send ``BackMsg.rerun_script`` (a ``ClientState``): empty for the first run, then with
  ``widget_states`` holding ``chat_input_value`` for the chat input to submit a prompt;
* decode every ``ForwardMsg`` (``streamlit.proto``): ``new_session`` starts a run, ``delta``
  messages add elements at a ``metadata.delta_path``, ``script_finished`` ends the run;
* keep the frontend's message cache (``MessageCache``): a message the server marks
  ``cacheable`` is kept, each rerun lists the kept hashes, and the server may then send a
  ``ref_hash`` instead of the element again (so the bytes counted are a browser's).

The chat input's widget id is not guessed: it is read from the first run's deltas (the
``chat_input`` element whose id ends in ``-<key>``). Used by ``bench/load.py``; needs only
the ``websockets`` package, which Streamlit itself depends on.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Markdown_pb2 import Markdown
from websockets.asyncio.client import ClientConnection, connect

FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY
EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN
STATUS_NAMES = {v: k for k, v in ForwardMsg.ScriptFinishedStatus.items()}
Path = tuple[int, ...]


class MessageCache:
    """The browser's ForwardMsg cache (frontend ``ForwardMsgCache``, streamlit 1.67): cacheable
    messages by hash; one that was not used for more than ``max_age`` finished runs is dropped."""

    def __init__(self, max_age: int = 2) -> None:
        self.max_age = max_age
        self.runs = 0
        self.messages: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run it was last used in)
        self.hits = 0

    def resolve(self, msg: ForwardMsg) -> ForwardMsg:
        if msg.WhichOneof("type") == "ref_hash":
            cached, _ = self.messages[msg.ref_hash]  # a KeyError here is the frontend's "cache MISS" error
            self.messages[msg.ref_hash] = (cached, self.runs)
            self.hits += 1
            full = ForwardMsg()
            full.CopyFrom(cached)
            full.metadata.CopyFrom(msg.metadata)
            return full
        if msg.metadata.cacheable and msg.hash:
            self.messages[msg.hash] = (msg, self.runs)
        return msg

    def finished_run(self) -> None:
        self.runs += 1
        for key in [k for k, (_, used) in self.messages.items() if self.runs - used > self.max_age]:
            del self.messages[key]


class ProtocolError(RuntimeError):
    """The server did not behave like a Streamlit chat app (no chat input, a failed run...)."""


@dataclass
class RunView:
    """What one script run drew inside its last assistant chat message."""

    assistant: Path | None = None  # delta path of the last ``chat_message("assistant")`` block
    answer: dict[Path, str] = field(default_factory=dict)  # prose Markdown bodies in that block
    chat_input_id: str | None = None
    alerts: list[str] = field(default_factory=list)  # st.warning/st.error/... bodies anywhere in the run

    def text(self) -> str:
        return "".join(self.answer[p] for p in sorted(self.answer))

    def chars(self) -> int:
        """Answer characters shown, whitespace not counted (comparable across redraws)."""
        return sum(len("".join(body.split())) for body in self.answer.values())

    def apply(self, msg: ForwardMsg, chat_key: str) -> bool:
        """Apply one delta; True if it changed the answer text."""
        path = tuple(msg.metadata.delta_path)
        delta = msg.delta
        if delta.WhichOneof("type") == "add_block":
            block = delta.add_block
            if block.WhichOneof("type") == "chat_message" and block.chat_message.name == "assistant":
                self.assistant, self.answer = path, {}
            return False
        if delta.WhichOneof("type") != "new_element":
            return False
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "chat_input" and element.chat_input.id.endswith(f"-{chat_key}"):
            self.chat_input_id = element.chat_input.id
        if kind == "alert":
            self.alerts.append(element.alert.body)
        inside = self.assistant is not None and path[: len(self.assistant)] == self.assistant
        if not inside:
            return False
        if kind == "markdown" and element.markdown.element_type in (Markdown.NATIVE, Markdown.UNSPECIFIED):
            self.answer[path] = element.markdown.body
            return True
        return self.answer.pop(path, None) is not None  # an element replaced by something else


@dataclass
class AnswerTrace:
    """One prompt, seen from the client. Times are ``time.monotonic()`` seconds."""

    prompt: str
    sent: float
    # (time, run, answer characters shown without spaces/newlines) after each change; run 0 streams
    # the answer, later runs redraw it (the app ends an answer with ``st.rerun()``)
    samples: list[tuple[float, int, int]] = field(default_factory=list)
    streamed_text: str = ""  # the answer as the streaming run left it (a new run drops unsent deltas)
    final_text: str = ""  # the answer as the last run (the redraw from records) shows it
    statuses: list[str] = field(default_factory=list)  # how each run ended
    alerts: list[str] = field(default_factory=list)  # warnings/errors the runs showed (e.g. a limit reached)
    done: float = 0.0  # the last run finished
    messages: int = 0
    bytes: int = 0


class ChatSession:
    """One visitor of a Streamlit chat app, without a browser."""

    def __init__(self, port: int, *, host: str = "127.0.0.1", chat_key: str = "prompt",
                 headers: dict[str, str] | None = None) -> None:
        self.url = f"ws://{host}:{port}/_stcore/stream"
        self.chat_key = chat_key
        self.headers = headers or {}  # e.g. X-Forwarded-For, as a reverse proxy would add it
        self.chat_input_id: str | None = None
        self.ws: ClientConnection | None = None
        self.cache = MessageCache()
        self.runs: list[tuple[int, int]] = []  # (messages, bytes) of every script run read, in order

    async def open(self, timeout: float = 30.0) -> ChatSession:
        """Connect and do the first run (like loading the page); finds the chat input."""
        self.ws = await connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout,
                                ping_interval=None, additional_headers=self.headers)
        await self._send_rerun()
        view, status, _, _ = await self._read_run(time.monotonic() + timeout)
        if status != FINISHED:
            raise ProtocolError(f"first run ended with {STATUS_NAMES.get(status, status)}")
        if view.chat_input_id is None:
            raise ProtocolError(f"no chat input with key {self.chat_key!r} in the first run")
        self.chat_input_id = view.chat_input_id
        return self

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def ask(self, prompt: str, timeout: float = 120.0) -> AnswerTrace:
        """Submit ``prompt`` and read runs until one finishes normally (the app ends an
        answer with ``st.rerun()``, so the streaming run ends "early for rerun")."""
        assert self.chat_input_id is not None, "open() first"
        deadline = time.monotonic() + timeout
        trace = AnswerTrace(prompt, time.monotonic())
        await self._send_rerun(prompt)
        while True:
            view, status, messages, size = await self._read_run(deadline, trace.samples, len(trace.statuses))
            trace.messages += messages
            trace.bytes += size
            trace.statuses.append(STATUS_NAMES.get(status, str(status)))
            trace.alerts += view.alerts
            if len(trace.statuses) == 1:
                trace.streamed_text = view.text()
            trace.final_text = view.text()
            if status == FINISHED:
                trace.done = time.monotonic()
                return trace
            if status != EARLY_FOR_RERUN or len(trace.statuses) > 5:
                raise ProtocolError(f"runs ended with {trace.statuses}")

    # ------------------------------------------------------------ protocol
    async def _send_rerun(self, prompt: str | None = None) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = ""  # the default page, as on a first visit
        if prompt is not None:
            widget = state.widget_states.widgets.add()
            widget.id = self.chat_input_id
            widget.chat_input_value.data = prompt
        state.cached_message_hashes.extend(self.cache.messages)
        assert self.ws is not None
        await self.ws.send(msg.SerializeToString())

    async def _read_run(self, deadline: float, samples: list | None = None, run: int = 0):
        """Read one whole script run; returns (view, finished status, messages, bytes)."""
        assert self.ws is not None
        view = RunView()
        messages = size = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no end of the script run within the deadline ({messages} messages read)")
            raw = await asyncio.wait_for(self.ws.recv(), remaining)
            now = time.monotonic()
            messages += 1
            size += len(raw)
            msg = self.cache.resolve(ForwardMsg.FromString(raw))
            kind = msg.WhichOneof("type")
            if kind == "delta":
                if view.apply(msg, self.chat_key) and samples is not None:
                    samples.append((now, run, view.chars()))
            elif kind == "script_finished":
                if msg.script_finished != EARLY_FOR_RERUN:
                    self.cache.finished_run()
                self.runs.append((messages, size))
                return view, msg.script_finished, messages, size
            elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
                raise ProtocolError("the app failed to compile")


__all__ = ["AnswerTrace", "ChatSession", "MessageCache", "ProtocolError", "RunView"]
