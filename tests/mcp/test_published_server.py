"""A published MCP server from PyPI (mcp-server-time, installed by requirements-dev.txt),
as a real peer: offline, over stdio, through the app's manager and runner."""

from __future__ import annotations

import sys

import pytest

from chatcore.cancel import CancelToken
from chatcore.events import ToolCall, ToolResult
from chatcore.mcp import ServerSpec
from chatcore.tools import ToolRegistry, run_tool_calls

from .conftest import READY_S

pytest.importorskip("mcp_server_time", reason="pip install -r requirements-dev.txt")


def test_mcp_server_time_lists_and_answers(manager_factory):
    spec = ServerSpec("time", command=sys.executable, args=("-m", "mcp_server_time", "--local-timezone", "UTC"))
    manager = manager_factory(spec, connect_timeout=READY_S)
    assert manager.wait_ready(READY_S), manager.states()
    registry = ToolRegistry(manager.snapshot().tools)
    assert {"get_current_time", "convert_time"} <= set(registry.names())
    assert registry.get("get_current_time").source == "mcp:time"
    call = ToolCall(id="c1", name="get_current_time", arguments="", complete=True, parsed={"timezone": "Asia/Tokyo"})
    [result] = [r for r in run_tool_calls(registry, [call], CancelToken(), default_timeout=30) if isinstance(r, ToolResult)]
    assert result.error is None, result.error
    assert result.result["timezone"] == "Asia/Tokyo" and "+09:00" in result.result["datetime"]
    bad = ToolCall(id="c2", name="get_current_time", arguments="", complete=True, parsed={"timezone": "Mars/Olympus"})
    [failed] = [r for r in run_tool_calls(registry, [bad], CancelToken(), default_timeout=30) if isinstance(r, ToolResult)]
    assert failed.error and "Mars/Olympus" in failed.error
