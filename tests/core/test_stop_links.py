"""Stop links: the token a page gets for the answer it follows stops that answer (the same
result as the Stop button: partial text kept, marked stopped, saved) and nothing else; a forged,
used or stale token stops nothing; the registry forgets each answer when it ends; and the token
is never saved, exported or logged."""

from __future__ import annotations

import logging
import threading
import time

from chatcore.archive import ChatArchive
from chatcore.export import to_json, to_markdown
from chatcore.live_turn import LiveTurn
from chatcore.mock.options import MockOptions
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.stop_links import StopLinks
from chatcore.store import ChatStore, turn_to_record
from chatcore.visitor import Visitor

MOCK = ProviderConfig()
GEN = GenerationSettings()
FAST = MockOptions(ttft=0, chunk_delay=0)
STEADY = MockOptions(ttft=0, chunk_delay=0.01)
LONG = "Write a long answer about rivers"


def streaming(session: ChatSession, prompt: str = LONG) -> LiveTurn:
    """An answer that has said something and goes on for seconds."""
    live = session.send(prompt, MOCK, GEN, STEADY)
    deadline = time.monotonic() + 5
    while len(live.turn.text) < 20:
        assert time.monotonic() < deadline, "the answer said nothing"
        time.sleep(0.01)
    return live


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_the_token_stops_its_answer_like_the_button_keeping_the_text():
    links = StopLinks()
    live = streaming(ChatSession())
    token = links.token_for(live)
    assert token is not None and len(token) >= 22  # ≥ 128 bits in URL-safe base64
    assert links.stop(token)
    assert live.wait(2)
    assert live.turn.status == "stopped" and live.turn.finish_reason == "cancelled" and len(live.turn.text) >= 20


def test_every_follower_of_an_answer_gets_its_token_and_other_answers_get_others():
    links = StopLinks()
    a, b = streaming(ChatSession()), streaming(ChatSession())
    token_a, token_b = links.token_for(a), links.token_for(b)
    assert links.token_for(a) == token_a  # a second tab, a reload: the same answer's token
    assert token_a != token_b
    a.stop()
    b.stop()


def test_a_token_for_answer_a_cannot_stop_answer_b():
    links = StopLinks()
    a, b = streaming(ChatSession()), streaming(ChatSession())
    token_a = links.token_for(a)
    links.token_for(b)
    assert links.stop(token_a)
    assert a.wait(2) and a.turn.status == "stopped"
    time.sleep(0.1)
    assert not b.is_finished, "stopping A stopped B"
    assert not links.stop(token_a)  # used: it names nothing now, and B still runs
    assert not b.is_finished
    b.stop()


def test_a_forged_or_mangled_token_stops_nothing():
    links = StopLinks()
    live = streaming(ChatSession())
    token = links.token_for(live)
    assert token is not None
    forged = ["", "x" * len(token), token[:-1], token + "A", token.upper(), f" {token}", live.turn_id,
              live.conversation_id]
    for guess in forged:
        assert not links.stop(guess), f"{guess!r} stopped the answer"
    time.sleep(0.05)
    assert not live.is_finished
    assert links.stop(token)  # the real one still works


def test_the_registry_forgets_an_answer_when_it_ends_and_its_stale_token_stops_nothing():
    links = StopLinks()
    session = ChatSession()
    live = session.send("hello", MOCK, GEN, MockOptions(ttft=0.3, chunk_delay=0))
    token = links.token_for(live)
    assert token is not None and len(links) == 1
    assert live.wait(5) and live.turn.status == "complete"
    assert len(links) == 0  # forgotten before wait() returned: nothing held of an ended answer
    assert not links.stop(token)
    assert links.token_for(live) is None  # nothing left to stop: no new token either
    assert len(links) == 0
    next_answer = streaming(session)  # the next answer in the same chat: a new token; the old one stays dead
    assert links.token_for(next_answer) not in (None, token)
    assert not links.stop(token) and not next_answer.is_finished
    next_answer.stop()
    assert next_answer.wait(2) and len(links) == 0


def test_answers_stopped_any_way_are_forgotten():
    links = StopLinks()
    by_button, by_prompt = streaming(ChatSession()), ChatSession()
    links.token_for(by_button)
    first = streaming(by_prompt)
    links.token_for(first)
    assert len(links) == 2
    by_button.stop()  # the Stop button's own path
    by_prompt.send("hello", MOCK, GEN, FAST)  # a new prompt stops the first answer
    assert by_button.wait(2) and first.wait(2)
    wait_until(lambda: len(links) == 0)


def test_many_threads_asking_for_tokens_while_answers_end_leave_nothing_behind():
    links = StopLinks()
    answers = [ChatSession().send("hello", MOCK, GEN, MockOptions(ttft=0.01 * (i % 5), chunk_delay=0))
               for i in range(24)]
    tokens: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def ask() -> None:
        for i, live in enumerate(answers):
            token = links.token_for(live)
            with lock:
                tokens.append((i, token))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(live.wait(10) for live in answers)
    assert len(links) == 0
    issued = [t for _, t in tokens if t is not None]
    assert issued and not any(links.stop(t) for t in issued)
    per_answer: dict[int, set[str]] = {}
    for i, token in tokens:
        if token is not None:
            per_answer.setdefault(i, set()).add(token)
    assert all(len(seen) == 1 for seen in per_answer.values())  # one token per answer, whoever asked


def test_a_callback_after_the_end_runs_at_once_and_one_before_runs_before_wait_returns():
    live = ChatSession().send("hello", MOCK, GEN, MockOptions(ttft=0.2, chunk_delay=0))
    seen: list[str] = []
    live.when_ended(lambda: seen.append("before"))
    assert live.wait(5) and seen == ["before"]
    live.when_ended(lambda: seen.append("after"))
    assert seen == ["before", "after"]


def test_the_token_is_never_saved_exported_or_logged(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    links = StopLinks()
    with ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite3'}") as store:
        store.migrate()
        session = ChatSession(archive=ChatArchive(store, Visitor(user_id=None, browser_key="tab-1")))
        live = streaming(session)
        token = links.token_for(live)
        assert token is not None and links.stop(token)
        assert live.wait(2) and session.wait_saved(5)
        saved = store.load(session.conversation.id, None)
    assert saved is not None and saved.entries[-1].status == "stopped"  # saved as the button saves it
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert token.encode() not in files
    assert token not in to_markdown(session.conversation) and token not in to_json(session.conversation, turn_to_record)
    assert all(token not in record.getMessage() for record in caplog.records)
