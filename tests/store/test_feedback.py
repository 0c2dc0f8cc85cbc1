"""Feedback in the store (SQLite and PostgreSQL): one rating per answer, written only by who may
write the conversation, read back for the chat and, per rater, for the Metrics page."""

from __future__ import annotations

import pytest

from chatcore.store.feedback import MAX_COMMENT_CHARS, clear_feedback, feedback_for, rated_answers, save_feedback

from .turns import complete_turn

SETTINGS = {"model": "m-1", "system_prompt": "Be brief.", "temperature": 0.3, "tools": ["calculator"], "preset": "Terse"}


def chat(store, owner: str, prompts: list[str]) -> tuple[str, list[int]]:
    cid = store.create_conversation(owner, creator=owner)
    answers = []
    for prompt in prompts:
        store.add_user_message(cid, owner, prompt)
        turn = complete_turn(f"answer to {prompt}")
        answers.append(store.start_assistant(cid, owner, turn))
        store.finish(answers[-1], turn)
    return cid, answers


def rate(store, cid, owner, message_id, rating="up", comment="", rated_by="alice", settings=SETTINGS):
    return save_feedback(store, cid, owner, message_id, rating=rating, comment=comment, rated_by=rated_by, settings=settings)


def test_a_rating_is_kept_with_its_comment_and_settings_and_can_change(store, clock):
    cid, [first, second] = chat(store, "alice", ["one", "two"])
    assert rate(store, cid, "alice", second, "down", "wrong number")
    shown = feedback_for(store, cid, "alice")
    assert list(shown) == [second]
    assert (shown[second].rating, shown[second].comment, shown[second].settings) == ("down", "wrong number", SETTINGS)
    assert rate(store, cid, "alice", second, "up", "")  # changed mind: replaced, not added
    assert feedback_for(store, cid, "alice")[second].rating == "up"
    assert clear_feedback(store, cid, "alice", second)
    assert feedback_for(store, cid, "alice") == {}


def test_no_secret_is_stored_with_a_rating(store):
    cid, [answer] = chat(store, "alice", ["one"])
    rate(store, cid, "alice", answer, settings={**SETTINGS, "api_key": "sk-live-123", "extra_headers": {"Authorization": "x"}})
    kept = feedback_for(store, cid, "alice")[answer].settings
    assert "api_key" not in kept and "Authorization" not in str(kept) and "sk-live" not in str(kept)


def test_only_who_may_write_the_conversation_can_rate(store):
    cid, [answer] = chat(store, "alice", ["one"])
    _, [bobs] = chat(store, "bob", ["mine"])
    assert not rate(store, cid, "bob", answer, rated_by="bob")  # not bob's conversation
    assert not rate(store, cid, "alice", bobs)  # an answer of another conversation, named by id
    assert not clear_feedback(store, cid, "bob", answer)
    prompt_id = answer - 1
    assert not rate(store, cid, "alice", prompt_id)  # a prompt is not an answer
    assert feedback_for(store, cid, "alice") == {} and feedback_for(store, cid, "bob") == {}


def test_an_unknown_rating_is_refused(store):
    cid, [answer] = chat(store, "alice", ["one"])
    with pytest.raises(ValueError):
        rate(store, cid, "alice", answer, rating="meh")


def test_a_long_comment_is_cut(store):
    cid, [answer] = chat(store, "alice", ["one"])
    rate(store, cid, "alice", answer, comment="x" * (MAX_COMMENT_CHARS + 500))
    assert len(feedback_for(store, cid, "alice")[answer].comment) == MAX_COMMENT_CHARS


def test_rated_answers_are_the_raters_own_with_the_prompt_before_each(store, clock):
    cid, [first, second] = chat(store, "alice", ["What is 2+2?", "And 3+3?"])
    bob_cid, [bobs] = chat(store, "bob", ["bob's question"])
    rate(store, cid, "alice", second, "down", "too long")
    clock.advance(1)
    rate(store, cid, "alice", first, "up")
    rate(store, bob_cid, "bob", bobs, "up", rated_by="bob")
    mine = rated_answers(store, "alice")
    assert [(a.prompt, a.answer, a.rating, a.comment) for a in mine] == [
        ("And 3+3?", "answer to And 3+3?", "down", "too long"),
        ("What is 2+2?", "answer to What is 2+2?", "up", ""),
    ]
    assert all(a.model == "m-1" and a.settings["preset"] == "Terse" for a in mine)
    assert [a.prompt for a in rated_answers(store, "bob")] == ["bob's question"]
    assert rated_answers(store, "carol") == []


def test_ratings_go_with_their_conversation(store):
    cid, [answer] = chat(store, "alice", ["one"])
    rate(store, cid, "alice", answer)
    assert store.delete(cid, "alice")
    assert rated_answers(store, "alice") == []


def answer_to(store, cid, owner, parent_id, text):
    turn = complete_turn(text)
    message_id = store.start_assistant(cid, owner, turn, parent_id=parent_id)
    store.finish(message_id, turn)
    return message_id


def test_a_rated_answer_on_another_branch_is_exported_with_the_prompt_it_answered(store, clock):
    """Versions: the prompt of an answer is its parent in the tree, not the last prompt saved before it."""
    from chatcore.store.tree import ROOT

    cid = store.create_conversation("alice", creator="alice")
    first = store.add_user_message(cid, "alice", "What is 2+2?", parent_id=ROOT)
    first_answer = answer_to(store, cid, "alice", first, "4")
    second = store.add_user_message(cid, "alice", "And 3+3?", parent_id=first_answer)
    answer_to(store, cid, "alice", second, "6")
    edited = store.add_user_message(cid, "alice", "And 5+5?", parent_id=first_answer)  # Edit: a version of "And 3+3?"
    edited_answer = answer_to(store, cid, "alice", edited, "10")
    regenerated = answer_to(store, cid, "alice", first, "four")  # Regenerate: saved after every other prompt
    back = answer_to(store, cid, "alice", second, "six")  # Regenerate on the original branch, after the edit
    # An answer that was continued before Continue joined the same row: answer, hidden prompt, answer.
    hidden = store.add_user_message(cid, "alice", "Continue.", hidden=True, parent_id=edited_answer)
    continued = answer_to(store, cid, "alice", hidden, "...and that is ten")
    for answer in (regenerated, back, edited_answer, continued):
        rate(store, cid, "alice", answer)
        clock.advance(1)
    assert [(a.answer, a.prompt) for a in rated_answers(store, "alice")] == [
        ("four", "What is 2+2?"), ("six", "And 3+3?"), ("10", "And 5+5?"), ("...and that is ten", "And 5+5?"),
    ]
