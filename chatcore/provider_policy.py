"""Who may point the app where, with whose key.

The operator configures a provider (``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` in secrets or
the environment); a visitor may type another base URL and key in the sidebar. Without a
rule the two mix: a visitor's server would receive the operator's key, and the server
would fetch any address a visitor names. ``ProviderPolicy`` is that rule, read once from
the operator's settings, and ``choose_provider`` applies it to what a visitor typed:

* the operator's key goes only to the operator's base URL (compared normalised);
* ``CHAT_LOCK_PROVIDER``: visitors change nothing but the model;
* ``CHAT_ALLOW_CUSTOM_BASE_URL``: may visitors use another server at all (default: yes
  when the operator configured no key, no when they did);
* ``CHAT_ALLOWED_HOSTS``: when set, the only hosts a visitor's base URL may name;
* internal addresses (loopback, private, link-local, ...) are refused for a visitor's
  base URL unless the host is allowed by name or the visitor sits at the server itself
  (a local ``make run`` talking to Ollama on localhost).
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .settings import DEFAULT_BASE_URL, ProviderConfig

Resolver = Callable[[str], Sequence[str]]  # host -> every address it resolves to
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")


class BadBaseURL(ValueError):
    """A base URL that is not ``http(s)://host[:port][/path]``; the message is for the user."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A base URL reduced to what decides where requests go (compared for equality)."""

    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise BadBaseURL("That base URL is not a valid URL.") from exc
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise BadBaseURL("The base URL must start with http:// or https://.")
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise BadBaseURL("The base URL has no host.")
        if not (_HOST_NAME.fullmatch(host) or _is_ip(host)):  # also keeps Markdown out of messages naming it
            raise BadBaseURL("The base URL's host is not a valid host name.")
        if parts.username is not None or parts.password is not None:
            raise BadBaseURL("The base URL may not carry a user name or password; use the API key field.")
        if parts.query or parts.fragment:
            raise BadBaseURL("The base URL may not have a query (?…) or fragment (#…).")
        return cls(scheme, host, port or _DEFAULT_PORTS[scheme], parts.path.rstrip("/"))


@dataclass(frozen=True, slots=True)
class VisitorOrigin:
    """Where a visitor connects from, as the web server saw it (plain values, no Streamlit).

    ``address`` is the peer address; ``None`` means the server saw a loopback peer (that is
    how Streamlit reports one). ``via_proxy``: the request carried ``X-Forwarded-For`` or
    the like, so a loopback peer is a proxy and the visitor is somewhere else."""

    address: str | None
    via_proxy: bool = False

    @classmethod
    def from_request(cls, address: str | None, headers: Mapping[str, str]) -> VisitorOrigin:
        forwarded = {name.lower() for name in headers} & {"x-forwarded-for", "forwarded", "x-real-ip"}
        return cls(address=address, via_proxy=bool(forwarded))

    @property
    def is_local(self) -> bool:
        if self.via_proxy:
            return False
        if self.address is None:
            return True
        try:
            return ipaddress.ip_address(self.address).is_loopback
        except ValueError:
            return False


