"""Settings as small immutable values, resolved once at the edge and passed in.

``ProviderConfig.from_sources`` is the one place that reads the operator's provider:
``st.secrets`` (passed in as a plain mapping, this module never imports streamlit), then
the environment. What a visitor types goes through ``provider_policy`` instead. The API key is kept out of ``repr`` so it
never lands in a log line or a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Mapping

import httpx2

if TYPE_CHECKING:  # the profile module imports nothing of ours; this keeps settings import-light
    from .probe.capabilities import Capabilities

MOCK_BASE_URL = "http://mock.invalid/v1"
DEFAULT_BASE_URL = "https://api.openai.com/v1"  # where a key with no base URL goes
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant. Answer in Markdown. Use the tools when they help."

ProviderKind = Literal["mock", "openai"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long to wait, in seconds. ``read`` is the longest silence tolerated mid-stream."""

    connect: float = 10.0
    read: float = 60.0
    tool: float = 15.0

    def for_http(self) -> httpx2.Timeout:
        return httpx2.Timeout(connect=self.connect, read=self.read, write=self.connect, pool=self.connect)


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    kind: ProviderKind = "mock"
    base_url: str = MOCK_BASE_URL
    api_key: str = field(default="", repr=False)
    model: str = "mock-gpt"
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    timeouts: Timeouts = Timeouts()
    max_retries: int = 2
    retry_backoff: float = 0.5  # first wait when the server gives no Retry-After; doubles, capped at 8 s
    capabilities: Capabilities | None = None  # what the endpoint doctor measured (chatcore.probe); None: unchecked

    @property
    def is_mock(self) -> bool:
        return self.kind == "mock"

    @property
    def has_key(self) -> bool:
        return bool(self.api_key)

    def with_changes(self, **changes: Any) -> ProviderConfig:
        return replace(self, **changes)

    @classmethod
    def from_sources(
        cls,
        *,
        secrets: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ProviderConfig:
        """The operator's provider: ``st.secrets`` (a plain mapping here) > environment > defaults.

        The provider is the real one whenever a base URL or an API key is configured,
        and the mock otherwise, so a fresh clone works with no key and no network. What a
        visitor types is not read here: ``provider_policy.choose_provider`` decides what of
        it may be combined with this (the operator's key goes only to the operator's URL).
        """
        secrets = secrets or {}
        env = os.environ if env is None else env

        def pick(name: str) -> str:
            return str(secrets.get(name) or env.get(name) or "").strip()

        api_key = pick("OPENAI_API_KEY")
        base_url = pick("OPENAI_BASE_URL")
        model = pick("OPENAI_MODEL")
        if not (api_key or base_url):
            return cls(kind="mock", model=model if model.startswith("mock") else "mock-gpt")
        return cls(
            kind="openai",
            base_url=(base_url or DEFAULT_BASE_URL).rstrip("/"),
            api_key=api_key,
            model=model or "gpt-4o-mini",
        )


@dataclass(frozen=True, slots=True)
class GenerationSettings:
    """What the user tunes per answer."""

    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    temperature: float | None = None
    max_tokens: int | None = None
    max_steps: int = 5
    tools: tuple[str, ...] | None = None  # None: every registered tool
    preset: str = ""  # the chat.toml preset picked for these settings (kept with feedback), "" for none

    def with_changes(self, **changes: Any) -> GenerationSettings:
        return replace(self, **changes)


def settings_record(config: ProviderConfig, settings: GenerationSettings) -> dict[str, Any]:
    """What a conversation is answered with, as plain JSON: never the API key or headers."""
    return {
        "provider": config.kind,
        "base_url": "" if config.is_mock else config.base_url,
        "model": config.model,
        "system_prompt": settings.system_prompt,
        "temperature": settings.temperature,
        "max_tokens": settings.max_tokens,
        "max_steps": settings.max_steps,
        "tools": None if settings.tools is None else list(settings.tools),
        "preset": settings.preset,
    }


def settings_from_record(record: Mapping[str, Any] | None) -> tuple[ProviderConfig, GenerationSettings]:
    """The inverse of ``settings_record`` (defaults for anything missing; no key, ever)."""
    record = record or {}
    kind: ProviderKind = "openai" if record.get("provider") == "openai" else "mock"
    config = ProviderConfig(kind=kind, model=str(record.get("model") or ("mock-gpt" if kind == "mock" else "gpt-4o-mini")))
    if kind == "openai" and record.get("base_url"):
        config = config.with_changes(base_url=str(record["base_url"]))
    tools = record.get("tools")
    generation = GenerationSettings(
        system_prompt=str(record.get("system_prompt", DEFAULT_SYSTEM_PROMPT)),
        temperature=record.get("temperature"),
        max_tokens=record.get("max_tokens"),
        max_steps=int(record.get("max_steps", 5)),
        tools=None if tools is None else tuple(str(t) for t in tools),
        preset=str(record.get("preset") or ""),
    )
    return config, generation


__all__ = [
    "DEFAULT_BASE_URL", "DEFAULT_SYSTEM_PROMPT", "GenerationSettings", "MOCK_BASE_URL", "ProviderConfig", "ProviderKind",
    "Timeouts", "settings_from_record", "settings_record",
]
