"""Sidebar settings: read the widgets, return immutable settings for the core.

Widgets keep their values across pages (``persist_state="session"``). The API key field
is a password field that is never pre-filled: a key from secrets or the environment is
used without ever being sent back to the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import streamlit as st

from chatcore.mock.options import MockOptions
from chatcore.mock.scenarios import SCENARIOS
from chatcore.providers import ModelListError
from chatcore.session import ChatSession
from chatcore.settings import DEFAULT_SYSTEM_PROMPT, GenerationSettings, ProviderConfig, Timeouts

from .recent_chats import render_recent_chats
from .state import MODEL_LIST, secrets_mapping, start_new_chat

MOCK_LABEL = "Built-in mock"
REAL_LABEL = "OpenAI-compatible"
SPEEDS = {  # label -> (time to first token, delay between chunks), seconds
    "Instant": (0.0, 0.0),
    "Fast": (0.15, 0.008),
    "Realistic": (0.5, 0.025),
    "Slow": (1.2, 0.08),
}
KEEP: Final = "session"


@dataclass(frozen=True)
class Settings:
    provider: ProviderConfig
    generation: GenerationSettings
    mock: MockOptions


def _list_models(session: ChatSession, config: ProviderConfig) -> tuple:
    try:
        return ((config.base_url, config.has_key), session.provider(config).list_models())
    except ModelListError as exc:
        return ((config.base_url, config.has_key), str(exc))


def _model_picker(session: ChatSession, config: ProviderConfig) -> str:
    """A list from ``/v1/models`` (fetched once per server and key), or a text field when it fails."""
    listed = st.session_state.get(MODEL_LIST)
    refresh = False
    cols = st.columns([5, 1], vertical_alignment="bottom")
    with cols[1]:
        refresh = st.button("", icon=":material/refresh:", help="List the server's models again", key="list_models")
    if refresh or listed is None or listed[0] != (config.base_url, config.has_key):
        listed = _list_models(session, config)
        st.session_state[MODEL_LIST] = listed
    with cols[0]:
        if isinstance(listed[1], list):
            options = listed[1]
            if config.model not in options:
                options = [config.model, *options]
            return st.selectbox("Model", options, index=options.index(config.model), key="model_select", accept_new_options=True)
        model = st.text_input("Model", value=config.model, key="model_text", persist_state=KEEP)
    st.caption(f":orange[{listed[1]}]")
    return model.strip() or config.model


MARKDOWN_GUIDE = """Answers are rendered as Markdown: **bold**, `code`, tables, emoji shortcodes
(:sparkles: is written `:sparkles:`) and math ($e^{i\\pi} + 1 = 0$). Raw HTML is shown as text.

```python
print("code blocks are highlighted")
```"""


def render_markdown_guide() -> None:
    """What answers can show. Drawn on every chat page run, so the browser loads the lazily
    loaded Markdown renderers (emoji, math, code highlighting) before an answer needs them:
    otherwise the first answer containing ``:word:`` (a time like 10:30:00 counts), ``$math$``
    or a code block blanks out for about half a second while they load."""
    with st.expander("What answers can show", icon=":material/format_paint:"):
        st.markdown(MARKDOWN_GUIDE)


def render_sidebar(session: ChatSession) -> Settings:
    secrets = secrets_mapping()
    configured = ProviderConfig.from_sources(secrets=secrets)
    with st.sidebar:
        st.button("New chat", key="new_chat", icon=":material/add:", width="stretch", on_click=start_new_chat)
        render_recent_chats(session)
        st.subheader("Model")
        default_kind = 0 if configured.is_mock else 1
        kind = st.radio("Provider", [MOCK_LABEL, REAL_LABEL], index=default_kind, key="provider_kind", horizontal=True, persist_state=KEEP)
        mock = MockOptions()
        if kind == MOCK_LABEL:
            names = ["auto", *SCENARIOS]
            scenario = st.selectbox(
                "Mock scenario",
                names,
                key="mock_scenario",
                format_func=lambda n: "Auto (by keywords in the prompt)" if n == "auto" else SCENARIOS[n].title,
                persist_state=KEEP,
            )
            speed = st.select_slider("Mock speed", list(SPEEDS), value="Realistic", key="mock_speed", persist_state=KEEP)
            ttft, delay = SPEEDS[speed]
            mock = MockOptions(scenario=scenario, ttft=ttft, chunk_delay=delay)
            provider = ProviderConfig(kind="mock")
            if scenario == "auto":
                with st.expander("Try these prompts"):
                    for s in SCENARIOS.values():
                        st.markdown(f"- **{s.title}**: `{s.example_prompt}`")
        else:
            base_default = configured.base_url if not configured.is_mock else "https://api.openai.com/v1"
            base_url = st.text_input("Base URL", value=base_default, key="base_url", persist_state=KEEP)
            typed_key = st.text_input(
                "API key",
                type="password",
                key="api_key",
                placeholder="Using the configured key" if configured.has_key else "sk-…",
                help="Kept in this browser session only; never stored, logged or exported.",
                persist_state=KEEP,
            )
            provider = ProviderConfig.from_sources(secrets=secrets, kind="openai", base_url=base_url.strip(), api_key=typed_key.strip())
            provider = provider.with_changes(model=_model_picker(session, provider))
        st.subheader("Answer")
        system_prompt = st.text_area("System prompt", value=DEFAULT_SYSTEM_PROMPT, key="system_prompt", persist_state=KEEP)
        temperature = st.number_input("Temperature", 0.0, 2.0, value=None, step=0.1, key="temperature",
                                      placeholder="server default", persist_state=KEEP)
        max_tokens = st.number_input("Max tokens", 1, 1_000_000, value=None, step=256, key="max_tokens",
                                     placeholder="server default", persist_state=KEEP)
        max_steps = st.number_input("Max tool steps", 0, 20, value=5, key="max_steps", persist_state=KEEP)
        tool_names = session.registry.names()
        tools = st.multiselect("Tools", tool_names, default=tool_names, key="tools", persist_state=KEEP)
        with st.expander("Timeouts and retries", icon=":material/timer:"):
            read = st.number_input("Silence tolerated mid-answer (s)", 1, 600, value=60, key="read_timeout", persist_state=KEEP)
            connect = st.number_input("Connect timeout (s)", 1, 120, value=10, key="connect_timeout", persist_state=KEEP)
            tool_timeout = st.number_input("Tool timeout (s)", 1, 600, value=15, key="tool_timeout", persist_state=KEEP)
            retries = st.number_input("Retries before the first token", 0, 5, value=2, key="max_retries", persist_state=KEEP)
        render_markdown_guide()
    provider = provider.with_changes(
        timeouts=Timeouts(connect=float(connect), read=float(read), tool=float(tool_timeout)),
        max_retries=int(retries),
    )
    generation = GenerationSettings(
        system_prompt=system_prompt,
        temperature=temperature,
        max_tokens=int(max_tokens) if max_tokens else None,
        max_steps=int(max_steps),
        tools=tuple(tools),
    )
    return Settings(provider=provider, generation=generation, mock=mock)