@dataclass(frozen=True, slots=True)
class ProviderChoice:
    """``config`` to use, or ``refusal`` (a sentence for the visitor) and no config at all.

    ``note`` tells the visitor something they should know about an accepted choice (e.g.
    that the configured key was not sent to their server)."""

    config: ProviderConfig | None
    refusal: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ProviderPolicy:
    operator: ProviderConfig  # what the operator configured (the mock when nothing)
    lock_provider: bool = False
    allow_custom_base_url: bool = True
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_sources(cls, secrets: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> ProviderPolicy:
        secrets = secrets or {}
        env = os.environ if env is None else env

        def raw(name: str) -> Any:
            value = secrets.get(name)
            return env.get(name) if value is None or value == "" else value

        operator = ProviderConfig.from_sources(secrets=secrets, env=env)
        return cls(
            operator=operator,
            lock_provider=_flag(raw("CHAT_LOCK_PROVIDER"), default=False, unreadable=True),
            allow_custom_base_url=_flag(raw("CHAT_ALLOW_CUSTOM_BASE_URL"), default=not operator.has_key, unreadable=False),
            allowed_hosts=_host_list(raw("CHAT_ALLOWED_HOSTS")),
        )

    @property
    def operator_endpoint(self) -> Endpoint | None:
        """The operator's server, normalised; None on the mock (or a URL that does not
        parse, which then never matches anything a visitor types: the key stays home)."""
        if self.operator.is_mock:
            return None
        try:
            return Endpoint.parse(self.operator.base_url)
        except BadBaseURL:
            return None

    @property
    def default_base_url(self) -> str:
        """What the sidebar's Base URL field starts with."""
        return DEFAULT_BASE_URL if self.operator.is_mock else self.operator.base_url

    def is_operators(self, base_url: str) -> bool:
        try:
            return Endpoint.parse(base_url) == self.operator_endpoint
        except BadBaseURL:
            return False


def choose_provider(
    policy: ProviderPolicy,
    *,
    base_url: str = "",
    api_key: str = "",
    origin: VisitorOrigin,
    resolve: Resolver | None = None,
) -> ProviderChoice:
    """The OpenAI-compatible ``ProviderConfig`` for what the visitor typed, or a refusal.

    ``base_url`` / ``api_key``: the visitor's sidebar fields ("" when empty). ``resolve``
    looks a host up (``socket.getaddrinfo`` by default; tests pass their own)."""
    operator = policy.operator
    if policy.lock_provider:  # nothing the visitor typed counts (the sidebar shows no such fields)
        return ProviderChoice(operator)
    typed_url = base_url.strip() or policy.default_base_url
    try:
        endpoint = Endpoint.parse(typed_url)
    except BadBaseURL as exc:
        return ProviderChoice(None, refusal=str(exc))
    typed_key = api_key.strip()
    start = operator if not operator.is_mock else ProviderConfig(kind="openai", base_url=DEFAULT_BASE_URL, model="gpt-4o-mini")
    start = start.with_changes(kind="openai")
    if endpoint == policy.operator_endpoint:
        # The operator's own server: their key, unless the visitor brought one.
        return ProviderChoice(start.with_changes(api_key=typed_key or operator.api_key))
    refusal = _refuse_custom(policy, endpoint, origin, resolve or _getaddrinfo)
    if refusal is not None:
        return ProviderChoice(None, refusal=refusal)
    note = None
    if operator.has_key and not typed_key:
        note = (f"The configured key is only sent to {_where(policy.operator_endpoint)}: "
                f"{endpoint.host} gets no key unless you type your own.")
    return ProviderChoice(start.with_changes(base_url=typed_url.rstrip("/"), api_key=typed_key), note=note)


def _refuse_custom(policy: ProviderPolicy, endpoint: Endpoint, origin: VisitorOrigin, resolve: Resolver) -> str | None:
    """Why a visitor may not use this server (not the operator's), or None when they may."""
    if not policy.allow_custom_base_url:
        return f"This app only talks to {_where(policy.operator_endpoint)}; other base URLs are turned off by the operator."
    named = endpoint.host in policy.allowed_hosts
    if policy.allowed_hosts and not named:
        allowed = ", ".join(sorted(policy.allowed_hosts))
        return f"{endpoint.host} is not on this app's list of allowed hosts ({allowed})."
    if named or origin.is_local:
        return None
    try:
        addresses = list(resolve(endpoint.host))
    except OSError:
        return f"{endpoint.host} could not be resolved, so it is not used."
    if not addresses:
        return f"{endpoint.host} could not be resolved, so it is not used."
    internal = [a for a in addresses if is_internal_address(a)]
    if internal:
        return (f"{endpoint.host} is an internal address ({internal[0]}); this app does not fetch internal "
                "addresses for visitors. The operator can allow the host with CHAT_ALLOWED_HOSTS.")
    return None


def is_internal_address(address: str) -> bool:
    """Loopback, private, link-local, unspecified, reserved or multicast, IPv4 or IPv6
    (including IPv4 written inside IPv6). Anything that does not parse counts as internal."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and is_internal_address(str(embedded)):
            return True
    return bool(ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified or ip.is_reserved
                or ip.is_multicast or not ip.is_global)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _getaddrinfo(host: str) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]


def _where(endpoint: Endpoint | None) -> str:
    return "the operator's server" if endpoint is None else endpoint.host


def _flag(value: Any, *, default: bool, unreadable: bool) -> bool:
    """A true/false setting; ``unreadable`` (the locked-down choice) for a value that is neither."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return unreadable


def _host_list(value: Any) -> frozenset[str]:
    """``CHAT_ALLOWED_HOSTS``: a comma-separated string or a TOML list of host names."""
    if value is None:
        return frozenset()
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return frozenset(str(h).strip().rstrip(".").lower() for h in items if str(h).strip())


__all__ = ["BadBaseURL", "Endpoint", "ProviderChoice", "ProviderPolicy", "Resolver", "VisitorOrigin", "choose_provider",
           "is_internal_address"]
