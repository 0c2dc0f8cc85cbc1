"""Which client address a request counts against, for throttling.

By default the socket's peer address, which a client cannot forge. Streamlit's server
(uvicorn) already replaces it with the ``X-Forwarded-For`` address when the connection
comes from 127.0.0.1 (uvicorn's ``FORWARDED_ALLOW_IPS`` default), so a proxy on the same
host works as is. A proxy on another host (a load balancer, a platform's router) makes
every visitor look like that proxy: then the operator says how many proxies append to
``X-Forwarded-For`` (``CHAT_TRUSTED_PROXY_HOPS``), and the client is the address that
many entries from the right: entries further left were written by the client itself and
are not trusted. Without that setting the header is ignored entirely.
"""

from __future__ import annotations

from typing import Iterable

LOCAL = "local"  # Streamlit reports loopback peers as no address at all


def client_address(peer: str | None, forwarded_for: Iterable[str] = (), trusted_hops: int = 0) -> str:
    """The address to throttle: ``peer`` (``st.context.ip_address``), or with ``trusted_hops``
    proxies in front, the entry they saw as their client in ``X-Forwarded-For`` (every
    header line, in order)."""
    if trusted_hops > 0:
        lines = [line for line in forwarded_for if isinstance(line, str)]
        hops = [part.strip() for line in lines for part in line.split(",") if part.strip()]
        if len(hops) >= trusted_hops:
            return hops[-trusted_hops]
    # Not a string: Streamlit's test harness hands out a stand-in object per run, which
    # would give every attempt an address of its own.
    return peer if isinstance(peer, str) and peer else LOCAL


__all__ = ["LOCAL", "client_address"]
