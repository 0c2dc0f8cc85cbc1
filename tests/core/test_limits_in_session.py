"""The guard sits where a prompt becomes a request: refused prompts never reach the upstream,
are not saved, and the answer that is allowed sends the capped ``max_tokens``. Each answer
leaves one JSON log line that never holds the key and (by default) no text.

Upstream: the mock *HTTP* server (a real socket, its request log is the proof).
"""

from __future__ import annotations

import io
import json
import logging
import time

import pytest

from chatcore.answer_log import LOGGER_NAME, enable_answer_log
from chatcore.archive import ChatArchive
from chatcore.limits import Guard, LimitCounters, LimitExceeded, Limits, requester_for
from chatcore.mock import MockOptions, MockServer
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.store import ChatStore
from chatcore.visitor import Visitor, link_owner

KEY = "sk-test-THIS-MUST-NEVER-BE-LOGGED"
PROMPT = "What is 23*17+4? my secret plan"


@pytest.fixture
def upstream():
    with MockServer(options=MockOptions(ttft=0, chunk_delay=0), quiet=True) as server:
        yield server


@pytest.fixture
def store(tmp_path):
    with ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite3'}") as store:
        store.migrate()
        yield store


def config_for(upstream) -> ProviderConfig:
    return ProviderConfig(kind="openai", base_url=upstream.url, api_key=KEY, model="mock-gpt")


def session_with(store, limits: Limits, key: str = "tab-1", address: str = "192.0.2.1") -> ChatSession:
    visitor = Visitor(user_id=None, browser_key=key)
    guard = Guard(limits, LimitCounters(store), requester_for(None, key, address))
    return ChatSession(archive=ChatArchive(store, visitor), guard=guard)


def chat_calls(upstream) -> list:
    return [r for r in upstream.requests if r.path.endswith("/chat/completions")]


def answer(session: ChatSession, prompt: str, config: ProviderConfig, settings: GenerationSettings = GenerationSettings()):
    live = session.send(prompt, config, settings)
    assert live.wait(30)
    assert session.wait_saved(5)
    deadline = time.monotonic() + 10
    while live.turn not in session.finished_turns and time.monotonic() < deadline:  # the end is handled on the answer's thread
        time.sleep(0.01)
    return live.turn


def test_a_refused_prompt_never_reaches_the_upstream_nor_the_store(store, upstream):
    session = session_with(store, Limits(prompts_per_minute=2, max_answer_tokens=64))
    config = config_for(upstream)
    assert answer(session, PROMPT, config).status == "complete"
    per_answer = len(chat_calls(upstream))  # the calculator prompt: a tool call, then the answer (2 requests)
    assert answer(session, PROMPT, config).status == "complete"
    with pytest.raises(LimitExceeded) as caught:
        session.send("one too many", config, GenerationSettings())
    assert caught.value.limit == "prompts_per_minute" and "You can send the next one in" in caught.value.message
    assert len(chat_calls(upstream)) == 2 * per_answer  # the third never went out
    assert all(r.body["max_tokens"] == 64 for r in chat_calls(upstream))  # capped as configured
    stored = store.load(session.conversation.id, link_owner(session.conversation.id))
    assert [e.content for e in stored.entries if hasattr(e, "content")] == [PROMPT, PROMPT]  # not saved either
    # Another visitor streams as usual meanwhile.
    other = session_with(store, Limits(prompts_per_minute=2), key="tab-2", address="198.51.100.9")
    assert answer(other, PROMPT, config).status == "complete"
    assert len(chat_calls(upstream)) == 3 * per_answer


def test_one_answer_at_a_time_a_new_prompt_stops_the_running_one_and_takes_its_place(store, upstream):
    slow = ProviderConfig(kind="openai", base_url=upstream.url, api_key=KEY, model="mock-gpt",
                          extra_headers={"X-Mock-Chunk-Delay": "0.05"})
    session = session_with(store, Limits(concurrent_answers=1))
    first = session.send("Write a long answer about rivers", slow, GenerationSettings())
    second = session.send(PROMPT, config_for(upstream), GenerationSettings())  # stops the first: its slot is free
    assert first.turn.status == "stopped"
    assert second.wait(30) and second.turn.status == "complete"


def test_each_answer_logs_one_json_line_without_the_key_or_the_text(store, upstream):
    stream = io.StringIO()
    logger = logging.getLogger(LOGGER_NAME)
    earlier = list(logger.handlers)  # a page test may have turned the log on (to stdout) already
    for handler in earlier:
        logger.removeHandler(handler)
    enable_answer_log(stream)
    try:
        session = session_with(store, Limits())
        turn = answer(session, PROMPT, config_for(upstream))
        deadline = time.monotonic() + 10
        # Wait for *this* answer's line: an earlier test's answer may still end and log meanwhile.
        while session.conversation.id not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        mine = [line for line in lines if line["conversation"] == session.conversation.id]
        assert len(mine) == 1
        line = mine[0]
        assert line["event"] == "answer" and line["turn"] == turn.message_id and line["visitor"] == "anonymous"
        assert line["model"] == "mock-gpt" and line["status"] == "complete" and line["tool_calls"] == 1
        assert line["tools"] == ["calculator"] and line["error_kind"] is None and line["total_tokens"] > 0
        assert line["ttft_s"] is not None and line["duration_s"] >= line["ttft_s"]
        raw = stream.getvalue()
        assert KEY not in raw and "secret plan" not in raw and "395" not in raw  # neither the key nor what was said

        session.log_messages = True  # CHAT_LOG_MESSAGES=1
        answer(session, PROMPT, config_for(upstream))
        deadline = time.monotonic() + 10
        def mine_now() -> list[dict]:
            return [json.loads(x) for x in stream.getvalue().splitlines() if session.conversation.id in x]

        while len(mine_now()) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        last = mine_now()[-1]
        assert last["prompt"] == PROMPT and "395" in last["answer"] and KEY not in stream.getvalue()
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        for handler in earlier:
            logger.addHandler(handler)
