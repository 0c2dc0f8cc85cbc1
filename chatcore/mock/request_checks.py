"""What the mock HTTP server refuses before it reads a request's body.

* A ``Host`` that is not the server's own: a web page on another site can point a DNS
  name it controls at 127.0.0.1 (DNS rebinding) and then script requests to the mock,
  e.g. read ``/_mock/requests``. Such requests carry that site's name in ``Host``; only
  IP literals, ``localhost`` (and ``*.localhost``, which always means this machine), the
  name the server was bound to and names the operator adds are accepted, on the
  server's own port.
* A ``Content-Length`` that is not a plain non-negative number, or larger than the body
  limit: ``rfile.read(-1)`` would read until the client closes (a hang), and a huge
  declared length would hold a thread and memory for nothing.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable

MAX_BODY_BYTES = 32 * 1024 * 1024  # far above any chat request the app sends (prompts are capped)


class BadRequest(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _split_host(host: str) -> tuple[str, str | None]:
    if host.startswith("["):  # [::1]:8765
        name, _, rest = host[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else None
    name, sep, port = host.rpartition(":")
    return (name, port) if sep else (host, None)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def check_host(host: str | None, port: int, own_names: Iterable[str] = ()) -> None:
    """Raise ``BadRequest`` (421) unless ``host`` names this server on ``port``."""
    if not host or not host.strip():
        raise BadRequest(400, "A Host header is required.")
    name, given_port = _split_host(host.strip().lower())
    name = name.rstrip(".")
    if given_port is not None and given_port != str(port):
        raise BadRequest(421, f"This server does not answer for {host!r} (wrong port).")
    known = {n.lower().rstrip(".") for n in own_names}
    if _is_ip(name) or name == "localhost" or name.endswith(".localhost") or name in known:
        return
    raise BadRequest(421, f"This server does not answer for {host!r}.")


def body_length(raw: str | None, limit: int = MAX_BODY_BYTES) -> int:
    """The declared body length, or ``BadRequest`` (400) for anything that cannot be read safely."""
    if raw is None or raw.strip() == "":
        return 0
    value = raw.strip()
    if not value.isdigit() or not value.isascii():  # "-1", "12abc", "1e3", " 1 2", "٣"
        raise BadRequest(400, f"Bad Content-Length: {raw!r}.")
    length = int(value)
    if length > limit:
        raise BadRequest(400, f"Content-Length {length} is over this server's limit of {limit} bytes.")
    return length


__all__ = ["BadRequest", "MAX_BODY_BYTES", "body_length", "check_host"]
