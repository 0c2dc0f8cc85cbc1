"""Fixtures shared by the core tests."""

from __future__ import annotations

from typing import Any

import pytest

from .socket_server import Reply, ScriptedServer


@pytest.fixture
def serve():
    servers: list[ScriptedServer] = []

    def start(reply: Reply, **kw: Any) -> ScriptedServer:
        servers.append(ScriptedServer(reply, **kw))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


