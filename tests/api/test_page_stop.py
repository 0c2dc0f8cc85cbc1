"""``POST /_chat/stop`` on a real socket, as ``app.py`` serves it: the stop link's token stops
the answer it names (the upstream closes, the partial answer is saved as stopped) and is its
only authority (it works with the API off or locked); every attack gets a 404 or a refusal and
stops nothing; the token never shows in the API's answers or the server's log."""

from __future__ import annotations

import logging
import time

import httpx2
import pytest

from chatcore.live_turn import LiveTurn
from chatcore.mock.options import MockOptions
from chatcore.services import turn_hub
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.stop_links import STOP_LINK_PATH, stop_links

from .conftest import ApiServer, replay, stream_chat

LONG = {"message": "Write a long answer about rivers", "resumable": True}


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.fixture
def site(api):
    """The server's root (the stop route is not under /api)."""
    with httpx2.Client(base_url=api.url, timeout=10) as c:
        yield c


def api_answer(client: httpx2.Client) -> tuple[LiveTurn, str]:
    """An answer started over the API (the upstream paced), followed by a page that got its token."""
    recorded = stream_chat(client, LONG, stop_after=5)
    live = turn_hub().find_turn(recorded.events[0]["turn_id"])
    assert live is not None and not live.is_finished
    token = stop_links().token_for(live)  # what the chat page gets when it follows the answer
    assert token is not None
    return live, token


def page_answer() -> tuple[LiveTurn, str]:
    """An answer the dashboard started (same process, the process's hub), with its page's token."""
    session = ChatSession(hub=turn_hub())
    live = session.send("Write a long answer about rivers", ProviderConfig(), GenerationSettings(),
                        MockOptions(ttft=0, chunk_delay=0.01))
    wait_until(lambda: len(live.turn.text) > 20)
    token = stop_links().token_for(live)
    assert token is not None
    return live, token


def stop(site: httpx2.Client, body: str | bytes, **headers: str) -> httpx2.Response:
    return site.post(STOP_LINK_PATH, content=body, headers={"Content-Type": "text/plain;charset=UTF-8", **headers})


def test_the_token_stops_the_answer_closes_the_upstream_and_keeps_what_was_said(client, site, upstream):
    live, token = api_answer(client)
    response = stop(site, token, **{"Sec-Fetch-Site": "same-origin", "Origin": str(site.base_url).rstrip("/")})
    assert response.status_code == 204 and response.content == b""
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]  # no CORS
    wait_until(lambda: upstream.requests[-1].client_disconnected)
    assert live.wait(5)
    rest = replay(client, live.turn_id, 0)
    assert rest.events[-1]["type"] == "end" and rest.events[-1]["finish_reason"] == "cancelled"
    def saved():
        return client.get(f"/sessions/{live.conversation_id}").json()["messages"][-1]
    wait_until(lambda: saved()["status"] == "stopped")
    assert saved()["content"] and live.turn.finish_reason == "cancelled"  # the button's result
    assert stop(site, token).status_code == 404  # used, and its answer has ended: the same 404


def test_forged_tokens_and_another_answers_token_stop_nothing(site):
    a, token_a = page_answer()
    b, token_b = page_answer()
    for forged in ["", "x" * len(token_b), token_b[:-1], token_b + "A", b.turn_id, b.conversation_id,
                   token_b.encode("utf-16"), b"\xff" + token_b.encode(), token_b * 3]:
        assert stop(site, forged).status_code == 404, forged
    assert stop(site, token_a).status_code == 204  # A's token stops A ...
    assert a.wait(2) and a.turn.status == "stopped"
    time.sleep(0.1)
    assert not b.is_finished, "a forged token, or A's, stopped B"  # ... and nothing else
    assert stop(site, token_b).status_code == 204
    assert b.wait(2)


def test_only_post_from_the_page_itself_is_taken(site):
    live, token = page_answer()
    for method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS"):
        response = site.request(method, STOP_LINK_PATH, content=token if method != "GET" else None)
        assert response.status_code == 405 and response.headers["allow"] == "POST", method
    assert site.get(STOP_LINK_PATH, params={"token": token}).status_code == 405  # never from a URL
    for other_site in ("cross-site", "same-site"):  # a browser tells where the request came from
        assert stop(site, token, **{"Sec-Fetch-Site": other_site}).status_code == 403
    preflight = site.options(STOP_LINK_PATH, headers={"Origin": "https://evil.example",
                                                      "Access-Control-Request-Method": "POST"})
    assert not [h for h in preflight.headers if h.lower().startswith("access-control-")]
    time.sleep(0.05)
    assert not live.is_finished
    assert stop(site, token).status_code == 204


def test_a_token_of_an_answer_that_ended_is_a_404(site):
    session = ChatSession(hub=turn_hub())
    live = session.send("hello", ProviderConfig(), GenerationSettings(), MockOptions(ttft=0.3, chunk_delay=0))
    token = stop_links().token_for(live)
    assert token is not None and live.wait(5) and live.turn.status == "complete"
    assert stop(site, token).status_code == 404
    assert live.turn.status == "complete"


@pytest.mark.parametrize("setting", [{"CHAT_API": "off"}, {"APP_PASSWORD": "a shared password"}])
def test_the_route_needs_no_api_access_only_the_token(monkeypatch, isolated_env, setting):
    for name, value in setting.items():
        monkeypatch.setenv(name, value)
    with ApiServer() as server, httpx2.Client(base_url=server.url, timeout=10) as site:
        assert site.get("/api/sessions").status_code in (401, 404)  # the API is off, or locked
        live, token = page_answer()
        assert stop(site, "x" * len(token)).status_code == 404
        assert stop(site, token).status_code == 204
        assert live.wait(2) and live.turn.status == "stopped"


def test_the_token_never_shows_in_the_apis_answers_or_the_log(client, site, upstream, caplog):
    caplog.set_level(logging.DEBUG)
    recorded = stream_chat(client, LONG, stop_after=5)
    live = turn_hub().find_turn(recorded.events[0]["turn_id"])
    assert live is not None
    token = stop_links().token_for(live)
    assert token is not None
    seen = [client.get("/sessions").text, client.get(f"/sessions/{live.conversation_id}").text]
    assert stop(site, token).status_code == 204
    assert live.wait(5)
    seen += [str(replay(client, live.turn_id, 0).frames), client.get(f"/sessions/{live.conversation_id}").text,
             client.get("/sessions").text, client.post(f"/chat/{live.turn_id}/stop").text]
    assert all(token not in text for text in seen)
    assert all(token not in record.getMessage() for record in caplog.records)
