"""Every failure becomes words a user understands; retries never duplicate shown text."""

from __future__ import annotations

import json
import time

import httpx2
import pytest

from chatcore.events import Chunk, End, Error

from .fakes import ByteStream, Recorder, chunk, error_response, provider_for, sse

HI = [{"role": "user", "content": "hi"}]


def errors_of(events) -> list[Error]:
    return [e for e in events if isinstance(e, Error)]


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (400, "bad_request", "rejected the request (400)"),
        (401, "auth", "API key was rejected (401)"),
        (403, "permission", "Access denied (403)"),
        (404, "not_found", "Model 'm' was not found"),
        (422, "bad_request", "(422)"),
    ],
)
def test_client_errors_are_not_retried_and_say_what_happened(status, kind, words):
    recorder = Recorder(error_response(status, "server words"))
    events = list(provider_for(recorder, max_retries=2).stream(HI))
    [err] = errors_of(events)
    assert err.kind == kind and err.status == status and words in err.message
    assert "server words" in err.message  # the server's own explanation is passed on
    assert events[-1] == End("error")
    assert len(recorder.bodies) == 1


def test_rate_limit_honours_retry_after_then_succeeds():
    recorder = Recorder(error_response(429, "slow down", {"Retry-After": "0.2"}), sse(chunk("ok", finish="stop")))
    start = time.perf_counter()
    events = list(provider_for(recorder).stream(HI))
    elapsed = time.perf_counter() - start
    [notice] = errors_of(events)
    assert notice.kind == "rate_limit" and notice.retry_in == pytest.approx(0.2)
    assert "Retrying" in notice.message
    assert elapsed >= 0.2
    assert "".join(e.content for e in events if isinstance(e, Chunk)) == "ok" and events[-1] == End("stop")


def test_retry_after_ms_header_is_preferred():
    recorder = Recorder(error_response(429, headers={"retry-after-ms": "50", "Retry-After": "9"}), sse(chunk("ok", finish="stop")))
    events = list(provider_for(recorder).stream(HI))
    assert errors_of(events)[0].retry_in == pytest.approx(0.05)


def test_rate_limit_with_a_long_wait_is_reported_not_waited_out():
    recorder = Recorder(error_response(429, headers={"Retry-After": "120"}))
    events = list(provider_for(recorder).stream(HI))
    [err] = errors_of(events)
    assert err.retry_in is None and err.kind == "rate_limit" and len(recorder.bodies) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 529])
def test_server_errors_are_retried_a_bounded_number_of_times(status):
    recorder = Recorder(error_response(status))
    events = list(provider_for(recorder, max_retries=2).stream(HI))
    errs = errors_of(events)
    assert [e.retry_in is not None for e in errs] == [True, True, False]
    assert errs[-1].kind == "server" and f"({status})" in errs[-1].message
    assert len(recorder.bodies) == 3 and events[-1] == End("error")


def test_text_plain_500_body_is_shown_as_the_server_said_it():
    recorder = Recorder(httpx2.Response(500, text="Internal Server Error", headers={"content-type": "text/plain"}))
    events = list(provider_for(recorder, max_retries=0).stream(HI))
    assert "Internal Server Error" in errors_of(events)[0].message


def test_detail_shaped_error_body():
    recorder = Recorder(httpx2.Response(422, json={"detail": [{"loc": ["body", "model"], "msg": "field required"}]}))
    events = list(provider_for(recorder).stream(HI))
    assert "field required" in errors_of(events)[0].message


def test_malformed_chunk_mid_stream_keeps_the_text_and_is_not_retried():
    body = sse(chunk("Hello "), "data: {not json\n\n", chunk("never"), done=False)
    recorder = Recorder(body)
    events = list(provider_for(recorder).stream(HI))
    assert [e.content for e in events if isinstance(e, Chunk)] == ["Hello "]
    [err] = errors_of(events)
    assert err.kind == "malformed" and "malformed" in err.message
    assert len(recorder.bodies) == 1  # text was shown: a retry would duplicate it
    assert events[-1] == End("error")


def test_malformed_chunk_before_any_text_is_retried():
    recorder = Recorder(sse("data: {oops\n\n", done=False), sse(chunk("fine", finish="stop")))
    events = list(provider_for(recorder).stream(HI))
    assert "".join(e.content for e in events if isinstance(e, Chunk)) == "fine"
    assert len(recorder.bodies) == 2


@pytest.mark.parametrize(
    "error_obj",
    [
        {"message": "model overloaded", "type": "server_error", "code": 503},
        {"message": "model overloaded", "type": None, "code": "overloaded"},
        "model overloaded",
    ],
)
def test_in_band_error_event_in_any_shape(error_obj):
    body = sse(chunk("Part"), {"error": error_obj}, done=False)
    events = list(provider_for(Recorder(body)).stream(HI))
    [err] = errors_of(events)
    assert err.kind == "stream_error" and "model overloaded" in err.message
    assert "".join(e.content for e in events if isinstance(e, Chunk)) == "Part"


def test_connection_dropped_mid_stream_keeps_partial_text():
    def parts():
        yield sse(chunk("Half an "), done=False)
        raise httpx2.RemoteProtocolError("peer closed connection without sending complete message body")

    recorder = Recorder(lambda: httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=ByteStream(parts())))
    events = list(provider_for(recorder).stream(HI))
    [err] = errors_of(events)
    assert err.kind == "connection" and "connection dropped mid-answer" in err.message
    assert [e.content for e in events if isinstance(e, Chunk)] == ["Half an "]


def test_cannot_connect_is_retried_then_explained():
    def refuse(request):
        raise httpx2.ConnectError("Connection refused")

    provider = provider_for(refuse, max_retries=1)
    events = list(provider.stream(HI))
    errs = errors_of(events)
    assert errs[-1].kind == "connection" and "http://test.invalid/v1" in errs[-1].message
    assert len(errs) == 2


def test_read_timeout_mid_stream_is_a_timeout_error():
    def parts():
        yield sse(chunk("slow "), done=False)
        raise httpx2.ReadTimeout("timed out")

    recorder = Recorder(lambda: httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=ByteStream(parts())))
    events = list(provider_for(recorder).stream(HI))
    [err] = errors_of(events)
    assert err.kind == "timeout" and "stopped responding" in err.message


def test_error_events_have_the_json_and_sse_shapes():
    events = list(provider_for(Recorder(error_response(401))).stream(HI))
    err = errors_of(events)[0]
    frame = err.to_sse()
    assert frame.startswith("data: ") and frame.endswith("\n\n")
    data = json.loads(frame[6:])
    assert data["type"] == "error" and data["kind"] == "auth" and data["status"] == 401
    assert "sk-test" not in frame  # the key is never echoed


def test_list_models_reports_404_and_empty_clearly():
    from chatcore.providers import ModelListError

    with pytest.raises(ModelListError, match="does not list"):
        provider_for(Recorder(error_response(404))).list_models()
    with pytest.raises(ModelListError, match="no models"):
        provider_for(Recorder(httpx2.Response(200, json={"object": "list", "data": []}))).list_models()
    ok = httpx2.Response(200, json={"object": "list", "data": [{"id": "b", "created": 1.5, "x": 1}, {"id": "a"}]})
    assert provider_for(Recorder(ok)).list_models() == ["a", "b"]
