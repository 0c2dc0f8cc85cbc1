"""Where the database is, and an engine set up for many threads of one process.

SQLite: every thread borrows its own connection from a pool (never one shared), WAL so
readers do not wait for the writer, a busy timeout instead of instant 'database is locked',
foreign keys on (deletes cascade), and write transactions opened with ``BEGIN IMMEDIATE`` so
two writers queue up instead of failing when a read transaction tries to become a write.
An in-memory database (``sqlite://``) lives in one connection, so it is handed out to
one thread at a time (the store holds a lock around it): it is for tests and trials.

PostgreSQL (``postgresql+psycopg://``; ``postgres://`` and ``postgresql://`` are read as
that too): a pool that checks a connection before use, so a restarted server costs one
failed request at most; the busy timeout is also the connect timeout (a server that is down
fails fast) and the lock timeout (a row locked elsewhere fails instead of hanging).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

DEFAULT_URL = "sqlite:///data/chat.sqlite3"
BEGIN_MODE = "chatstore_begin"  # execution option: "IMMEDIATE" for SQLite write transactions


def url_from_env(env: Mapping[str, str] = os.environ, secrets: Mapping[str, Any] = {}) -> str:  # noqa: B006 (read only)
    """``DATABASE_URL`` (secrets first, then the environment), else ``CHAT_DB_PATH`` (a file), else the default."""
    for source in (secrets, env):
        value = _get(source, "DATABASE_URL")
        if value:
            return value
    for source in (secrets, env):
        path = _get(source, "CHAT_DB_PATH")
        if path:
            return str(URL.create("sqlite", database=str(path)))
    return DEFAULT_URL


def _get(source: Mapping[str, Any], name: str) -> str:
    try:  # st.secrets raises when there is no secrets file at all
        value = source.get(name)
    except Exception:  # noqa: BLE001
        return ""
    return str(value).strip() if value else ""


def parse_url(url: str | URL) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def is_memory(url: URL) -> bool:
    database = url.database or ""
    return is_sqlite(url) and (database in ("", ":memory:") or "mode=memory" in database or url.query.get("mode") == "memory")


def make_engine(url: URL, *, busy_timeout: float = 5.0, pool_size: int = 5, max_overflow: int = 20) -> Engine:
    """The engine for ``url``; creates the SQLite file's folder. Raises ``OSError`` if it cannot."""
    if not is_sqlite(url):
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=True,
            connect_args={"connect_timeout": max(1, int(busy_timeout))},
        )

        @event.listens_for(engine, "connect")
        def _on_pg_connect(dbapi_connection: Any, _record: Any) -> None:
            # A row locked too long (a stuck transaction elsewhere) fails like SQLite's busy
            # timeout instead of hanging the thread that saves the answer.
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {int(busy_timeout * 1000)}")
            dbapi_connection.autocommit = autocommit

        return engine
    memory = is_memory(url)
    uri = str(url.query.get("uri", "")).lower() in ("true", "1")
    if not memory and not uri and url.database:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False, "timeout": busy_timeout}
    if memory:
        engine = create_engine(url, poolclass=StaticPool, connect_args=connect_args)
    else:
        engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we say BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not memory:
                try:
                    cursor.execute("PRAGMA journal_mode = WAL")
                    cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a commit is not an fsync
                except Exception:  # noqa: BLE001, S110 - a read-only file: reads still work, writes will say why
                    pass
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(BEGIN_MODE, "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def safe_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


__all__ = ["BEGIN_MODE", "DEFAULT_URL", "is_memory", "is_sqlite", "make_engine", "parse_url", "safe_url", "url_from_env"]
