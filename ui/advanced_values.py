"""The sidebar's *Advanced* settings without their widgets: one place for their defaults,
and their current values read from session state.

*Advanced* is built only while it is open (ui/sidebar.py): the chat page reruns on every
prompt, and a folded section would otherwise build and send its ~20 widgets each time for
nothing. Its widgets keep their values under their keys with ``persist_state="session"``,
which Streamlit carries over the runs that do not draw them (and hands back to them when
they are drawn again); so a folded run reads the very values the widgets would return, and
both paths take their defaults from ``AdvancedValues``, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Sequence

import streamlit as st

from chatcore.app_config import AppConfig
from chatcore.mock.endpoints import MODELS as MOCK_MODELS
from chatcore.mock.options import MockOptions
from chatcore.mock.scenarios import SCENARIOS
from chatcore.provider_policy import ProviderPolicy
from chatcore.settings import GenerationSettings, ProviderConfig, Timeouts

from .presets import starts_on_mock

ADVANCED: Final = "advanced_settings"  # the expander's key: True while it is open
MOCK_LABEL: Final = "Built-in mock"
REAL_LABEL: Final = "OpenAI-compatible"
SPEEDS: Final = {  # label -> (time to first token, delay between chunks), seconds
    "Instant": (0.0, 0.0),
    "Fast": (0.15, 0.008),
    "Realistic": (0.5, 0.025),
    "Slow": (1.2, 0.08),
}
SCENARIO_NAMES: Final = ("auto", *SCENARIOS)
VISITOR_API_KEY: Final = "visitor_api_key"  # where a typed key lives: session state, never a widget

# Widget key -> its default, for the defaults that depend on nothing (see ``AdvancedValues``).
FIXED_DEFAULTS: Final[dict[str, Any]] = {
    "mock_scenario": "auto",
    "mock_speed": "Realistic",
    "mock_model": MOCK_MODELS[0],
    "temperature": None,  # None: the server's default
    "max_tokens": None,
    "max_steps": 5,
    "read_timeout": 60,
    "connect_timeout": 10,
    "tool_timeout": 15,
    "max_retries": 2,
}


@dataclass(frozen=True)
class Answering:
    """The *Answer* and *Timeouts and retries* parts of *Advanced*, as read or drawn."""

    system_prompt: str
    temperature: float | None
    max_tokens: int | None
    max_steps: int
    tools: tuple[str, ...]
    read_timeout: float
    connect_timeout: float
    tool_timeout: float
    retries: int

    def generation(self, preset: str) -> GenerationSettings:
        return GenerationSettings(
            system_prompt=self.system_prompt,
            temperature=self.temperature,
            max_tokens=int(self.max_tokens) if self.max_tokens else None,
            max_steps=int(self.max_steps),
            tools=self.tools,
            preset=preset,
        )

    def applied_to(self, provider: ProviderConfig) -> ProviderConfig:
        return provider.with_changes(
            timeouts=Timeouts(connect=float(self.connect_timeout), read=float(self.read_timeout),
                              tool=float(self.tool_timeout)),
            max_retries=int(self.retries),
        )


class AdvancedValues:
    """Every *Advanced* value by its widget's key: what the widget holds, else its default."""

    def __init__(self, app_config: AppConfig, policy: ProviderPolicy) -> None:
        self._defaults = {
            **FIXED_DEFAULTS,
            "provider_kind": MOCK_LABEL if starts_on_mock(app_config, policy.operator.is_mock) else REAL_LABEL,
            "system_prompt": app_config.system_prompt,
            "base_url": policy.default_base_url,
        }
        self._policy = policy

    def default(self, key: str) -> Any:
        return self._defaults[key]

    def index(self, key: str, options: Sequence[Any]) -> int:
        """The default's place among ``options`` (selectbox and radio take an index)."""
        return list(options).index(self.default(key))

    def value(self, key: str, options: Sequence[Any] | None = None) -> Any:
        found = st.session_state.get(key, self.default(key))
        if options is not None and found not in options:  # e.g. a choice the app no longer offers
            return self.default(key)
        return found

    def provider_kind(self) -> str:
        if self._policy.lock_provider:  # the operator chose: no Provider radio
            return MOCK_LABEL if self._policy.operator.is_mock else REAL_LABEL
        return str(self.value("provider_kind", (MOCK_LABEL, REAL_LABEL)))

    def typed_base_url(self) -> str:
        """The Base URL field's value (the operator's when visitors may not change it)."""
        if not self._policy.allow_custom_base_url:
            return self._policy.default_base_url
        return str(self.value("base_url") or "")

    @staticmethod
    def typed_api_key() -> str:
        return str(st.session_state.get(VISITOR_API_KEY) or "")

    def mock(self) -> tuple[MockOptions, str]:
        """The mock's options and model."""
        speed = self.value("mock_speed", tuple(SPEEDS))
        ttft, delay = SPEEDS[speed]
        options = MockOptions(scenario=self.value("mock_scenario", SCENARIO_NAMES), ttft=ttft, chunk_delay=delay)
        return options, str(self.value("mock_model", MOCK_MODELS))

    def answering(self, tools: Sequence[str]) -> Answering:
        return Answering(
            system_prompt=str(self.value("system_prompt") or ""),
            temperature=self.value("temperature"),
            max_tokens=self.value("max_tokens"),
            max_steps=self.value("max_steps"),
            tools=tuple(tools),
            read_timeout=self.value("read_timeout"),
            connect_timeout=self.value("connect_timeout"),
            tool_timeout=self.value("tool_timeout"),
            retries=self.value("max_retries"),
        )
