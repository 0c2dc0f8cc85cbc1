"""One MCP server, one connection per process: connected in the background, watched, and
reconnected after the server dies.

A supervisor thread keeps a session task alive on the shared portal: connect (with a
deadline), list the tools, then ping every few seconds so a server that exits while idle
is noticed before the next call needs it. When the session ends for any reason the state
says why and the supervisor connects again (at once after a working session died, with a
growing pause while the server keeps failing to start). Calls run on the same portal; a
cancelled call cancels its future, which sends the server ``notifications/cancelled``.
"""

from __future__ import annotations

import concurrent.futures
import math
import re
import threading
import time
from contextlib import AsyncExitStack
from typing import Any

import anyio
import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from chatcore.mcp.config import APP_ROOT, ServerSpec
from chatcore.mcp.portal import shared_portal
from chatcore.mcp.results import tool_value
from chatcore.mcp.state import ServerState
from chatcore.tools.context import ToolContext
from chatcore.tools.errors import ToolError
from chatcore.tools.registry import Tool

RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)  # while a server keeps failing to start


_DISCONNECTS = {"RemoteProtocolError", "ReadError", "WriteError", "BrokenResourceError", "ClosedResourceError",
                "EndOfStream"}  # the transport's words for "the other side went away"


def describe_failure(exc: BaseException, spec: ServerSpec, connect_timeout: float | None = None) -> str:
    """Why a connection failed, in words for the person who configured it."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, TimeoutError):
        return f"no answer within {connect_timeout:g} s" if connect_timeout else "no answer in time"
    if isinstance(exc, FileNotFoundError):
        return f"could not start '{spec.command}': command not found"
    if isinstance(exc, OSError) and not spec.url:
        return f"could not start '{spec.command}': {exc.strerror or exc}"
    name = type(exc).__name__
    if (isinstance(exc, MCPError) and "closed" in str(exc).lower()) or name in _DISCONNECTS:
        return "the server closed the connection (it exited or crashed)"
    if "Connect" in name:
        return f"could not connect to {spec.url or spec.command}"
    text = str(exc).strip()
    return f"{name}: {text}" if text else name


def _schema(input_schema: Any) -> dict[str, Any]:
    """The server's input schema in the shape the chat API wants (an object, no titles)."""
    schema = dict(input_schema or {})
    schema.pop("title", None)
    schema["type"] = "object"
    schema.setdefault("properties", {})
    return schema


