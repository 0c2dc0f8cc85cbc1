"""The provider's own transport (``http.client`` under the SDK) against real sockets: what a
user would notice if it got keep-alive, broken streams, timeouts, TLS or proxies wrong."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from chatcore.cancel import CancelToken
from chatcore.events import Chunk, End, Error
from chatcore.providers.openai_compat import OpenAICompatProvider, default_http_client
from chatcore.providers.stdlib_transport import StdlibHTTPTransport, uses_env_proxy
from chatcore.settings import ProviderConfig, Timeouts

from .fakes import chunk, sse
from .socket_server import chunked

ANSWER = sse(chunk("", role="assistant"), chunk("Hello"), chunk(" there"), chunk(finish="stop"))


HEAD_CHUNKED = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"


def sse_reply(conn: socket.socket, _n: int) -> None:
    conn.sendall(HEAD_CHUNKED + chunked(ANSWER) + b"0\r\n\r\n")


def provider(url: str, *, read: float = 10.0, connect: float = 5.0) -> OpenAICompatProvider:
    config = ProviderConfig(kind="openai", base_url=url, api_key="sk-test", model="m", max_retries=0,
                            timeouts=Timeouts(connect=connect, read=read))
    return OpenAICompatProvider(config)


def answer(p: OpenAICompatProvider) -> tuple[str, list[Any]]:
    events = list(p.stream([{"role": "user", "content": "hi"}]))
    return "".join(e.content for e in events if isinstance(e, Chunk)), events


def test_the_provider_streams_through_http_client_and_reuses_one_connection(serve):
    server = serve(sse_reply)
    p = provider(server.url)
    assert isinstance(p._client._client._transport, StdlibHTTPTransport)
    for _ in range(3):
        text, events = answer(p)
        assert text == "Hello there" and events[-1] == End("stop")
    assert server.connections == 1  # keep-alive: three answers, one connection
    assert b"authorization: Bearer sk-test" in server.requests[0].lower().replace(b"bearer", b"Bearer")


def test_a_connection_the_server_closed_between_answers_is_replaced(serve):
    server = serve(sse_reply, close_after_each=True)
    p = provider(server.url)
    for _ in range(3):
        assert answer(p)[0] == "Hello there"
    assert server.connections == 3


def test_a_stream_cut_mid_chunk_is_an_error_after_the_partial_text(serve):
    def cut(conn: socket.socket, _n: int) -> None:
        body = sse(chunk("Partial"), done=False)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                     + chunked(body, 1) + b"40\r\ndata: {\"cho")
        conn.shutdown(socket.SHUT_RDWR)

    text, events = answer(provider(serve(cut).url))
    assert text == "Partial"
    error = next(e for e in events if isinstance(e, Error))
    assert error.kind == "connection" and events[-1] == End("error")


def test_a_body_shorter_than_its_content_length_is_an_error_not_a_clean_end(serve):
    def short(conn: socket.socket, _n: int) -> None:
        body = sse(chunk("Partial"), done=False)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: %d\r\n\r\n%s"
                     % (len(body) + 500, body))
        conn.shutdown(socket.SHUT_RDWR)

    text, events = answer(provider(serve(short).url))
    assert text == "Partial" and any(isinstance(e, Error) for e in events) and events[-1] == End("error")


def test_a_server_that_goes_silent_times_out_with_the_partial_text_kept(serve):
    def stall(conn: socket.socket, _n: int) -> None:
        body = sse(chunk("Partial"), done=False)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                     + chunked(body, 1))
        time.sleep(2)

    started = time.monotonic()
    text, events = answer(provider(serve(stall).url, read=0.3))
    assert text == "Partial" and time.monotonic() - started < 1.5
    error = next(e for e in events if isinstance(e, Error))
    assert error.kind == "timeout"


def test_refused_connection_and_error_status_read_as_the_sdks_errors(serve):
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens here now
    events = list(provider(f"http://127.0.0.1:{port}/v1").stream([{"role": "user", "content": "hi"}]))
    assert next(e for e in events if isinstance(e, Error)).kind == "connection"

    def unauthorised(conn: socket.socket, _n: int) -> None:
        body = b'{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}'
        conn.sendall(b"HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                     % (len(body), body))

    events = list(provider(serve(unauthorised).url).stream([{"role": "user", "content": "hi"}]))
    error = next(e for e in events if isinstance(e, Error))
    assert error.status == 401 and "sk-test" not in error.message


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def tls_server(cert: Path, key: Path) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(ANSWER)))
            self.end_headers()
            self.wfile.write(ANSWER)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_tls_is_verified_an_untrusted_certificate_is_refused_a_trusted_one_streams(certificate):
    cert, key = certificate
    server = tls_server(cert, key)
    url = f"https://localhost:{server.server_address[1]}/v1"
    try:
        events = list(provider(url).stream([{"role": "user", "content": "hi"}]))  # the real CA bundle
        error = next(e for e in events if isinstance(e, Error))
        assert error.kind == "connection" and "Hello" not in "".join(e.content for e in events if isinstance(e, Chunk))

        trusting = ssl.create_default_context(cafile=str(cert))
        config = ProviderConfig(kind="openai", base_url=url, api_key="k", model="m", max_retries=0)
        client = openai.DefaultHttpx2Client(transport=StdlibHTTPTransport(trusting))
        text, events = answer(OpenAICompatProvider(config, http_client=client))
        assert text == "Hello there" and events[-1] == End("stop")

        wrong_name = url.replace("localhost", "127.0.0.1")  # the certificate names localhost only
        config = ProviderConfig(kind="openai", base_url=wrong_name, api_key="k", model="m", max_retries=0)
        client = openai.DefaultHttpx2Client(transport=StdlibHTTPTransport(trusting))
        events = list(OpenAICompatProvider(config, http_client=client).stream([{"role": "user", "content": "hi"}]))
        assert next(e for e in events if isinstance(e, Error)).kind == "connection"
    finally:
        server.shutdown()


def test_a_proxy_named_in_the_environment_is_used(serve, monkeypatch):
    """httpx2 ignores HTTP(S)_PROXY for a client with its own transport, so the provider
    keeps httpx2's transport whenever the environment names a proxy for its URL."""
    proxy = serve(sse_reply)  # answers like the model server; a proxy sees the absolute URL
    monkeypatch.setenv("HTTP_PROXY", proxy.url.removesuffix("/v1"))
    monkeypatch.setenv("NO_PROXY", "")
    target = "http://model.invalid:9/v1"
    assert uses_env_proxy(target)
    text, _ = answer(provider(target))
    assert text == "Hello there"
    assert proxy.requests[0].startswith(b"POST http://model.invalid:9/v1/chat/completions")

    monkeypatch.setenv("NO_PROXY", "model.invalid")
    assert not uses_env_proxy(target)
    assert isinstance(default_http_client(target)._transport, StdlibHTTPTransport)
    monkeypatch.delenv("HTTP_PROXY")
    monkeypatch.delenv("NO_PROXY")
    assert not uses_env_proxy(target)


