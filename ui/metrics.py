"""The Metrics page: time to first token, speed and size of answers, as charts and a table.

Two views: this browser session's answers (kept in memory, also unsaved ones), and every
saved answer of the visitor's conversations (from the store).
"""

from __future__ import annotations

import time

import streamlit as st

from chatcore.store import AnswerFigures, StoreError
from chatcore.turn import Turn

from .state import chat_session


def _round(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None


def answer_rows(turns: list[Turn]) -> list[dict]:
    rows = []
    for n, turn in enumerate(turns, start=1):
        if turn.status == "streaming":
            continue
        usage = turn.usage
        rows.append(
            {
                "answer": n,
                "status": turn.status,
                "model": turn.model,
                "first token (s)": _round(turn.first_token_s, 3),
                "total (s)": _round(turn.total_s, 2),
                "tokens/s": _round(turn.tokens_per_second, 1),
                "completion tokens": turn.completion_tokens,
                "prompt tokens": usage.prompt_tokens if usage else None,
                "tool calls": len(turn.tool_calls),
            }
        )
    return rows


def stored_rows(figures: list[AnswerFigures]) -> list[dict]:
    return [
        {
            "answer": n,
            "when": time.strftime("%Y-%m-%d %H:%M", time.localtime(f.created_at)),
            "status": f.status,
            "model": f.model,
            "first token (s)": _round(f.first_token_s, 3),
            "total (s)": _round(f.total_s, 2),
            "tokens/s": _round(f.tokens_per_second, 1),
            "completion tokens": f.completion_tokens,
            "prompt tokens": f.prompt_tokens,
            "tool calls": f.tool_calls,
        }
        for n, f in enumerate(figures, start=1)
    ]


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    return values[len(values) // 2] if values else None


def render_charts(rows: list[dict], key: str) -> None:
    ttft = _median([r["first token (s)"] for r in rows if r["first token (s)"] is not None])
    speed = _median([r["tokens/s"] for r in rows if r["tokens/s"]])
    cols = st.columns(3)
    cols[0].metric("Answers", len(rows))
    cols[1].metric("Median first token", f"{ttft:.2f} s" if ttft is not None else "–")
    cols[2].metric("Median speed", f"{speed:.0f} tok/s" if speed is not None else "–")
    st.subheader("Time to first token (s)")
    st.bar_chart(rows, x="answer", y="first token (s)")
    st.subheader("Tokens per second")
    st.bar_chart(rows, x="answer", y="tokens/s")
    st.subheader("Tokens per answer")
    st.bar_chart(rows, x="answer", y=["completion tokens", "prompt tokens"])
    st.dataframe(rows, hide_index=True, key=f"table-{key}")


def render_metrics_page() -> None:
    st.title("Metrics")
    session = chat_session()
    here, saved = st.tabs(["This session", "All saved answers"])
    with here:
        rows = answer_rows(session.finished_turns)
        if rows:
            render_charts(rows, "session")
        else:
            st.info("No answers yet in this session. Ask something on the chat page, then come back.", icon=":material/info:")
    with saved:
        if session.archive is None:
            st.info("Conversations are not being saved, so there is nothing stored to chart.", icon=":material/cloud_off:")
            return
        try:
            figures = session.archive.figures()
        except StoreError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        if figures:
            render_charts(stored_rows(figures), "saved")
        else:
            st.info("No saved answers yet.", icon=":material/info:")