class ServerConnection:
    """Thread-safe; shared by every session of the process (it holds no user data)."""

    def __init__(self, spec: ServerSpec, *, connect_timeout: float = 15.0, check_every: float = 3.0) -> None:
        self.spec = spec
        self.connect_timeout = connect_timeout
        self.check_every = check_every
        self._lock = threading.Lock()
        self._state = ServerState(spec.name, "connecting", spec.target)
        self._tools: tuple[Tool, ...] = ()
        self._client: Client | None = None
        self._version = 0
        self._closed = threading.Event()
        self._dead = False  # a call saw the connection close: end the session now
        self._was_ready = False  # the current session got as far as listing the tools
        self._listed_names: tuple[str, ...] = ()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ life cycle
    def start(self) -> None:
        self._thread = threading.Thread(target=self._supervise, name=f"mcp-{self.spec.name}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closed.set()

    @property
    def state(self) -> ServerState:
        return self._state

    def snapshot(self) -> tuple[int, tuple[Tool, ...]]:
        with self._lock:
            return self._version, self._tools

    def wait_ready(self, timeout: float) -> bool:
        """For tests and benchmarks: wait until the server is ready (False on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._state.status == "ready":
                return True
            time.sleep(0.02)
        return False

    def _set(self, state: ServerState, tools: tuple[Tool, ...] = (), client: Client | None = None) -> None:
        with self._lock:
            self._state = state
            self._tools = tools
            self._client = client
            self._version += 1

    def _supervise(self) -> None:
        failures = 0
        while not self._closed.is_set():
            self._dead = False
            self._was_ready = False
            self._set(ServerState(self.spec.name, "connecting", self.spec.target))
            try:
                shared_portal().start_task_soon(self._hold).result()
                reason = "the connection ended"
            except BaseException as exc:  # noqa: BLE001 - whatever happens, say why and reconnect
                reason = describe_failure(exc, self.spec, self.connect_timeout)
            if self._closed.is_set():
                break
            was_ready = self._was_ready
            failures = 0 if was_ready else failures + 1
            delay = 0.2 if was_ready else RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]
            self._set(ServerState(self.spec.name, "failed", self.spec.target, reason=reason, retry_in=delay))
            self._closed.wait(delay)

    async def _hold(self) -> None:
        # One scope around the whole session: its deadline bounds the connect, then is lifted.
        # (A timeout scope around the connect alone would close before the client's task
        # group does, which anyio forbids.)
        with anyio.CancelScope(deadline=anyio.current_time() + self.connect_timeout) as scope:
            async with AsyncExitStack() as stack:
                client = await stack.enter_async_context(await self._client_for(stack))
                listed = await client.list_tools()
                scope.deadline = math.inf
                self._was_ready = True
                self._publish(client, listed.tools)
                try:
                    await self._watch(client)
                finally:
                    with self._lock:
                        self._client = None
        if scope.cancelled_caught:
            raise TimeoutError("connect")

    async def _watch(self, client: Client) -> None:
        """Return only when the session must end: closed, or the server is gone.

        Every ``check_every`` seconds it lists the tools again: that notices a server that
        died while idle (``ping`` is gone from the 2026 protocol) and picks up a changed list."""
        since_check = 0.0
        while not self._closed.is_set() and not self._dead:
            await anyio.sleep(0.1)
            since_check += 0.1
            if since_check >= self.check_every:
                since_check = 0.0
                with anyio.fail_after(max(10.0, self.check_every)):
                    listed = await client.list_tools()
                names = tuple(t.name for t in listed.tools)
                if names != self._listed_names:
                    self._publish(client, listed.tools)
        if self._dead:
            raise MCPError(-32000, "Connection closed")

    def _publish(self, client: Client, listed: Any) -> None:
        tools = tuple(self._as_tool(t) for t in listed)
        self._listed_names = tuple(t.name for t in listed)
        self._set(ServerState(self.spec.name, "ready", self.spec.target, tools=len(tools)), tools, client)

    async def _client_for(self, stack: AsyncExitStack) -> Client:
        if self.spec.url:
            # The SDK's own defaults (30 s, and 300 s of silence on a held-open stream), with the headers.
            http = await stack.enter_async_context(
                httpx2.AsyncClient(headers=dict(self.spec.headers), timeout=httpx2.Timeout(30.0, read=300.0)))
            return Client(streamable_http_client(self.spec.url, http_client=http), cache=None)
        params = StdioServerParameters(
            command=self.spec.command, args=list(self.spec.args), env=dict(self.spec.env) or None, cwd=APP_ROOT
        )
        return Client(params, cache=None)

    # ------------------------------------------------------------ tools
    def _as_tool(self, listed: Any) -> Tool:
        remote_name = listed.name

        def call_raw(arguments: dict[str, Any], context: ToolContext) -> Any:
            return self.call(remote_name, arguments, context)

        return Tool(
            name=re.sub(r"[^A-Za-z0-9_-]", "_", remote_name)[:64] or "tool",
            description=(listed.description or listed.title or "").strip(),
            parameters=_schema(listed.input_schema),
            fn=call_raw,
            timeout=self.spec.timeout,
            source=f"mcp:{self.spec.name}",
            call_raw=call_raw,
        )

    def call(self, tool_name: str, arguments: dict[str, Any], context: ToolContext) -> Any:
        """Call a tool and wait; Stop or the timeout (the context's cancel) cancels it on the server too."""
        name = self.spec.name
        with self._lock:
            client = self._client
        if client is None:
            raise ToolError(f"The MCP server '{name}' is not connected right now ({self._state.describe()}). "
                            "Try again in a moment.")

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            context.progress(message or f"{progress:g}" + (f" of {total:g}" if total else ""), done=progress, total=total)

        async def run() -> Any:
            return await client.call_tool(tool_name, arguments, progress_callback=on_progress)

        future = shared_portal().start_task_soon(run)
        def cancel_call() -> None:
            future.cancel()

        unregister = context.cancel.on_cancel(cancel_call)
        try:
            result = future.result()
        except concurrent.futures.CancelledError:
            raise ToolError("Cancelled") from None
        except MCPError as exc:
            if "closed" in str(exc).lower():
                self._dead = True  # the watcher ends the session and the supervisor reconnects
                self._set(ServerState(name, "failed", self.spec.target, reason=describe_failure(exc, self.spec)))
                raise ToolError(f"The MCP server '{name}' closed the connection during the call (it exited or "
                                "crashed). It is being restarted: try again in a moment.") from None
            raise ToolError(f"The MCP server '{name}' answered with an error: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - a transport failure is data for the panel
            reason = describe_failure(exc, self.spec)
            if type(exc).__name__ in _DISCONNECTS:
                self._dead = True
                self._set(ServerState(name, "failed", self.spec.target, reason=reason))
            raise ToolError(f"Calling the MCP server '{name}' failed: {reason}. Try again in a moment.") from None
        finally:
            unregister()
        return tool_value(result, name)


__all__ = ["ServerConnection", "ServerState", "describe_failure"]
