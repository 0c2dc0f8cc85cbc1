"""Migrations build the schema from an empty database, once, and match ``schema.py``."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect

from chatcore.store import MIGRATIONS, ChatStore
from chatcore.store.migrations import applied_migrations
from chatcore.store.schema import metadata

ALL = [fn.__name__ for fn in MIGRATIONS]


def test_migration_names_are_unique_and_ordered():
    assert len(ALL) == len(set(ALL)) and sorted(ALL) == ALL


@pytest.fixture(params=["file", "memory", "postgres"])
def empty_url(request, tmp_path):
    if request.param == "file":
        return f"sqlite:///{tmp_path / 'new' / 'dir' / 'chat.sqlite3'}"
    if request.param == "memory":
        return "sqlite://"
    return request.getfixturevalue("postgres").fresh_url()


def test_from_an_empty_database_every_migration_runs_once(empty_url):
    with ChatStore(empty_url) as store:
        with store.engine.connect() as conn:
            assert applied_migrations(conn) == []
        assert store.migrate() == ALL
        assert store.migrate() == []  # idempotent
        with store.engine.connect() as conn:
            assert applied_migrations(conn) == ALL
        cid = store.create_conversation("me")
        store.add_user_message(cid, "me", "still here")
        assert store.migrate() == []
        assert store.load(cid, "me").entries[0].content == "still here"


def test_a_reopened_file_is_not_migrated_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'chat.sqlite3'}"
    with ChatStore(url) as first:
        first.migrate()
        cid = first.create_conversation("me", title="kept")
    with ChatStore(url) as second:
        assert second.migrate() == []
        assert second.load(cid, "me").title == "kept"


def test_the_migrated_tables_match_schema_py(empty_url):
    with ChatStore(empty_url) as store:
        store.migrate()
        inspector = inspect(store.engine)
        for table in metadata.sorted_tables:
            columns = {c["name"]: c for c in inspector.get_columns(table.name)}
            assert set(columns) == set(table.columns.keys()), table.name
            for column in table.columns:
                assert columns[column.name]["nullable"] == column.nullable or column.primary_key, (table.name, column.name)
        fks = inspector.get_foreign_keys("messages") + inspector.get_foreign_keys("tool_calls")
        assert all(fk["options"].get("ondelete", "").upper() == "CASCADE" for fk in fks) and len(fks) == 2


def test_two_processes_migrating_at_once_apply_each_step_once(backend, db_url):
    stores = [ChatStore(db_url) for _ in range(4)]
    results: list[list[str]] = []
    barrier = threading.Barrier(len(stores))

    def run(store: ChatStore) -> None:
        barrier.wait()
        results.append(store.migrate())

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert sorted(results, key=len) == [[], [], [], ALL]
