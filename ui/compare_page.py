"""The Compare page: one prompt to 2–4 targets, columns streaming side by side.

The answers run on their own threads (``chatcore.compare``); this page only reads their
``Turn`` records. Streamlit can draw only from the script thread, so one loop polls every
column's record every 100 ms and redraws a column when its record changed. A click (Stop,
Stop all, a vote) starts a new script run, whose callbacks act on the run kept in session
state, and the new run picks the polling up again.
"""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from chatcore.compare import CompareRun, CompareTarget, Price, run_csv, run_json
from chatcore.compare.figures import AnswerFigures
from chatcore.mock.endpoints import MODELS as MOCK_MODELS
from chatcore.mock.options import MockOptions
from chatcore.settings import ProviderConfig
from chatcore.turn import Turn

from .advanced_values import MOCK_LABEL, REAL_LABEL, SPEEDS
from .panels import STATE_ICONS, panel_label, render_panel_body
from .profiles import with_profile
from .sidebar import Settings, last_settings, visitor_provider
from .state import chat_session

RUN = "compare_run"  # this visitor's current run (per session: it holds their answers)
LABELS = "ABCD"
POLL_S = 0.1
# The mock's models, plus two that fail (to see a failure stay in its own column).
MOCK_CHOICES = (*MOCK_MODELS, "mock-fault-500", "mock-fault-drop:8")


# ---------------------------------------------------------------- choosing targets
def _target_form(index: int, chat: Settings) -> CompareTarget | None:
    label = LABELS[index]
    st.markdown(f"**{label}**")
    chat_provider = chat.provider or ProviderConfig()  # refused chat settings: start from the mock
    mock_default = 0 if chat_provider.is_mock else 1
    kind = st.radio("Provider", [MOCK_LABEL, REAL_LABEL], index=mock_default, key=f"cmp_kind_{index}",
                    label_visibility="collapsed")
    mock: MockOptions | None = None
    if kind == MOCK_LABEL:
        model = st.selectbox("Model", MOCK_CHOICES, index=min(index, 1), key=f"cmp_model_{index}")
        speed = st.select_slider("Speed", list(SPEEDS), value="Fast" if index % 2 == 0 else "Realistic",
                                 key=f"cmp_speed_{index}")
        mock = MockOptions(ttft=SPEEDS[speed][0], chunk_delay=SPEEDS[speed][1])
        config = ProviderConfig(kind="mock", model=model)
    else:
        base = chat_provider.base_url if not chat_provider.is_mock else ""
        base_url = st.text_input("Base URL", value=base, key=f"cmp_base_{index}")
        api_key = st.text_input("API key", type="password", key=f"cmp_key_{index}",
                                placeholder="the configured key", help="Never stored, logged or exported.")
        model = st.text_input("Model", value="" if chat_provider.is_mock else chat_provider.model, key=f"cmp_model_text_{index}")
        choice = visitor_provider(base_url, api_key, model)  # the operator's key goes only to the operator's server
        if choice.config is None:
            st.error(choice.refusal or "These settings cannot be used.", icon=":material/block:")
            return None
        config = choice.config
    temperature = st.number_input("Temperature", 0.0, 2.0, value=chat.generation.temperature, step=0.1,
                                  key=f"cmp_temp_{index}", placeholder="server default")
    max_tokens = st.number_input("Max tokens", 1, 1_000_000, value=chat.generation.max_tokens, step=64,
                                 key=f"cmp_max_{index}", placeholder="server default")
    price_in = st.number_input("$ per 1M input tokens", 0.0, 1000.0, value=None, key=f"cmp_price_in_{index}",
                               placeholder="no price")
    price_out = st.number_input("$ per 1M output tokens", 0.0, 1000.0, value=None, key=f"cmp_price_out_{index}",
                                placeholder="no price")
    price = Price(price_in or 0.0, price_out or 0.0) if (price_in is not None or price_out is not None) else None
    settings = chat.generation.with_changes(temperature=temperature, max_tokens=int(max_tokens) if max_tokens else None)
    return CompareTarget(label, with_profile(config.with_changes(timeouts=chat_provider.timeouts)), settings, mock, price)


