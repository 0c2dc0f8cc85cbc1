"""Profiles remembered per (base_url, model), shared by the whole process.

Shared on purpose: a profile describes a server, not a visitor, so one check serves everyone
who uses that endpoint and model. It holds no key and nothing per user: only the frozen
``Capabilities`` (the report with its evidence, which may quote a server's words about an
account, stays in the checking visitor's session). Only a check whose streaming worked is
stored (``DoctorReport.capabilities`` is None otherwise), so a bad key cannot switch
features off for others; anyone can check again, which replaces the profile.
"""

from __future__ import annotations

import threading

from .capabilities import Capabilities


def endpoint_key(base_url: str, model: str) -> tuple[str, str]:
    return base_url.strip().rstrip("/").lower(), model.strip()


class ProfileCache:
    def __init__(self) -> None:
        self._profiles: dict[tuple[str, str], Capabilities] = {}
        self._lock = threading.Lock()

    def get(self, base_url: str, model: str) -> Capabilities | None:
        with self._lock:
            return self._profiles.get(endpoint_key(base_url, model))

    def put(self, base_url: str, model: str, capabilities: Capabilities) -> None:
        with self._lock:
            self._profiles[endpoint_key(base_url, model)] = capabilities

    def forget(self, base_url: str, model: str) -> None:
        with self._lock:
            self._profiles.pop(endpoint_key(base_url, model), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._profiles)


__all__ = ["ProfileCache", "endpoint_key"]
