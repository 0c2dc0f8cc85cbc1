"""MCP fixtures: the test server (tests/mcp/server.py) over stdio and over Streamable HTTP.

Connecting starts a Python process that imports the SDK: seconds on a loaded 2-core machine,
so waits are generous and the server is shared by the tests of a module."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from chatcore.mcp import McpManager, ServerSpec

SERVER = str(Path(__file__).with_name("server.py"))
READY_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stdio_spec(name: str, log: Path, **extra) -> ServerSpec:
    return ServerSpec(name, command=sys.executable, args=(SERVER,), env=(("MCP_TEST_LOG", str(log)),), **extra)


@pytest.fixture(scope="module")
def server_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mcp") / "server.log"


@pytest.fixture(scope="module")
def http_server(server_log):
    """The test server over Streamable HTTP on a free port: (url, process)."""
    port = free_port()
    env = {**os.environ, "MCP_TEST_LOG": str(server_log)}
    process = subprocess.Popen([sys.executable, SERVER, "--http", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        try:
            httpx2.get(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except httpx2.HTTPError:
            time.sleep(0.1)
    yield url, process
    process.kill()
    process.wait(10)


def wait_for(condition, timeout: float = READY_S, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def log_lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def manager_factory():
    managers: list[McpManager] = []

    def make(*specs: ServerSpec, **kwargs) -> McpManager:
        manager = McpManager(specs, **kwargs)
        managers.append(manager)
        return manager

    yield make
    for manager in managers:
        manager.close()
