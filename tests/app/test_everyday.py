"""Everyday details that need no browser: the stop note says what is really kept."""

from __future__ import annotations

from chatcore.events import Chunk, Reasoning
from chatcore.turn import Turn
from ui.footer import kept_note


def stopped(*events) -> Turn:
    turn = Turn(model="m")
    for event in events:
        turn.apply(event)
    turn.finish("stopped", message="Stopped.")
    return turn


def test_a_stop_before_any_output_does_not_mention_an_answer_above():
    note = kept_note(stopped())
    assert "above" not in note and "before the model answered" in note


def test_a_stop_mid_answer_says_the_answer_above_is_kept():
    assert kept_note(stopped(Chunk("Partial text"))) == "The answer above is kept."


def test_a_stop_after_only_reasoning_does_not_call_it_an_answer():
    note = kept_note(stopped(Reasoning("thinking…")))
    assert "answer above" not in note and "kept" in note
