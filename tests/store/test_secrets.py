"""No API key is ever stored: not in the settings, not anywhere in the database."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import select

from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.store import ChatStore, strip_secrets
from chatcore.store.schema import metadata

from .test_store import save_streamed
from .turns import RICH_EVENTS

FAKE_KEY = "sk-test-FAKEKEY-0123456789abcdefghij"


def settings_with_secrets() -> dict:
    provider = ProviderConfig(
        kind="openai",
        base_url="https://llm.example/v1",
        api_key=FAKE_KEY,
        model="gpt-test",
        extra_headers={"Authorization": f"Bearer {FAKE_KEY}", "X-Title": "chat"},
    )
    return {
        "provider": dataclasses.asdict(provider),
        "generation": dataclasses.asdict(GenerationSettings(max_tokens=256, temperature=0.3)),
        "OPENAI_API_KEY": FAKE_KEY,
        "secret": FAKE_KEY,
        "db_password": FAKE_KEY,
        "access_token": FAKE_KEY,
        "profiles": [{"name": "work", "apiKey": FAKE_KEY}],
    }


def everything_stored(store: ChatStore, db_url: str) -> bytes:
    """SQLite: the file's bytes (with its WAL). PostgreSQL: every row of every table."""
    if store.engine.dialect.name == "sqlite":
        store.close()
        path = Path(store.url.database)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    with store.engine.connect() as conn:
        return repr([conn.execute(select(table)).all() for table in metadata.sorted_tables]).encode()


def test_secrets_are_stripped_from_stored_settings(store):
    cid = store.create_conversation("me", settings=settings_with_secrets())
    stored = store.get_settings(cid, "me")
    assert FAKE_KEY not in repr(stored)
    assert "api_key" not in stored["provider"] and "OPENAI_API_KEY" not in stored
    assert stored["provider"]["extra_headers"] == {"X-Title": "chat"}
    assert stored["provider"]["model"] == "gpt-test" and stored["provider"]["base_url"] == "https://llm.example/v1"
    assert stored["generation"]["max_tokens"] == 256 and stored["generation"]["temperature"] == 0.3  # a count, not a token
    assert stored["profiles"] == [{"name": "work"}]


def test_no_key_anywhere_in_the_database(store, db_url):
    cid = store.create_conversation("me", model="gpt-test", settings=settings_with_secrets())
    store.add_user_message(cid, "me", "What is 2*21?")
    message_id, turn = save_streamed(store, cid, "me", RICH_EVENTS)
    turn.finish("stopped", "cancelled")
    store.finish(message_id, turn)
    data = everything_stored(store, db_url)
    assert b"What is 2*21?" in data and b"Mars/Olympus" in data  # we are looking at the right bytes
    assert FAKE_KEY.encode() not in data
    assert b"FAKEKEY" not in data


def test_strip_secrets_names():
    kept = {"max_tokens": 5, "max_completion_tokens": None, "temperature": 1, "model": "m", "keep": {"tools": ["a"]}}
    dropped = {"api_key": 1, "API_KEY": 1, "Authorization": 1, "token": 1, "refresh_token": 1, "client_secret": 1, "password": 1,
               "cookie": 1, "credentials": 1, "tokens": "sk-a-string-not-a-count"}
    assert strip_secrets({**kept, **dropped}) == kept
