"""Serve the mock over real HTTP with the standard library only.

For end-to-end checks that need a socket: the SDK's real connection pool, real
timeouts, and above all a real client disconnect. Replies come from the same
``route``/``plan_reply`` as the in-process transport; this module only delivers them
(chunked transfer encoding, one flush per frame) and notices when the client leaves,
either as a failed write or, during a pause, as EOF on the socket (polled every 5 ms).
"""

from __future__ import annotations

import json
import select
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .endpoints import route
from .options import MockOptions
from .recording import RecordedRequest, RequestLog
from .reply import Aborted, Drop, Dropped, Reply, Send, play
from .request_checks import BadRequest, body_length, check_host

POLL_SECONDS = 0.005
BODY_TIMEOUT_S = 30.0  # a client that declares a body and never sends it is dropped after this
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], options: MockOptions, quiet: bool) -> None:
        super().__init__(address, _Handler)
        self.options = options
        self.quiet = quiet
        self.host_names: tuple[str, ...] = (address[0],)  # names a Host header may use, beside IPs and localhost
        self.log = RequestLog()
        self.stopping = threading.Event()
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (Stop, a closed tab, an idle keep-alive dropped) is what the
        # mock exists to see, and is recorded in the request log: not a traceback on stderr.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    def say(self, line: str) -> None:
        if not self.quiet:
            sys.stderr.write(f"[mock] {line}\n")
            sys.stderr.flush()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: with Nagle's algorithm on, the second
    # waited for the client's delayed ACK, 40 ms per small reply.
    disable_nagle_algorithm = True
    server: _HTTPServer
    server_version = "chatcore-mock/1"

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # our own one-line log instead
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _refuse(self, status: int, message: str, **headers: str) -> None:
        self.close_connection = True  # the rest of the stream (an unread body) cannot be trusted
        data = json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode("utf-8")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def _read_body(self) -> bytes:
        lengths = set(self.headers.get_all("Content-Length") or [])
        if len(lengths) > 1:
            raise BadRequest(400, "Conflicting Content-Length headers.")
        length = body_length(lengths.pop() if lengths else None)
        if not length:
            return b""
        self.connection.settimeout(BODY_TIMEOUT_S)  # only while reading: streamed replies wait freely
        try:
            raw = self.rfile.read(length)
        finally:
            self.connection.settimeout(None)
        if len(raw) < length:
            raise BadRequest(400, f"The body ended after {len(raw)} of {length} bytes.")
        return raw

    def _handle(self) -> None:
        try:
            check_host(self.headers.get("Host"), self.server.server_address[1], self.server.host_names)
            raw = self._read_body()
        except BadRequest as bad:
            return self._refuse(bad.status, bad.message)
        except TimeoutError:
            return self._refuse(400, f"The body did not arrive within {BODY_TIMEOUT_S:g} s.")
        log = self.server.log
        path = self.path.split("?", 1)[0]
        if path == "/_mock/requests":
            if self.command != "GET":
                return self._refuse(405, "Use GET to list requests.", Allow="GET")
            return self._send_json(200, log.as_dicts())
        if path == "/_mock/reset":
            if self.command != "POST":  # a GET (a link, a prefetch, an <img>) must not change anything
                return self._refuse(405, "Use POST to reset the request log.", Allow="POST")
            log.clear()
            return self._send_json(200, {"ok": True})
        headers = dict(self.headers.items())
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        record = log.add(self.command, self.path.split("?", 1)[0], body, headers)
        reply = route(self.command, self.path, raw, headers, self.server.options)
        log.update(record, status=reply.status, scenario=reply.scenario, fault=reply.fault)
        self.server.say(f"{self.client_address[0]} {self.command} {self.path} -> {reply.status} "
                        f"scenario={reply.scenario or '-'} fault={reply.fault or '-'}{' stream' if reply.stream else ''}")
        self._play(reply, record)

    def _peer_closed(self) -> bool:
        try:
            return bool(self.connection.recv(1, socket.MSG_PEEK) == b"")  # only called when readable
        except BlockingIOError:
            return False
        except OSError:
            return True

    def _wait(self, seconds: float) -> bool:
        """Pause up to ``seconds``; True as soon as the client leaves or the server stops."""
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            try:
                readable, _, _ = select.select([self.connection], [], [], max(0.0, min(remaining, POLL_SECONDS)))
            except (OSError, ValueError):
                return True
            if self.server.stopping.is_set() or (readable and self._peer_closed()):
                return True
            if remaining <= 0:
                return False
            if readable:  # the client sent more data early: don't spin on it
                self.server.stopping.wait(POLL_SECONDS)

    def _play(self, reply: Reply, record: RecordedRequest) -> None:
        log, chunked = self.server.log, reply.stream
        steps = reply.wire_steps()
        sends = sum(1 for s in steps if isinstance(s, Send))
        drops = any(isinstance(s, Drop) for s in steps)
        try:
            self.send_response(reply.status)
            self.send_header("x-request-id", f"req_mock_{id(record):x}")
            for name, value in reply.wire_headers():
                self.send_header(name, value)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for sent, data in enumerate(play(steps, self._wait), 1):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
                self.wfile.flush()
                log.count_chunk(record)
                if sent == sends and not drops:
                    log.mark_finished(record)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
            log.mark_finished(record)
        except Dropped:
            log.update(record, server_dropped=True, finished=time.time())
            self.server.say(f"dropped the connection on purpose after {record.chunks_sent} chunks")
            self._close_now()
        except (Aborted, *_GONE):
            self._close_now()
            if self.server.stopping.is_set():
                log.update(record, finished=time.time())  # we hung up, not the client
            elif log.mark_disconnected(record):
                elapsed = time.time() - record.started
                self.server.say(f"client disconnected after {record.chunks_sent} chunks ({elapsed:.2f} s): "
                                f"{self.command} {self.path}")

    def _close_now(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class MockServer:
    """The mock on a real port, in a background thread; also a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, options: MockOptions = MockOptions(),
                 *, quiet: bool = False, host_names: tuple[str, ...] = ()) -> None:
        self.host = host
        self.host_names = host_names  # extra names clients may reach it by (a container's service name)
        self.options = options
        self._port = port
        self._quiet = quiet
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd else self._port

    @property
    def url(self) -> str:
        """Base URL for ``OpenAI(base_url=...)``, ending in ``/v1``."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._httpd.log.snapshot() if self._httpd else []

    def reset(self) -> None:
        if self._httpd:
            self._httpd.log.clear()

    def start(self) -> MockServer:
        if self._httpd is None:
            self._httpd = _HTTPServer((self.host, self._port), self.options, self._quiet)
            self._httpd.host_names = (self.host, *self.host_names)
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"mock-server-{self.port}", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Run in the calling thread until interrupted (for the command line)."""
        self.start()
        assert self._thread is not None  # noqa: S101 - narrows the type: start() just set it
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.stopping.set()  # wakes every paused reply
        httpd.shutdown()
        with httpd.connections_lock:
            for conn in list(httpd.connections):  # idle keep-alive connections too
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        httpd.server_close()
        if self._thread:
            self._thread.join(2)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["MockServer", "POLL_SECONDS"]
