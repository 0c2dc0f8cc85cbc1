"""The Metrics page: per-answer timings of this session, as charts and a table."""

from __future__ import annotations

import streamlit as st

from chatcore.turn import Turn

from .state import chat_session


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
                "first token (s)": round(turn.first_token_s, 3) if turn.first_token_s is not None else None,
                "total (s)": round(turn.total_s, 2) if turn.total_s is not None else None,
                "tokens/s": round(turn.tokens_per_second, 1) if turn.tokens_per_second else None,
                "completion tokens": turn.completion_tokens,
                "prompt tokens": usage.prompt_tokens if usage else None,
                "tool calls": len(turn.tool_calls),
            }
        )
    return rows


def render_metrics_page() -> None:
    st.title("Metrics")
    rows = answer_rows(chat_session().finished_turns)
    if not rows:
        st.info("No answers yet in this session. Ask something on the chat page, then come back.", icon=":material/info:")
        return
    ttft = [r["first token (s)"] for r in rows if r["first token (s)"] is not None]
    speeds = [r["tokens/s"] for r in rows if r["tokens/s"]]
    cols = st.columns(3)
    cols[0].metric("Answers", len(rows))
    cols[1].metric("Median first token", f"{sorted(ttft)[len(ttft) // 2]:.2f} s" if ttft else "–")
    cols[2].metric("Median speed", f"{sorted(speeds)[len(speeds) // 2]:.0f} tok/s" if speeds else "–")
    st.subheader("Time to first token (s)")
    st.bar_chart(rows, x="answer", y="first token (s)")
    st.subheader("Tokens per second")
    st.bar_chart(rows, x="answer", y="tokens/s")
    st.subheader("Tokens per answer")
    st.bar_chart(rows, x="answer", y=["completion tokens", "prompt tokens"])
    st.dataframe(rows, hide_index=True)