# ---------------------------------------------------------------- one column
def _render_answer(turn: Turn) -> None:
    for segment in list(turn.segments):
        if segment.kind == "text":
            st.markdown(segment.text)
        elif segment.kind == "reasoning":
            with st.expander("Reasoning", icon=":material/psychology:"):
                st.caption(segment.text)
        else:
            record = turn.tool_calls.get(segment.tool_id)
            if record is not None:
                with st.expander(panel_label(record.name, record.state, record.duration),
                                 icon=STATE_ICONS.get(record.state), expanded=record.state in ("streaming", "running")):
                    render_panel_body(record.arguments, record.parsed, record.state, record.result, record.error)
    if turn.status == "streaming":
        st.caption(":material/more_horiz: streaming…")
    elif turn.status == "stopped":
        st.caption(f":material/stop_circle: **{turn.end_message or 'Stopped.'}**")
    elif turn.status == "error" and (turn.error is not None or turn.end_message):
        st.error(turn.error.message if turn.error is not None else turn.end_message, icon=":material/error:")
    elif turn.status == "incomplete":
        st.warning(turn.end_message or "The answer was cut short.", icon=":material/warning:")


def _figures_line(figures: AnswerFigures) -> str:
    parts = [metrics_line_of(figures)]
    if figures.cost is not None:
        parts.append(f"${figures.cost:.6f}")
    if figures.usage_estimated:
        parts.append("usage is estimated")
    return " · ".join(p for p in parts if p)


def metrics_line_of(f: AnswerFigures) -> str:
    parts = []
    if f.first_token_s is not None:
        parts.append(f"first token {f.first_token_s:.2f} s")
    if f.total_s is not None:
        parts.append(f"total {f.total_s:.1f} s")
    if f.tokens_per_second:
        parts.append(f"{f.tokens_per_second:.0f} tok/s")
    parts.append(f"{f.tokens_in if f.tokens_in is not None else '?'} in / {f.tokens_out if f.tokens_out is not None else '?'} out")
    return " · ".join(parts)


def _signature(turn: Turn | None) -> Any:
    if turn is None:
        return None
    tools = tuple((r.state, len(r.arguments)) for r in turn.tool_calls.values())
    return id(turn), turn.status, len(turn.segments), turn.chunk_count, len(turn.reasoning), tools


def _draw_column(run: CompareRun, index: int) -> None:
    answers = run.answers(index)
    if run.rounds > 1:
        st.caption(f"Round {len(answers)} of {run.rounds}")
    if not answers:
        st.caption("waiting…")
        return
    turn = answers[-1][0]
    _render_answer(turn)
    if turn.is_finished:  # while it streams, "streaming…" holds this line's place (no stale element left behind)
        figures = AnswerFigures.of(run.targets[index], len(answers), turn, answers[-1][1])
        st.caption(_figures_line(figures))


def _follow(run: CompareRun) -> None:
    """Draw every column, then redraw the ones whose record changed, until the run ends."""
    columns = st.columns(len(run.targets))
    slots = []
    for index, (column, target) in enumerate(zip(columns, run.targets, strict=True)):
        with column:
            st.markdown(f"**{target.label}** · `{target.config.model}`")
            st.caption("built-in mock" if target.config.is_mock else target.config.base_url)
            if target.config.capabilities is not None and target.config.capabilities.notes():
                st.caption(":material/stethoscope: " + " ".join(target.config.capabilities.notes()))
            st.button("Stop", key=f"cmp_stop_{index}", icon=":material/stop_circle:", on_click=run.stop, args=(index,),
                      disabled=run.is_finished)
            slots.append(st.empty())
    seen: list[Any] = [object()] * len(run.targets)
    while True:
        run.seen()
        finished = run.is_finished  # read first: the last drawing then shows the final records
        for index, slot in enumerate(slots):
            signature = (_signature(run.current(index)), len(run.answers(index)))
            if signature != seen[index]:
                seen[index] = signature
                with slot.container():
                    _draw_column(run, index)
        if finished:
            return
        time.sleep(POLL_S)


