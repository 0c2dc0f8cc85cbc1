"""The API's settings and the operator's configuration it answers with, read once per request
from ``st.secrets`` and the environment (never from the request: a client cannot point the
server at another provider or key)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import streamlit as st


def secrets_mapping() -> dict[str, Any]:
    """``st.secrets`` as a plain dict (top-level values and sections); empty without a secrets file."""
    try:
        return {k: v for k, v in st.secrets.items()}
    except Exception:  # noqa: BLE001 - no secrets file: the app runs on the mock
        return {}


def _setting(secrets: dict[str, Any], name: str, default: str) -> str:
    value = secrets.get(name)
    if value is None or isinstance(value, dict):
        value = os.environ.get(name, default)
    return str(value)


@dataclass(frozen=True, slots=True)
class ApiSettings:
    enabled: bool = True
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1_000_000
    keepalive_s: float = 10.0
    needs_token: bool = False  # sign-in or a shared password is configured
    secrets: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def load(cls) -> ApiSettings:
        secrets = secrets_mapping()
        origins = _setting(secrets, "CHAT_API_CORS_ORIGINS", "")
        return cls(
            enabled=_setting(secrets, "CHAT_API", "on").strip().lower() not in ("off", "0", "false", "no"),
            cors_origins=tuple(o.strip().rstrip("/") for o in origins.split(",") if o.strip()),
            max_body_bytes=int(_setting(secrets, "CHAT_API_MAX_BODY_BYTES", "1000000")),
            keepalive_s=float(_setting(secrets, "CHAT_API_KEEPALIVE_S", "10")),
            needs_token="auth" in secrets or bool(_setting(secrets, "APP_PASSWORD", "")),
            secrets=tuple((k, v) for k, v in secrets.items() if not isinstance(v, dict)),
        )

    @property
    def flat_secrets(self) -> dict[str, Any]:
        return dict(self.secrets)


__all__ = ["ApiSettings", "secrets_mapping"]
