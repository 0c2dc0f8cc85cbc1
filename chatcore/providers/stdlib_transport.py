"""An httpx2 transport over the standard library's ``http.client``: the same requests and
responses as httpx2's own transport, for well under half its CPU per streamed chunk.

Why: an answer streams one token per network read, and each read through httpx2's
transport (httpcore2, h11, anyio-style stream wrappers) costs ~80 µs among 20 busy threads;
``http.client`` reads the same chunk for ~35 µs (``bench/transport_read.py``). That is the
largest single part of the server's CPU per token (``bench/cpu_budget.py``).

It is passed to the SDK as its public ``http_client`` (``openai.DefaultHttpx2Client(
transport=...)``), so the SDK still builds requests, follows redirects and maps errors, and
httpx2 still decodes the body. What it keeps of the default transport:

* TLS verified with the process's one context (``shared_tls_context``: certifi, or
  ``SSL_CERT_FILE``/``SSL_CERT_DIR``), hostname checked;
* keep-alive connections, reused per origin, dropped when idle ``KEEPALIVE_S`` or closed by
  the server (checked before each reuse; a request that meets a connection the server had
  just closed is sent once more on a new one, as httpcore2 does);
* the request's connect, write and read timeouts, raised as httpx2's own exceptions;
* Stop: the response carries ``chatcore.abort``, which shuts the socket down from any thread
  and wakes a read blocked on a silent server (``abort_response``).

Proxies are not handled here: ``uses_env_proxy`` tells the provider when the environment
names one for a URL, and the provider keeps httpx2's transport for that URL (a client with
a transport of its own ignores ``HTTP(S)_PROXY``). HTTP/1.1 only, like httpx2's default.
"""

from __future__ import annotations

import http.client
import io
import select
import socket
import ssl
import threading
import time
import urllib.request
from typing import Iterator

import httpx2

from .chunked_body import ChunkedDecoder

KEEPALIVE_S = 5.0  # httpx2's default keep-alive expiry
MAX_IDLE_PER_ORIGIN = 4  # one visitor's provider rarely has more than one request at a time
READ_SIZE = 65536
BATCHED_READS = "chatcore.batched_reads"  # response extension: each read returns all that arrived
DRAIN_S = 0.01  # an abandoned body's end (chunked terminator) normally comes with its last data
DRAIN_READS = 4
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)

Origin = tuple[str, str, int]


def uses_env_proxy(url: str) -> bool:
    """True when ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` (less ``NO_PROXY``) applies to ``url``."""
    parsed = httpx2.URL(url)
    proxies = urllib.request.getproxies_environment()
    if not (proxies.get(parsed.scheme) or proxies.get("all")):
        return False
    bypass = getattr(urllib.request, "proxy_bypass_environment", None)  # NO_PROXY (untyped in typeshed)
    return not (bypass(parsed.host, proxies) if bypass is not None else urllib.request.proxy_bypass(parsed.host))


