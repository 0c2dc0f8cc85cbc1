"""AppTest fixtures: every test gets its own empty conversation database and no provider settings.

``CHAT_DB_PATH`` points the app at a fresh SQLite file in the test's tmp dir, so tests never
see each other's conversations (nor a developer's ``data/chat.sqlite3``); ``OPENAI_*`` are
removed, so the app starts on the built-in mock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chatcore.store import ChatStore

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")
PROVIDER_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "DATABASE_URL", "APP_PASSWORD")


@pytest.fixture(autouse=True)
def isolated_app_env(monkeypatch, tmp_path) -> Path:
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "chat.sqlite3"
    monkeypatch.setenv("CHAT_DB_PATH", str(db))
    return db


@pytest.fixture
def db_store(isolated_app_env):
    """The test's database, opened on the side (what a restarted server would read)."""
    store = ChatStore(f"sqlite:///{isolated_app_env}")
    store.migrate()
    yield store
    store.close()


def new_app(timeout: float = 30) -> AppTest:
    return AppTest.from_file(APP, default_timeout=timeout)


def shown_titles(at: AppTest) -> list[str]:
    """The conversation titles the History page shows (bold lines, Markdown escapes removed)."""
    return [m.value.strip("*").replace("\\", "") for m in at.markdown if m.value.startswith("**")]


@pytest.fixture
def operator():
    """The operator's server: records every request (tests/recording_server.py)."""
    from tests.recording_server import RecordingServer

    with RecordingServer() as server:
        yield server


@pytest.fixture
def visitor_server():
    """A server a visitor types in: must never see the operator's key."""
    from tests.recording_server import RecordingServer

    with RecordingServer() as server:
        yield server


ADVANCED = "advanced_settings"  # the sidebar's Advanced expander (ui/advanced_values.py)


def open_advanced(at: AppTest) -> AppTest:
    """Unfold the sidebar's *Advanced* section and rerun, as a click on it does: its widgets
    are built only while it is open (folded, the page reads their values from session state)."""
    at.session_state[ADVANCED] = True
    return at.run()


def fold_advanced(at: AppTest) -> AppTest:
    at.session_state[ADVANCED] = False
    return at.run()