def test_closing_the_transport_closes_its_idle_connections(serve):
    server = serve(sse_reply)
    transport = StdlibHTTPTransport(ssl.create_default_context())
    with httpx2.Client(transport=transport) as client:
        assert client.post(server.url + "/chat/completions", content=b"{}").status_code == 200
    assert server.hung_up.wait(2)


def test_stop_during_a_silent_chunked_stream_ends_the_answer_and_the_connection_at_once(serve):
    def stall(conn: socket.socket, _n: int) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                     + chunked(sse(chunk("Partial"), done=False), 1))
        conn.settimeout(5)
        if conn.recv(1) == b"":  # silent until the client hangs up
            hung_up.set()

    hung_up = threading.Event()
    server = serve(stall)
    token = CancelToken()
    stream = provider(server.url, read=30).stream([{"role": "user", "content": "hi"}], cancel=token)
    assert next(stream) == Chunk("Partial")
    threading.Timer(0.2, token.cancel).start()  # while the reader waits on a silent socket
    started = time.monotonic()
    rest = list(stream)
    assert rest[-1] == End("cancelled") and time.monotonic() - started < 0.5
    assert hung_up.wait(1)


def test_one_network_read_that_brought_many_chunks_is_handed_over_once(serve):
    """A busy reader falls behind: the tokens waiting for it cost one pass, not one each."""
    def burst(conn: socket.socket, _n: int) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                     + chunked(ANSWER, 5) + b"0\r\n\r\n")

    server = serve(burst)
    client = httpx2.Client(transport=StdlibHTTPTransport(ssl.create_default_context()))
    with client, client.stream("POST", server.url + "/chat/completions", content=b"{}") as response:
        reads = list(response.iter_raw())
    assert b"".join(reads) == ANSWER and len(reads) == 1


def test_leaving_a_stream_that_still_flows_closes_it_at_once_and_never_reuses_it(serve):
    def endless(conn: socket.socket, n: int) -> None:
        if n > 1:  # the next request, on a connection of its own
            sse_reply(conn, n)
            return
        conn.sendall(HEAD_CHUNKED)
        try:
            while True:
                conn.sendall(chunked(sse(chunk("more "), done=False), 1))
                time.sleep(0.004)
        except OSError:
            return

    server = serve(endless)
    p = provider(server.url)
    stream = p.stream([{"role": "user", "content": "hi"}])
    assert next(stream) == Chunk("more ")
    started = time.monotonic()
    stream.close()  # the reader walks away mid-answer (no Stop, no end)
    assert time.monotonic() - started < 0.05
    assert answer(p)[0] == "Hello there" and server.connections == 2
