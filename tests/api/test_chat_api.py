"""POST /api/chat over a real socket: every event kind, ids, keep-alives, errors, a client
that hangs up (the upstream closes and the partial answer is saved as stopped), Stop from
anywhere, and resuming from every Last-Event-ID."""

from __future__ import annotations

import time

import httpx2
import pytest

from .conftest import replay, stream_chat

ASK = {"messages": [{"role": "user", "content": "What is 23*17+4?"}]}


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_a_tool_answer_streams_every_event_kind_with_ids_in_order(client):
    recorded = stream_chat(client, ASK)
    assert recorded.frames[0].retry == 2000  # the reconnect hint comes first
    start = recorded.events[0]
    assert start["type"] == "start" and start["turn_id"] and start["session_id"]
    kinds = [e["type"] for e in recorded.events]
    assert kinds[-1] == "end" and recorded.events[-1]["finish_reason"] == "stop"
    [call] = recorded.of("tool_call")
    assert call["name"] == "calculator" and call["arguments"] == {"expression": "23*17+4"}
    [result] = recorded.of("tool_result")
    assert result["tool_call_id"] == call["id"] and result["result"]["result"] == 395 and result["duration"] >= 0
    assert "395" in recorded.text and recorded.of("usage")
    ids = [f.id for f in recorded.frames if f.data is not None]
    assert ids[0] == 0 and ids == sorted(ids) and len(set(ids)) == len(ids)


def test_reasoning_is_its_own_event(client):
    recorded = stream_chat(client, {"message": "Think about why the sky is blue"})
    assert recorded.of("reasoning") and recorded.text


def test_keep_alive_comments_flow_while_a_tool_runs(client):
    recorded = stream_chat(client, {"message": "Run the slow tool"})
    assert [f for f in recorded.frames if f.comment == "ping"], "no keep-alive while the 3 s tool ran"
    assert recorded.events[-1]["type"] == "end"


@pytest.mark.parametrize(("fault", "words"), [
    ("401", "The API key was rejected (401)"),
    ("500", "The server had an error (500)"),
    ("malformed:3", "malformed chunk"),
    ("drop:5", "The connection dropped mid-answer"),
])
def test_a_fault_is_an_error_event_with_the_dashboards_words(client, fault, words):
    recorded = stream_chat(client, {"message": f"hello [fault:{fault}]"})
    [error] = recorded.of("error")
    assert words in error["message"] and error["kind"]
    assert recorded.events[-1]["type"] == "end" and recorded.events[-1]["finish_reason"] == "error"
    again = stream_chat(client, {"message": "hello"})  # the next request works
    assert again.events[-1]["finish_reason"] == "stop"


def test_a_client_that_hangs_up_closes_the_upstream_and_the_answer_is_saved_stopped(client, upstream):
    recorded = stream_chat(client, {"message": "Write a long answer about rivers"}, stop_after=20)
    hung_up_at = time.time()
    session_id = recorded.events[0]["session_id"]
    wait_until(lambda: upstream.requests and upstream.requests[-1].client_disconnected)
    assert upstream.requests[-1].disconnected_at - hung_up_at < 0.5  # bench/api_load.py measures the median
    def stored():
        return client.get(f"/sessions/{session_id}").json()["messages"][-1]
    wait_until(lambda: stored()["status"] == "stopped")
    answer = stored()
    assert answer["content"] and recorded.text.startswith(answer["content"][: len(recorded.text) // 2])


def test_stop_from_anywhere_ends_a_resumable_answer(client, upstream):
    recorded = stream_chat(client, {"message": "Write a long answer about rivers", "resumable": True}, stop_after=10)
    turn_id = recorded.events[0]["turn_id"]
    time.sleep(0.3)
    assert not upstream.requests[-1].client_disconnected  # resumable: hanging up did not stop it
    with httpx2.Client(base_url=str(client.base_url), timeout=10) as elsewhere:
        stopped = elsewhere.post(f"/chat/{turn_id}/stop")
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    wait_until(lambda: upstream.requests[-1].client_disconnected)
    rest = replay(client, turn_id, 0)
    assert rest.events[-1]["type"] == "end" and rest.events[-1]["finish_reason"] == "cancelled"


def test_resume_from_every_last_event_id_of_a_finished_answer(client):
    recorded = stream_chat(client, ASK)
    turn_id = recorded.events[0]["turn_id"]
    data_frames = [f for f in recorded.frames if f.data is not None][1:]  # after "start"
    for frame in [recorded.frames[1], *data_frames]:  # id 0 (the start) and every event id
        again = replay(client, turn_id, frame.id)
        expected = [f.data for f in data_frames if f.id > frame.id]
        assert again.events == expected, f"resuming after id {frame.id}"


def test_resume_mid_answer_replays_what_was_missed_and_goes_on_live(client, upstream):
    first = stream_chat(client, {"message": "Explain how photosynthesis works", "resumable": True}, stop_after=15)
    turn_id = first.events[0]["turn_id"]
    last_id = [f.id for f in first.frames if f.data is not None][-1]
    rest = replay(client, turn_id, last_id)  # the connection dropped: pick up from the last id seen
    assert rest.events[-1]["type"] == "end" and rest.events[-1]["finish_reason"] == "stop"
    whole = replay(client, turn_id, 0)
    assert first.text + rest.text == whole.text and len(whole.text) > 1000
    assert not upstream.requests[-1].client_disconnected


def test_a_session_goes_on_with_session_id_and_message(client):
    first = stream_chat(client, {"message": "What is 2+2?"})
    session_id = first.events[0]["session_id"]
    second = stream_chat(client, {"sessionId": session_id, "message": "And 3+3?"})
    assert second.events[0]["session_id"] == session_id
    messages = client.get(f"/sessions/{session_id}").json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]


def test_history_sent_as_messages_is_saved_with_the_conversation(client):
    body = {"messages": [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "Hi there."},
                         {"role": "user", "content": "What is 23*17+4?"}]}
    recorded = stream_chat(client, body)

    def stored():
        return client.get(f"/sessions/{recorded.events[0]['session_id']}").json()["messages"]

    wait_until(lambda: stored()[-1]["status"] != "streaming")  # the final save follows the end event by a moment
    messages = stored()
    assert [m["content"] for m in messages[:3]] == ["hello", "Hi there.", "What is 23*17+4?"]
    assert messages[3]["tool_calls"][0]["name"] == "calculator" and messages[3]["status"] == "complete"