# ---------------------------------------------------------------- results
def _render_results(run: CompareRun) -> None:
    st.subheader("Results")
    st.caption(f"Median (min–max) over the completed answers of {run.rounds} round(s). "
               f"Saved as linked conversations (compare run `{run.id}`), listed in History.")
    st.table([s.row() for s in run.summaries()])
    with st.expander("Every answer"):
        rows = [{"open": f"/?c={f.conversation_id}", **{k: v for k, v in f.__dict__.items() if k != "text"}}
                for f in run.figures()]
        st.dataframe(rows, hide_index=True,
                     column_config={"open": st.column_config.LinkColumn("open", display_text="open in chat")})
    st.markdown("**Which is better?**")
    vote_columns = st.columns(len(run.targets) + 1)
    for column, target in zip(vote_columns, run.targets, strict=False):
        column.button(f"{target.label} is better", key=f"cmp_vote_{target.label}", on_click=run.cast_vote,
                      args=(target.label,), type="primary" if run.vote == target.label else "secondary")
    vote_columns[-1].button("A tie", key="cmp_vote_tie", on_click=run.cast_vote, args=("tie",),
                            type="primary" if run.vote == "tie" else "secondary")
    if run.vote:
        st.caption(f"Your vote: **{run.vote}** (saved with every answer of this run).")
    downloads = st.columns(2)
    downloads[0].download_button("Export CSV", run_csv(run), file_name=f"compare-{run.id}.csv", mime="text/csv",
                                 key="cmp_csv", icon=":material/download:")
    downloads[1].download_button("Export JSON", run_json(run), file_name=f"compare-{run.id}.json",
                                 mime="application/json", key="cmp_json", icon=":material/download:")
    if run.storage_problem:
        st.warning(f"Could not link the saved answers: {run.storage_problem}", icon=":material/warning:")


def render_compare_page() -> None:
    st.set_page_config(layout="wide")  # columns side by side need the width
    chat = last_settings()
    session = chat_session()
    st.title("Compare models")
    st.caption("One prompt, sent at once to each target (with the chat's system prompt and tools). "
               "Each answer streams in its own column.")
    run: CompareRun | None = st.session_state.get(RUN)
    busy = run is not None and not run.is_finished
    count = st.radio("Targets", [2, 3, 4], horizontal=True, key="cmp_count")
    targets: list[CompareTarget | None] = []
    with st.expander("Targets: provider, model, settings and price", expanded=run is None, icon=":material/tune:"):
        for index, column in enumerate(st.columns(count)):
            with column, st.container(border=True):
                targets.append(_target_form(index, chat))
    prompt = st.text_area("Prompt", key="cmp_prompt", placeholder="Ask all of them the same thing", height=80)
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    rounds = left.number_input("Rounds", 1, 20, value=1, key="cmp_rounds", help="Repeat to see the median and spread.")
    if right.button("Compare", type="primary", icon=":material/compare_arrows:", key="cmp_start",
                    disabled=busy or not prompt.strip() or None in targets):  # a refused target says why above
        run = CompareRun(prompt.strip(), [t for t in targets if t is not None], rounds=int(rounds), archive=session.archive,
                         registry=session.registry).start()
        st.session_state[RUN] = run
    if run is None:
        return
    st.divider()
    st.button("Stop all", key="cmp_stop_all", icon=":material/stop_circle:", on_click=run.stop_all,
              disabled=run.is_finished)
    _follow(run)
    _render_results(run)
