"""Plays every row of the README's fault table through the app and checks what it promises.

The README is the user's manual: if a row says what the user sees, this test makes it true.
The app runs (AppTest) against the mock *HTTP server* (``chatcore.mock.MockServer``) as an
OpenAI-compatible provider, so every fault crosses a real socket; each row checks what the
user sees, that the partial text stays on screen, the status the turn is stored with (read
back from the database, as a restarted server would) and that the next prompt works.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chatcore.mock import MockOptions, MockServer
from chatcore.visitor import link_owner

from .conftest import open_advanced

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard.py")

ROW = re.compile(r"^\| `(\[fault:[^\]]+\])`(?P<label>[^|]*)\| (?P<sees>[^|]+) \| (?P<partial>\w+) \| (?P<status>\w+) \|$")
QUOTED = re.compile(r"\"([^\"]+)\"")
SETUP = {  # rows that need a setting changed first, as their label says
    "[fault:stall:5]": {"read_timeout": 1},
    "[fault:429]": {"max_retries": 1},
}


def fault_rows() -> list[tuple[str, str, str, str]]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Faults and what the user sees", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        match = ROW.match(line.strip())
        if match:
            rows.append((match.group(1), match.group("sees"), match.group("partial"), match.group("status")))
    return rows


def test_the_readme_has_the_fault_table():
    assert len(fault_rows()) >= 18


def bubble_text(message) -> str:
    parts = [m.value for m in message.markdown] + [e.value for e in message.error] + [w.value for w in message.warning]
    parts += [c.value for c in message.caption] + [e.label for e in message.expander]
    return "\n".join(str(p) for p in parts)


@pytest.fixture(scope="module")
def mock_server():
    with MockServer(options=MockOptions(ttft=0, chunk_delay=0), quiet=True) as server:
        yield server


@pytest.mark.parametrize(("tag", "sees", "partial", "status"), fault_rows(), ids=lambda v: str(v)[:24])
def test_fault_row(monkeypatch, mock_server, db_store, tag, sees, partial, status):
    monkeypatch.setenv("OPENAI_BASE_URL", mock_server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_MODEL", "mock-gpt")
    at = AppTest.from_file(APP, default_timeout=60)
    open_advanced(at)
    assert at.sidebar.radio(key="provider_kind").value == "OpenAI-compatible"
    for key, value in SETUP.get(tag, {}).items():
        at.sidebar.number_input(key=key).set_value(value).run()
    at.chat_input(key="prompt").set_value(f"Please answer this {tag}").run()
    assert not at.exception
    assistant = at.chat_message[1]
    shown = bubble_text(assistant)
    session = at.session_state["chat_session"]
    turn = session.conversation.last_turn
    toast_part, _, bubble_part = sees.rpartition("toast ") if "toast" in sees else ("", "", sees)
    for words in QUOTED.findall(bubble_part.split(";", 1)[1] if toast_part else bubble_part):
        assert words in shown, f"{tag}: expected {words!r} in the answer bubble"
    if toast_part:  # toasts vanish on the next run; the turn keeps the notices it showed
        first = QUOTED.findall(bubble_part)[0]
        assert any(first == notice for notice in turn.notices), (first, turn.notices)
    assert turn.status == status
    session.wait_saved(5)
    cid = session.conversation.id
    stored = db_store.load(cid, link_owner(cid)).entries
    assert stored[0].content == f"Please answer this {tag}", f"{tag}: the prompt was not stored"
    assert stored[1].status == status, f"{tag}: stored as {stored[1].status}, shown as {status}"
    assert stored[1].text == turn.text, f"{tag}: the stored text differs from the text shown"
    if partial in ("kept", "complete"):
        assert turn.text.strip() and assistant.markdown, f"{tag}: the text received must stay on screen"
    else:
        assert not turn.text
    if status == "error":
        assert any(b.label == "Retry" for b in at.button)
    at.chat_input(key="prompt").set_value("hello").run()  # the next prompt works
    assert session.conversation.last_turn.status == "complete" and len(at.chat_message) == 4