class StdlibHTTPTransport(httpx2.BaseTransport):
    """httpx2 requests sent with ``http.client``; thread-safe (its pool is behind a lock)."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._ssl_context = ssl_context
        self._idle: dict[Origin, list[tuple[float, http.client.HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self._closed = False

    # ------------------------------------------------------------------ pool
    def _take(self, origin: Origin) -> http.client.HTTPConnection | None:
        """An idle connection to ``origin`` that is still open, or None."""
        now = time.monotonic()
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                if not idle:
                    return None
                since, conn = idle.pop()
            if now - since < KEEPALIVE_S and conn.sock is not None and not _readable(conn.sock):
                return conn
            conn.close()  # expired, or the server closed it (EOF is readable)

    def _give_back(self, origin: Origin, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if not self._closed and len(idle) < MAX_IDLE_PER_ORIGIN:
                idle.append((time.monotonic(), conn))
                return
        conn.close()

    def _new_connection(self, origin: Origin) -> http.client.HTTPConnection:
        scheme, host, port = origin
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, context=self._ssl_context)
        return http.client.HTTPConnection(host, port)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for _, conn in conns:
                conn.close()

    # --------------------------------------------------------------- request
    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx2.UnsupportedProtocol(f"Request URL has an unsupported protocol '{url.scheme}://'.", request=request)
        origin: Origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts = request.extensions.get("timeout", {})
        body = request.read()
        conn = self._take(origin)
        if conn is not None:
            try:
                return self._exchange(request, origin, conn, body, timeouts)
            except _StaleConnection:
                pass  # the server closed it as we sent: once more on a new connection
        return self._exchange(request, origin, self._new_connection(origin), body, timeouts, fresh=True)

    def _exchange(self, request: httpx2.Request, origin: Origin, conn: http.client.HTTPConnection, body: bytes,
                  timeouts: dict[str, float | None], *, fresh: bool = False) -> httpx2.Response:
        if conn.sock is None:
            conn.timeout = timeouts.get("connect")
            try:
                conn.connect()
            except TimeoutError as exc:
                conn.close()
                raise httpx2.ConnectTimeout(str(exc) or "Timed out connecting", request=request) from exc
            except OSError as exc:  # refused, unreachable, DNS, TLS (ssl.SSLError is an OSError)
                conn.close()
                raise httpx2.ConnectError(str(exc), request=request) from exc
        sock = conn.sock
        try:
            sock.settimeout(timeouts.get("write"))
            conn.putrequest(request.method, url_target(request.url), skip_host=True, skip_accept_encoding=True)
            for name, value in request.headers.raw:
                conn.putheader(name, value)
            conn.endheaders(body or None)
        except TimeoutError as exc:
            conn.close()
            raise httpx2.WriteTimeout(str(exc) or "Timed out sending the request", request=request) from exc
        except OSError as exc:
            conn.close()
            if not fresh and isinstance(exc, _STALE):
                raise _StaleConnection from exc
            raise httpx2.WriteError(str(exc), request=request) from exc
        try:
            sock.settimeout(timeouts.get("read"))
            response = conn.getresponse()
        except TimeoutError as exc:
            conn.close()
            raise httpx2.ReadTimeout(str(exc) or "Timed out waiting for the response", request=request) from exc
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            if not fresh and isinstance(exc, _STALE):
                raise _StaleConnection from exc
            if isinstance(exc, OSError):
                raise httpx2.ReadError(str(exc), request=request) from exc
            raise httpx2.RemoteProtocolError(str(exc) or "The server sent no valid response", request=request) from exc
        body_stream = ResponseBody(self, origin, conn, sock, response, request)  # (a closing response took conn.sock)
        return httpx2.Response(
            status_code=response.status,
            headers=response.getheaders(),
            stream=body_stream,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": response.reason.encode("latin-1", "replace"),
                "chatcore.abort": body_stream.abort,
                BATCHED_READS: True,  # a read hands over all that arrived (read_pace may pause)
            },
        )


class ResponseBody(httpx2.SyncByteStream):
    """The body as the network delivers it (one read each); the connection goes back to the
    pool only when the body was read to its end and the server keeps it open."""

    def __init__(self, transport: StdlibHTTPTransport, origin: Origin, conn: http.client.HTTPConnection,
                 sock: socket.socket, response: http.client.HTTPResponse, request: httpx2.Request) -> None:
        self._transport = transport
        self._origin = origin
        self._conn: http.client.HTTPConnection | None = conn
        self._response = response
        self._request = request
        self._sock = sock
        self._complete = False
        self._aborted = False
        self._decoder: ChunkedDecoder | None = None

    def abort(self) -> None:
        """Stop, from any thread: the reader wakes at once and the connection is not reused."""
        self._aborted = True
        shut_down(self._sock)

    def __iter__(self) -> Iterator[bytes]:
        response = self._response
        try:
            if response.chunked and response.fp is not None:
                yield from self._dechunked(response.fp)
                return
            while data := response.read1(READ_SIZE):
                yield data
        except TimeoutError as exc:
            raise httpx2.ReadTimeout(str(exc) or "Timed out reading the response", request=self._request) from exc
        except (http.client.IncompleteRead, ValueError) as exc:  # ValueError: bad chunk framing
            raise httpx2.RemoteProtocolError("The server closed the connection mid-response", request=self._request) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise httpx2.ReadError(str(exc) or "The connection broke", request=self._request) from exc
        if response.length:  # a Content-Length the server did not deliver
            raise httpx2.RemoteProtocolError("The server closed the connection mid-response", request=self._request)
        self._complete = True

    def _dechunked(self, fp: io.BufferedReader) -> Iterator[bytes]:
        """A chunked body, everything one network read brought at a time (``chunked_body``)."""
        decoder = self._decoder = ChunkedDecoder()
        read1 = fp.read1
        while not decoder.done:
            data = read1(READ_SIZE)
            if not data:
                raise http.client.IncompleteRead(b"")
            body = decoder.feed(data)
            if body:
                yield body
        self._complete = True

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if not self._complete and not self._aborted:
            self._complete = self._drain()
        if self._complete and not self._response.will_close and conn.sock is not None:
            self._response.close()
            self._transport._give_back(self._origin, conn)
            return
        self._response.close()
        conn.close()


    def _drain(self) -> bool:
        """Read what is left of a body the caller stopped reading early (an SSE reader stops at
        ``[DONE]``, before the chunked body's last line): when the end is already here, the
        connection can be reused (no new TCP and TLS handshake for the next answer). Waits
        at most ``DRAIN_S`` in all for it; anything more and the connection is closed."""
        deadline = time.monotonic() + DRAIN_S  # all reads together: a live stream abandoned waits no longer
        try:
            decoder, fp = self._decoder, self._response.fp
            for _ in range(DRAIN_READS):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._sock.settimeout(left)
                if decoder is not None and fp is not None:
                    if decoder.done:
                        return True
                    data = fp.read1(READ_SIZE)
                    if not data:
                        return False
                    decoder.feed(data)
                elif not self._response.read1(READ_SIZE):
                    return not self._response.length
        except (OSError, ValueError, http.client.HTTPException):
            pass
        return False


class _StaleConnection(Exception):
    """A pooled connection the server had closed; the request was not answered."""


def url_target(url: httpx2.URL) -> str:
    return url.raw_path.decode("ascii")


def shut_down(sock: socket.socket) -> None:
    """End the connection now, from any thread: a reader blocked on it wakes with EOF."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the base-class call leaves TLS state to the reader
    except OSError:
        pass  # already closed


def _readable(sock: socket.socket) -> bool:
    """An idle keep-alive socket that is readable was closed by the server (or is out of step)."""
    try:
        poller = select.poll()  # (not select.select: a busy server's descriptors pass 1024)
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


__all__ = ["BATCHED_READS", "ResponseBody", "StdlibHTTPTransport", "shut_down", "url_target", "uses_env_proxy"]
