"""Issue 16, finding 5, against the real app: prompts over the limit never reach the store.

A browser-less websocket client sends what a browser would refuse to: a 20 MB prompt (over
``server.maxMessageSize``: the connection is closed), a prompt just over the character limit
through the chat input (Streamlit cuts it to ``max_chars`` on the server), and through the
edit box, which has no limit of its own (the page's check refuses it with a message).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from .harness import StreamlitServer, run_async
from .ws_widgets import Visitor

LIMIT = 1_000


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("prompt-size") / "chat.sqlite3"


@pytest.fixture(scope="module")
def app(db):
    with StreamlitServer(env={"CHAT_MAX_PROMPT_CHARS": str(LIMIT), "CHAT_DB_PATH": str(db)}) as server:
        yield server


def stored_user_prompts(db: Path) -> list[str]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "messages" not in tables:
            return []
        return [row[0] for row in conn.execute("SELECT content FROM messages WHERE role='user' ORDER BY id")]


def conversation_ids(db: Path) -> list[str]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return [row[0] for row in conn.execute("SELECT id FROM conversations")] if "conversations" in tables else []


async def chat_input_id(visitor: Visitor) -> str:
    return visitor.last.widget("chat_input", "prompt").id


def test_a_20_mb_prompt_closes_the_connection_and_nothing_is_stored(app, db):
    async def scenario() -> None:
        visitor = await Visitor(app.port).open()
        chat = visitor.last.widget("chat_input", "prompt")
        assert chat.max_chars == LIMIT  # the browser stops typing here
        with pytest.raises(ConnectionClosed) as closed:
            await visitor.submit({chat.id: ("chat_input_value", "x" * 20 * 1024 * 1024)}, timeout=60)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009, closed.value  # "message too big"
        await visitor.close()
        # the server is fine: the next visitor is served
        other = await Visitor(app.port).open()
        await other.close()

    run_async(scenario())
    assert conversation_ids(db) == [] and stored_user_prompts(db) == []


def test_a_prompt_over_the_limit_is_never_stored_whole(app, db):
    async def scenario() -> None:
        visitor = await Visitor(app.port).open()
        try:
            prompt = "a" * LIMIT + "TAIL-BEYOND-THE-LIMIT"
            await visitor.submit({await chat_input_id(visitor): ("chat_input_value", prompt)}, timeout=90)
        finally:
            await visitor.close()

    before = stored_user_prompts(db)
    run_async(scenario())
    new = stored_user_prompts(db)[len(before):]
    # Streamlit cuts a chat input's value to max_chars on the server: what reaches the app,
    # the store and the provider is at most the limit.
    assert new == ["a" * LIMIT]


def test_an_edited_prompt_over_the_limit_is_refused_with_a_message_and_nothing_changes(app, db):
    async def scenario() -> list[str]:
        visitor = await Visitor(app.port).open()
        try:
            await visitor.submit({await chat_input_id(visitor): ("chat_input_value", "hello there")}, timeout=90)
            # This visitor's conversation, as its page names it (the module's database holds others too).
            edit_id = next(p.id for kind, p in visitor.last.widgets if kind == "button" and "-edit-" in p.id)
            cid = edit_id.split("-edit-", 1)[1].rsplit("-", 1)[0]
            assert cid in conversation_ids(db)
            await visitor.submit({edit_id: ("trigger_value", True)})
            box = visitor.last.widget("text_area", f"edit-text-{cid}-0")
            send = visitor.last.widget("button", f"edit-send-{cid}-0")
            run = await visitor.submit({box.id: ("string_value", "b" * (LIMIT + 1)), send.id: ("trigger_value", True)})
            assert run.has_widget("text_area", f"edit-text-{cid}-0")  # still open, to shorten it
            return run.alerts
        finally:
            await visitor.close()

    before = stored_user_prompts(db)
    alerts = run_async(scenario())
    assert f"Your message is {LIMIT + 1:,} characters; the limit is {LIMIT:,}." in " ".join(alerts), alerts
    assert stored_user_prompts(db)[len(before):] == ["hello there"]  # the original prompt, untouched
