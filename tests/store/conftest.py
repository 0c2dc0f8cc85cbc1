"""Store fixtures: every store test runs on SQLite (a file) and on PostgreSQL.

PostgreSQL is a throwaway server started once per session from Debian's binaries
(``pg_server.py``), or the server named by ``CHAT_TEST_POSTGRES_URL``; each test gets its own
empty schema. Where PostgreSQL cannot run, its half is skipped, saying why.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from chatcore.store import ChatStore

from .pg_server import CannotRun, PostgresServer

BACKENDS = ["sqlite", "postgres"]


class Postgres:
    """Hands out an empty schema per test (much faster than a database per test)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._admin = create_engine(make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
        self._names = itertools.count()

    def fresh_url(self) -> str:
        schema = f"t{os.getpid()}_{next(self._names)}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(self.url).set(drivername="postgresql+psycopg").update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    pytest.importorskip("psycopg", reason="psycopg not installed (pip install 'psycopg[binary]')")
    external = os.environ.get("CHAT_TEST_POSTGRES_URL")
    if external:
        pg = Postgres(external)
        yield pg
        pg.close()
        return
    try:
        server = PostgresServer.start()
    except CannotRun as exc:
        pytest.skip(str(exc))
    pg = Postgres(server.url())
    try:
        yield pg
    finally:
        pg.close()
        server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'chat.sqlite3'}"
    return request.getfixturevalue("postgres").fresh_url()


@pytest.fixture
def make_store(db_url: str) -> Iterator[Callable[..., ChatStore]]:
    """``make_store(**options)``: a migrated store on this test's database (closed afterwards)."""
    stores: list[ChatStore] = []

    def make(**options: object) -> ChatStore:
        store = ChatStore(db_url, **options)  # type: ignore[arg-type]
        store.migrate()
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def store(make_store: Callable[..., ChatStore]) -> ChatStore:
    return make_store()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()
