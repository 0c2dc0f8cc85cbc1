"""The mock HTTP server as an attacker meets it, over a real socket: foreign Host headers
(DNS rebinding), an unbounded log, a reset by GET, and Content-Length values that used to hang it."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chatcore.mock import MockOptions, MockServer
from chatcore.mock.recording import MAX_RECORDS
from chatcore.mock.request_checks import MAX_BODY_BYTES

FAST = MockOptions(ttft=0, chunk_delay=0)


@pytest.fixture
def server():
    with MockServer(options=FAST, quiet=True, host_names=("mock.internal",)) as running:
        yield running


def raw_request(server: MockServer, head: str, body: bytes = b"", *, half_close: bool = False) -> tuple[int, bytes]:
    """Send bytes exactly as written; return (status, whole reply). A 5 s timeout means "it hung"."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := sock.recv(65536):  # the server closes after a refusal
            reply += chunk
    return int(reply.split(b" ", 2)[1]), reply


def get(server: MockServer, path: str, host: str | None = None, method: str = "GET") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    headers = {"Host": host} if host is not None else {}
    conn.request(method, path, body=b"" if method == "POST" else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def test_a_foreign_host_header_is_refused_and_not_served(server):
    port = server.port
    for host in (f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "evil.example"):
        status, body = get(server, "/_mock/requests", host=host)
        assert status == 421 and b"does not answer" in body, host
        status, _ = get(server, "/v1/models", host=host)
        assert status == 421
    assert get(server, "/v1/models", host=f"127.0.0.1:{port + 1}")[0] == 421  # someone else's port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}",
                 f"app.localhost:{port}", f"mock.internal:{port}", "localhost"):
        assert get(server, "/v1/models", host=host)[0] == 200, host
    assert [r.path for r in server.requests] == ["/v1/models"] * 7  # the refused ones were never recorded


def test_a_request_without_host_is_refused(server):
    status, _ = raw_request(server, "GET /v1/models HTTP/1.0\n")
    assert status == 400


def test_the_request_log_keeps_only_the_latest_requests(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    total = MAX_RECORDS + 25
    for n in range(total):
        conn.request("POST", "/v1/nowhere", body=json.dumps({"n": n}), headers={"Content-Type": "application/json"})
        conn.getresponse().read()
    conn.close()
    kept = server.requests
    assert len(kept) == MAX_RECORDS
    assert [r.body["n"] for r in (kept[0], kept[-1])] == [25, total - 1]


def test_reset_happens_only_on_post(server):
    assert get(server, "/v1/models")[0] == 200
    status, _ = get(server, "/_mock/reset")
    assert status == 405 and len(server.requests) == 1  # a GET (link, prefetch, <img>) changes nothing
    assert get(server, "/_mock/requests", method="POST")[0] == 405
    assert get(server, "/_mock/reset", method="POST")[0] == 200 and server.requests == []


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", "+5", str(MAX_BODY_BYTES + 1), "99999999999999999999"])
def test_a_bad_content_length_is_answered_with_400_at_once(server, length):
    status, reply = raw_request(server, f"POST /v1/chat/completions HTTP/1.1\nHost: 127.0.0.1:{server.port}\n"
                                        f"Content-Length: {length}\n", b'{"model": "mock-gpt"}')
    assert status == 400 and b"Content-Length" in reply
    assert server.requests == []


def test_conflicting_content_lengths_and_a_short_body_are_refused(server):
    head = f"POST /v1/chat/completions HTTP/1.1\nHost: 127.0.0.1:{server.port}\n"
    assert raw_request(server, head + "Content-Length: 2\nContent-Length: 20\n", b"{}")[0] == 400
    status, reply = raw_request(server, head + "Content-Length: 500\n", b'{"model": ', half_close=True)
    assert status == 400 and b"ended after 10 of 500 bytes" in reply
    assert server.requests == []


def test_the_command_line_server_checks_host_too():
    root = Path(__file__).resolve().parents[2]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "chatcore.mock_server", "--port", str(port), "--quiet",
                                "--allow-host", "mock.internal"], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                               stderr=subprocess.DEVNULL)
    running = MockServer(port=port)  # only for its port in get(); never started
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                assert get(running, "/v1/models", host=f"mock.internal:{port}")[0] == 200
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        assert get(running, "/_mock/requests", host=f"rebound.example:{port}")[0] == 421
        assert get(running, "/_mock/reset")[0] == 405
    finally:
        process.terminate()
        process.wait(5)
