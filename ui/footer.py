"""What sits under an answer: how it ended, its timings and token usage."""

from __future__ import annotations

import streamlit as st

from chatcore.turn import Turn

from .safe_text import safe_markdown


def metrics_line(turn: Turn) -> str:
    parts = []
    if turn.first_token_s is not None:
        parts.append(f"first token {turn.first_token_s:.2f} s")
    if turn.total_s is not None:
        parts.append(f"total {turn.total_s:.1f} s")
    tps = turn.tokens_per_second
    if tps:
        parts.append(f"{tps:.0f} tok/s")
    usage = turn.usage
    if usage and usage.total_tokens:
        parts.append(f"{usage.prompt_tokens or 0} + {usage.completion_tokens or 0} tokens")
    if turn.model:
        parts.append(turn.model)
    return " · ".join(parts)


def kept_note(turn: Turn) -> str:
    """What a stopped answer keeps, in words that match what is on screen."""
    if turn.text.strip():
        return "The answer above is kept."
    if turn.segments:
        return "What it did so far is kept."
    return "It was stopped before the model answered."


def render_footer(turn: Turn) -> None:
    """The ending (stopped / error / cut short) and the metrics, small and quiet."""
    if turn.status == "stopped":
        st.caption(f":material/stop_circle: **{turn.end_message or 'Stopped.'}** {kept_note(turn)}")
    elif turn.status == "error" and turn.error is not None:
        st.error(safe_markdown(turn.error.message), icon=":material/error:")
    elif turn.status == "incomplete":
        st.warning(turn.end_message or "The answer was cut short.", icon=":material/warning:")
    elif turn.status == "streaming":  # only a turn loaded from the store: this session is not streaming it
        st.caption(":material/sync: This answer is still being written in another tab, or the server restarted a "
                   "moment ago. Reload in a few seconds to see the rest.")
    elif turn.status == "interrupted":
        st.warning("The server restarted while this answer streamed; it is kept as far as it got.", icon=":material/warning:")
    elif turn.finish_reason == "length":
        st.caption(":material/content_cut: Cut at the max-tokens limit.")
    elif turn.finish_reason == "max_steps":
        st.caption(f":material/repeat: {turn.end_message}")
    line = metrics_line(turn)
    if line and turn.status != "streaming":
        st.caption(line)
