"""The Metrics page: time to first token, speed and size of answers, as charts and a table.

Two views: this browser session's answers (kept in memory, also unsaved ones), and every
saved answer of the visitor's conversations (from the store).
"""

from __future__ import annotations

import time

import streamlit as st

from chatcore.store import AnswerFigures, StoreError

from .feedback_metrics import render_feedback_tab
from .state import chat_session


def _round(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None


def answer_rows(figures: list[AnswerFigures], *, dated: bool = False) -> list[dict]:
    """One table row per finished answer, numbered in order."""
    rows: list[dict] = []
    for f in figures:
        if f.status == "streaming":
            continue
        row: dict = {"answer": len(rows) + 1}
        if dated:
            row["when"] = time.strftime("%Y-%m-%d %H:%M", time.localtime(f.created_at))
        row |= {
            "status": f.status,
            "model": f.model,
            "first token (s)": _round(f.first_token_s, 3),
            "total (s)": _round(f.total_s, 2),
            "tokens/s": _round(f.tokens_per_second, 1),
            "completion tokens": f.completion_tokens,
            "prompt tokens": f.prompt_tokens,
            "tool calls": f.tool_calls,
        }
        rows.append(row)
    return rows


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
    here, saved, rated = st.tabs(["This session", "All saved answers", "Feedback"])
    with rated:
        render_feedback_tab(session)  # ui/feedback_metrics.py
    with here:
        rows = answer_rows([AnswerFigures.of_turn(turn) for turn in session.finished_turns])
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
            render_charts(answer_rows(figures, dated=True), "saved")
        else:
            st.info("No saved answers yet.", icon=":material/info:")
