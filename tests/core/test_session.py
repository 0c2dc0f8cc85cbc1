"""One visitor's chat: stop, retry, continue, edit — decided in the core, checked without a UI."""

from __future__ import annotations

import threading
import time

from chatcore.mock.options import MockOptions
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig

MOCK = ProviderConfig()
GEN = GenerationSettings()
FAST = MockOptions(ttft=0, chunk_delay=0)


def run(session: ChatSession, active) -> None:
    for _ in session.events(active):
        pass


def test_stop_from_another_thread_keeps_the_partial_answer_and_closes_the_turn():
    session = ChatSession()
    active = session.send("Write a long answer about rivers", MOCK, GEN, MockOptions(ttft=0, chunk_delay=0.01))
    events = session.events(active)
    for _ in range(30):
        next(events)
    threading.Thread(target=session.stop).start()
    start = time.perf_counter()
    for _ in events:
        pass
    assert time.perf_counter() - start < 0.5
    turn = session.conversation.last_turn
    assert turn.status == "stopped" and turn.text and turn.end_message == "Stopped."
    assert not session.is_streaming and turn in session.finished_turns


def test_continue_picks_up_a_stopped_mock_answer_where_it_stopped():
    session = ChatSession()
    full_session = ChatSession()
    run(full_session, full_session.send("Write a long answer about rivers", MOCK, GEN, FAST))
    full_text = full_session.conversation.last_turn.text

    active = session.send("Write a long answer about rivers", MOCK, GEN, MockOptions(ttft=0, chunk_delay=0.001))
    events = session.events(active)
    for _ in range(50):
        next(events)
    session.stop()
    for _ in events:
        pass
    stopped = session.conversation.last_turn
    partial = stopped.text
    assert session.can_continue() and 0 < len(partial) < len(full_text)
    run(session, session.continue_answer(MOCK, GEN, FAST))
    # One answer: the same record goes on, its stop note gone, and reads as if never stopped.
    assert len(session.conversation.entries) == 2 and session.conversation.last_turn is stopped
    assert stopped.text == full_text and stopped.status == "complete" and stopped.end_message == ""
    assert not session.can_continue()


def test_retry_replaces_the_last_answer():
    session = ChatSession()
    run(session, session.send("hello", MOCK, GEN, FAST))
    first = session.conversation.last_turn
    assert session.drop_last_answer()
    run(session, session.send(None, MOCK, GEN, FAST))
    assert len(session.conversation.entries) == 2 and session.conversation.last_turn is not first


def test_editing_a_prompt_sets_it_and_everything_after_aside():
    session = ChatSession()
    run(session, session.send("hello", MOCK, GEN, FAST))
    run(session, session.send("What is 2+2?", MOCK, GEN, FAST))
    assert session.edit_prompt(2) == "What is 2+2?"
    assert len(session.conversation.entries) == 2
    assert session.edit_prompt(1) is None  # an answer, not a prompt
