"""Answers run detached from the page: leaving them does not stop them, a second follower
(a reloaded page, another tab) replays them and goes on live, and only Stop, a new prompt
or the idle limit ends them early."""

from __future__ import annotations

import time

from chatcore.live_turn import TurnHub
from chatcore.mock.options import MockOptions
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.ticker import TICK

MOCK = ProviderConfig()
GEN = GenerationSettings()
FAST = MockOptions(ttft=0, chunk_delay=0)
STEADY = MockOptions(ttft=0, chunk_delay=0.002)


def text_of(events) -> str:
    return "".join(getattr(e, "content", "") for e in events if type(e).__name__ == "Chunk")


def test_an_abandoned_follower_leaves_the_answer_running_to_its_end():
    session = ChatSession()
    live = session.send("Explain how photosynthesis works", MOCK, GEN, STEADY)
    follower = live.follow()
    for _ in range(20):
        next(follower)
    follower.close()  # the page run that showed it was interrupted (a click, a reload)
    assert live.wait(30)
    assert live.turn.status == "complete" and len(live.turn.text) > 1_000


def test_a_second_follower_replays_what_was_said_then_goes_on_live():
    session = ChatSession()
    live = session.send("Explain how photosynthesis works", MOCK, GEN, STEADY)
    first = live.follow()
    for _ in range(50):
        next(first)
    late = [e for e in live.follow() if e is not TICK]  # joins mid-answer, reads to the end
    assert live.turn.status == "complete"
    assert text_of(late) == live.turn.text
    assert type(late[-1]).__name__ == "End"


def test_stop_from_any_follower_ends_it_at_once_and_keeps_the_text():
    session = ChatSession()
    live = session.send("Write a long answer about rivers", MOCK, GEN, MockOptions(ttft=0, chunk_delay=0.01))
    other_tab = ChatSession(hub=session.hub)
    other_tab.conversation = session.conversation
    for _ in zip(range(20), session.events(live), strict=False):
        pass
    other_tab.stop()
    assert live.wait(2)
    assert live.turn.status == "stopped" and live.turn.text and live.turn.end_message == "Stopped."


def test_a_new_prompt_stops_the_running_answer():
    session = ChatSession()
    first = session.send("Write a long answer about rivers", MOCK, GEN, MockOptions(ttft=0, chunk_delay=0.01))
    second = session.send("hello", MOCK, GEN, FAST)
    assert first.wait(2) and first.turn.status == "stopped"
    assert first.turn.end_message == "Stopped: a new prompt was sent."
    assert second.wait(5) and second.turn.status == "complete"


def test_nobody_following_for_the_idle_limit_stops_it():
    session = ChatSession(hub=TurnHub(idle_limit=0.5))
    live = session.send("Write a long answer about rivers", MOCK, GEN, MockOptions(ttft=0, chunk_delay=0.05))
    started = time.monotonic()
    assert live.wait(10)
    assert live.turn.status == "stopped" and live.turn.end_message == "Stopped: nobody was watching this answer."
    assert time.monotonic() - started < 5


def test_a_followed_answer_outlives_the_idle_limit():
    session = ChatSession(hub=TurnHub(idle_limit=0.3))
    live = session.send("Explain how photosynthesis works", MOCK, GEN, MockOptions(ttft=0, chunk_delay=0.004))
    for _ in live.follow(tick=0.05):
        pass
    assert live.turn.status == "complete"


def test_the_hub_forgets_an_answer_once_it_ended():
    session = ChatSession()
    live = session.send("hello", MOCK, GEN, FAST)
    assert live.wait(5)
    deadline = time.monotonic() + 2
    while session.hub.get(session.conversation.id) is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert session.hub.get(session.conversation.id) is None and not session.is_streaming
    assert live.turn in session.finished_turns


def test_a_batching_follower_gets_every_event_in_order_with_the_first_at_once_and_fewer_wakes():
    session = ChatSession()
    live = session.send("Explain how photosynthesis works", MOCK, GEN, MockOptions(ttft=0.3, chunk_delay=0.004))
    sent = time.monotonic()
    batched, seen_at = [], []
    for event in live.follow(batch=0.1):
        if event is not TICK:
            batched.append(event)
            seen_at.append(time.monotonic() - sent)
    assert batched == [e for e in live.follow() if e is not TICK]  # the same events, same order, to the End
    assert type(batched[-1]).__name__ == "End" and text_of(batched) == live.turn.text
    assert seen_at[0] - live.turn.first_token_s < 0.05  # the first text does not wait for a batch (0.1 s)
    wakes = len({round(t, 3) for t in seen_at})  # events handed out together share a moment
    assert wakes < len(batched) / 5  # ~400 events at 4 ms: one wake per ~25 of them


def test_only_answers_started_for_replay_stay_findable_after_they_end():
    session = ChatSession()
    page_answer = session.send("Hello", MOCK, GEN, FAST)
    assert page_answer.wait(10)
    api_answer = session.send("Hello again", MOCK, GEN, FAST, keep_for_replay=True)
    assert api_answer.wait(10)
    deadline = time.monotonic() + 5
    while len(session.hub) and time.monotonic() < deadline:  # the hub settles on the answer's thread
        time.sleep(0.01)
    assert session.hub.find_turn(api_answer.turn_id) is api_answer  # an API client may replay it
    assert session.hub.find_turn(page_answer.turn_id) is None  # a page's answer is not held (nor its event log)
