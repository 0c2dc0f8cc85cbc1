"""Who may use the API: tokens (made on the app's API page, stored hashed, revocable) when
sign-in or a password is configured; another owner's session is a 404; bad requests get a
JSON error naming the field; CORS is off unless configured; the API can be turned off."""

from __future__ import annotations

import httpx2
import pytest

from chatcore.api_tokens import ApiTokens
from chatcore.store import ChatStore

from .conftest import ApiServer, stream_chat


@pytest.fixture
def tokens(isolated_env):
    store = ChatStore(f"sqlite:///{isolated_env / 'chat.sqlite3'}")
    store.migrate()
    yield ApiTokens(store)
    store.close()


@pytest.fixture
def gated(monkeypatch):
    monkeypatch.setenv("APP_PASSWORD", "a shared password")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_with_a_password_configured_no_token_or_a_wrong_one_is_a_401_with_json(gated, client):
    for headers in ({}, bearer("sct_not-a-real-token"), {"Authorization": "Basic eDp5"}):
        response = client.get("/sessions", headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert "token" in response.json()["error"]["message"]
    assert client.post("/chat", json={"message": "hi"}).status_code == 401


def test_a_token_works_until_it_is_revoked_and_only_its_hash_is_stored(gated, client, tokens):
    token, record = tokens.create("user:alice", "laptop")
    recorded = stream_chat(client, {"message": "hello"}, headers=bearer(token))
    assert recorded.events[-1]["finish_reason"] == "stop"
    listed = client.get("/sessions", headers=bearer(token)).json()["sessions"]
    assert [s["id"] for s in listed] == [recorded.events[0]["session_id"]]
    with tokens.store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash FROM api_tokens").scalars().all()
    assert token not in str(stored) and len(stored[0]) == 64
    assert tokens.revoke("user:bob", record.id) is False  # someone else's token id changes nothing
    assert tokens.revoke("user:alice", record.id) is True
    assert client.get("/sessions", headers=bearer(token)).status_code == 401


def test_another_owners_session_is_a_404_for_every_verb(gated, client, tokens):
    alice, _ = tokens.create("user:alice", "a")
    bob, _ = tokens.create("user:bob", "b")
    recorded = stream_chat(client, {"message": "hello", "resumable": True}, headers=bearer(alice))
    session_id, turn_id = recorded.events[0]["session_id"], recorded.events[0]["turn_id"]
    as_bob = bearer(bob)
    assert client.get(f"/sessions/{session_id}", headers=as_bob).status_code == 404
    assert client.patch(f"/sessions/{session_id}", json={"title": "mine"}, headers=as_bob).status_code == 404
    assert client.delete(f"/sessions/{session_id}", headers=as_bob).status_code == 404
    assert client.post(f"/chat/{turn_id}/stop", headers=as_bob).status_code == 404
    assert client.get(f"/chat/{turn_id}/events", headers=as_bob).status_code == 404
    with client.stream("POST", "/chat", json={"sessionId": session_id, "message": "x"}, headers=as_bob) as r:
        assert r.status_code == 404
    assert client.get("/sessions", headers=as_bob).json()["sessions"] == []
    assert client.get(f"/sessions/{session_id}", headers=bearer(alice)).status_code == 200


def test_sessions_rename_and_delete(gated, client, tokens):
    token, _ = tokens.create("user:alice", "a")
    session_id = stream_chat(client, {"message": "What is 23*17+4?"}, headers=bearer(token)).events[0]["session_id"]
    session = client.get(f"/sessions/{session_id}", headers=bearer(token)).json()
    assert session["title"] == "What is 23*17+4?"
    [user, answer] = session["messages"]
    assert user["role"] == "user" and user["created_at"] > 0
    assert answer["tool_calls"][0]["result"]["result"] == 395 and answer["tool_calls"][0]["duration"] is not None
    renamed = client.patch(f"/sessions/{session_id}", json={"title": "Arithmetic"}, headers=bearer(token))
    assert renamed.status_code == 200
    assert client.get("/sessions", headers=bearer(token)).json()["sessions"][0]["title"] == "Arithmetic"
    assert client.delete(f"/sessions/{session_id}", headers=bearer(token)).status_code == 204
    assert client.get(f"/sessions/{session_id}", headers=bearer(token)).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"messages": [{"role": "system", "content": "x"}]}, "messages.0.role"),
    ({"message": "hi", "stream": True}, "stream"),
    ({"message": "hi", "temperature": "hot"}, "temperature"),
    ({"message": "hi", "tools": ["launch_rockets"]}, "tools.0"),
    ({"messages": [{"role": "user", "content": "a"}], "message": "b"}, "body"),
])
def test_bad_requests_get_a_422_that_names_the_field(client, body, field):
    response = client.post("/chat", json=body)
    assert response.status_code == 422
    fields = [p["field"] for p in response.json()["error"]["problems"]]
    assert field in fields or (field == "body" and fields), fields


def test_malformed_oversized_and_non_json_bodies_are_refused(client):
    assert client.post("/chat", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 422
    assert client.post("/chat", content=b"x" * 1_100_000, headers={"Content-Type": "application/json"}).status_code == 413
    assert client.post("/chat", content=b"message=hi").status_code == 415


def test_cors_is_off_by_default_and_on_for_configured_origins(monkeypatch, isolated_env):
    with ApiServer() as server, httpx2.Client(base_url=server.url + "/api") as c:
        r = c.get("/sessions", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
    monkeypatch.setenv("CHAT_API_CORS_ORIGINS", "https://app.example")
    with ApiServer() as server, httpx2.Client(base_url=server.url + "/api") as c:
        ok = c.get("/sessions", headers={"Origin": "https://app.example"})
        assert ok.headers["access-control-allow-origin"] == "https://app.example"
        other = c.get("/sessions", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_the_api_can_be_turned_off(monkeypatch, client):
    monkeypatch.setenv("CHAT_API", "off")
    assert client.post("/chat", json={"message": "hi"}).status_code == 404
