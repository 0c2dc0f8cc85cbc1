"""The widgets of the sidebar's *Advanced* section, drawn only while it is open.

Each widget's key and default come from ``AdvancedValues`` (ui/advanced_values.py), which
also reads the same values when the section is folded and these are not drawn.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

from chatcore.app_config import AppConfig
from chatcore.mock.endpoints import MODELS as MOCK_MODELS
from chatcore.mock.options import MockOptions
from chatcore.mock.scenarios import SCENARIOS
from chatcore.session import ChatSession

from .advanced_values import MOCK_LABEL, REAL_LABEL, SCENARIO_NAMES, SPEEDS, AdvancedValues, Answering
from .tool_choice import render_tool_picker

KEEP: Final = "session"  # persist_state: kept over page switches and over runs that do not draw them
KINDS: Final = (MOCK_LABEL, REAL_LABEL)


def section(title: str, icon: str) -> None:
    """A quiet heading inside *Advanced* (expanders cannot be nested)."""
    st.markdown(f"{icon} **{title}**")


def draw_provider_kind(values: AdvancedValues) -> str:
    return str(st.radio("Provider", KINDS, index=values.index("provider_kind", KINDS), key="provider_kind",
                        horizontal=True, persist_state=KEEP))


def draw_mock(values: AdvancedValues) -> tuple[MockOptions, str]:
    """The mock's scenario, speed and model; returns its options and model."""
    scenario = st.selectbox(
        "Mock scenario",
        SCENARIO_NAMES,
        index=values.index("mock_scenario", SCENARIO_NAMES),
        key="mock_scenario",
        format_func=lambda n: "Auto (by keywords in the prompt)" if n == "auto" else SCENARIOS[n].title,
        persist_state=KEEP,
    )
    speed = st.select_slider("Mock speed", list(SPEEDS), value=values.default("mock_speed"), key="mock_speed",
                             persist_state=KEEP)
    ttft, delay = SPEEDS[speed]
    model = st.selectbox("Mock model", MOCK_MODELS, index=values.index("mock_model", MOCK_MODELS), key="mock_model",
                         persist_state=KEEP, help="The mock-no-… models imitate servers that lack one capability "
                         "(try them on the Endpoint doctor page).")
    return MockOptions(scenario=scenario, ttft=ttft, chunk_delay=delay), str(model)


def draw_answering(values: AdvancedValues, session: ChatSession, app_config: AppConfig) -> Answering:
    """The *Answer* and *Timeouts and retries* parts."""
    section("Answer", ":material/chat:")
    system_prompt = st.text_area("System prompt", value=values.default("system_prompt"), key="system_prompt",
                                 persist_state=KEEP, help="Instructions the model reads before every conversation")
    temperature = st.number_input("Temperature", 0.0, 2.0, value=values.default("temperature"), step=0.1,
                                  key="temperature", placeholder="server default", persist_state=KEEP,
                                  help="Higher is more varied, lower more predictable")
    max_tokens = st.number_input("Max tokens", 1, 1_000_000, value=values.default("max_tokens"), step=256,
                                 key="max_tokens", placeholder="server default", persist_state=KEEP,
                                 help="The longest an answer may be (about ¾ of a word per token)")
    max_steps = st.number_input("Max tool steps", 0, 20, value=values.default("max_steps"), key="max_steps",
                                persist_state=KEEP, help="How many rounds of tool calls one answer may make")
    tools = render_tool_picker(session, app_config)
    section("Timeouts and retries", ":material/timer:")
    read = st.number_input("Silence tolerated mid-answer (s)", 1, 600, value=values.default("read_timeout"),
                           key="read_timeout", persist_state=KEEP)
    connect = st.number_input("Connect timeout (s)", 1, 120, value=values.default("connect_timeout"),
                              key="connect_timeout", persist_state=KEEP)
    tool_timeout = st.number_input("Tool timeout (s)", 1, 600, value=values.default("tool_timeout"),
                                   key="tool_timeout", persist_state=KEEP)
    retries = st.number_input("Retries before the first token", 0, 5, value=values.default("max_retries"),
                              key="max_retries", persist_state=KEEP)
    return Answering(
        system_prompt=system_prompt, temperature=temperature, max_tokens=max_tokens, max_steps=int(max_steps),
        tools=tuple(tools), read_timeout=read, connect_timeout=connect, tool_timeout=tool_timeout, retries=int(retries),
    )
