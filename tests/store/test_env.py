"""Where the store is, from secrets and the environment."""

from __future__ import annotations

from pathlib import Path

from chatcore.store import DEFAULT_URL, ChatStore, url_from_env
from chatcore.store.engine import parse_url


class NoSecretsFile(dict):
    """Like ``st.secrets`` when no secrets file exists: reading it raises."""

    def get(self, *args, **kwargs):
        raise FileNotFoundError("No secrets files found")


def test_database_url_from_secrets_wins_over_the_environment():
    env = {"DATABASE_URL": "postgresql://env/db", "CHAT_DB_PATH": "/tmp/x.db"}
    assert url_from_env(env, {"DATABASE_URL": "postgresql://secret/db"}) == "postgresql://secret/db"
    assert url_from_env(env, {}) == "postgresql://env/db"


def test_chat_db_path_then_the_default():
    assert url_from_env({"CHAT_DB_PATH": "/var/lib/chat/chat.db"}, {}) == "sqlite:////var/lib/chat/chat.db"
    assert url_from_env({"CHAT_DB_PATH": "rel/chat.db"}, {}) == "sqlite:///rel/chat.db"
    assert url_from_env({}, {}) == DEFAULT_URL
    assert url_from_env({"DATABASE_URL": "  "}, NoSecretsFile()) == DEFAULT_URL


def test_plain_postgres_urls_use_psycopg():
    for url in ("postgres://u:p@h/db", "postgresql://u:p@h/db"):
        assert parse_url(url).drivername == "postgresql+psycopg"


def test_from_env_opens_the_file_named_by_chat_db_path(tmp_path):
    path = tmp_path / "nested" / "chat.sqlite3"
    with ChatStore.from_env(env={"CHAT_DB_PATH": str(path)}) as store:
        store.migrate()
        cid = store.create_conversation("me")
    assert path.exists()
    with ChatStore.from_env(env={}, secrets={"DATABASE_URL": f"sqlite:///{path}"}) as again:
        assert again.load(cid, "me") is not None


def test_the_default_file_is_in_the_apps_folder_whatever_the_current_directory(tmp_path, monkeypatch):
    app_dir = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(tmp_path)  # started from elsewhere: the default must not follow the cwd
    url = parse_url(url_from_env({}, {}))
    assert Path(url.database) == app_dir / "data" / "chat.sqlite3"
    assert Path(url.database).is_absolute()
