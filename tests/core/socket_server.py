"""A scripted HTTP/1.1 server on loopback, for tests of the provider's own transport."""

from __future__ import annotations

import socket
import threading
from typing import Callable

Reply = Callable[[socket.socket, int], None]  # (connection, request number) -> writes the reply


def chunked(body: bytes, pieces: int = 3) -> bytes:
    step = max(1, len(body) // pieces)
    parts = [body[i:i + step] for i in range(0, len(body), step)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)


class ScriptedServer:
    """Loopback HTTP/1.1 server: each request is answered by ``reply``; counts connections."""

    def __init__(self, reply: Reply, *, close_after_each: bool = False) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/v1"
        self.reply, self.close_after_each = reply, close_after_each
        self.connections = 0
        self.requests: list[bytes] = []
        self.hung_up = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buffered = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buffered:
                    data = conn.recv(65536)
                    if not data:
                        self.hung_up.set()
                        return
                    buffered += data
                head, _, buffered = buffered.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(buffered) < length:
                    buffered += conn.recv(65536)
                self.requests.append(head)
                buffered = buffered[length:]
                try:
                    self.reply(conn, len(self.requests))
                except OSError:
                    self.hung_up.set()
                    return
                if self.close_after_each:
                    return

    def close(self) -> None:
        self._sock.close()
