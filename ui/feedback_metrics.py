"""The Metrics page's Feedback tab: this visitor's ratings by model and by preset, and the
rated answers as JSONL (prompt, answer, rating, comment, settings) for an evaluation set.

Only the ratings this visitor made (``AnswerFeedback.mine``): never another visitor's.
"""

from __future__ import annotations

import streamlit as st

from chatcore.feedback import AnswerFeedback, Tally, by_model, by_preset, tallies, to_jsonl
from chatcore.session import ChatSession
from chatcore.store import StoreError


def tally_rows(groups: list[Tally], label: str) -> list[dict]:
    return [
        {label: t.group, "👍": t.up, "👎": t.down,
         "positive": f"{t.positive_share:.0%}" if t.positive_share is not None else "–"}
        for t in groups
    ]


def render_feedback_tab(session: ChatSession) -> None:
    if session.archive is None:
        st.info("Conversations are not being saved, so there is no feedback to show.", icon=":material/cloud_off:")
        return
    try:
        rated = AnswerFeedback(session.archive).mine()
    except StoreError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    if not rated:
        st.info("No rated answers yet. Rate answers with 👍 or 👎 on the chat page.", icon=":material/info:")
        return
    ups = sum(1 for a in rated if a.rating == "up")
    cols = st.columns(3)
    cols[0].metric("Rated answers", len(rated))
    cols[1].metric("👍 / 👎", f"{ups} / {len(rated) - ups}")
    cols[2].metric("Positive", f"{ups / len(rated):.0%}")
    st.subheader("By model")
    st.dataframe(tally_rows(tallies(rated, by_model), "model"), hide_index=True, key="feedback-by-model")
    st.subheader("By preset")
    st.dataframe(tally_rows(tallies(rated, by_preset), "preset"), hide_index=True, key="feedback-by-preset")
    st.download_button("Download rated answers (JSONL)", to_jsonl(rated), file_name="rated-answers.jsonl",
                       mime="application/jsonl", icon=":material/download:", key="feedback-jsonl",
                       help="One line per rated answer: its prompt, the answer, rating, comment and settings")


__all__ = ["render_feedback_tab", "tally_rows"]
