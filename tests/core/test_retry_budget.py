"""One retry budget per model call, whatever fails: the request being refused (5xx, 429),
the connection, or the stream breaking before the first token all spend from the same
``max_retries``. Served through the real openai SDK over ``httpx2.MockTransport``."""

from __future__ import annotations

import httpx2
import pytest

from chatcore.cancel import CancelToken
from chatcore.events import Chunk, End, Error

from .fakes import ByteStream, Recorder, chunk, error_response, provider_for, sse

HI = [{"role": "user", "content": "hi"}]


def early_drop() -> httpx2.Response:
    """A 200 whose stream breaks before any token: retryable, nothing was shown."""

    def parts():
        yield b": keep-alive\n\n"
        raise httpx2.RemoteProtocolError("peer closed connection without sending complete message body")

    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=ByteStream(parts()))


def notices(events) -> list[Error]:
    return [e for e in events if isinstance(e, Error) and e.retry_in is not None]


def final_errors(events) -> list[Error]:
    return [e for e in events if isinstance(e, Error) and e.retry_in is None]


def test_mixed_503s_and_an_early_drop_share_one_budget():
    # 503, drop, 503, 503, drop ...: before the fix the open and read loops each had a
    # budget of 2, so this sent 5 requests and showed 4 retry notices.
    recorder = Recorder(error_response(503), early_drop, error_response(503), error_response(503), early_drop,
                        error_response(503))
    events = list(provider_for(recorder, max_retries=2).stream(HI))
    assert len(recorder.bodies) == 3, "max_retries=2 means at most 3 requests"
    assert len(notices(events)) == 2
    [final] = final_errors(events)
    assert final.kind == "server" and "(503)" in final.message
    assert events[-1] == End("error")


def test_drops_then_503s_share_one_budget_too():
    recorder = Recorder(early_drop, early_drop, error_response(503), error_response(503), error_response(503))
    events = list(provider_for(recorder, max_retries=2).stream(HI))
    assert len(recorder.bodies) == 3 and len(notices(events)) == 2
    assert final_errors(events)[0].kind == "server"


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_the_budget_is_max_retries_whatever_the_mix(max_retries):
    mix = [error_response(502), early_drop, error_response(429, headers={"Retry-After": "0"}), early_drop] * 2
    recorder = Recorder(*mix)
    events = list(provider_for(recorder, max_retries=max_retries).stream(HI))
    assert len(recorder.bodies) == max_retries + 1
    assert len(notices(events)) == max_retries
    assert len(final_errors(events)) == 1 and events[-1] == End("error")


def test_a_success_after_mixed_failures_streams_once():
    recorder = Recorder(error_response(503), early_drop, sse(chunk("ok", finish="stop")))
    events = list(provider_for(recorder, max_retries=2).stream(HI))
    assert len(recorder.bodies) == 3 and len(notices(events)) == 2
    assert [e.content for e in events if isinstance(e, Chunk)] == ["ok"] and events[-1] == End("stop")


def test_a_stream_options_rejection_is_a_fallback_not_a_retry():
    rejection = error_response(400, "Unrecognized request argument supplied: stream_options")
    recorder = Recorder(rejection, error_response(503), sse(chunk("ok", finish="stop")))
    events = list(provider_for(recorder, max_retries=1).stream(HI))
    assert len(recorder.bodies) == 3 and len(notices(events)) == 1
    assert "stream_options" not in recorder.bodies[1]
    assert events[-1] == End("stop")


def test_cancel_during_the_backoff_ends_the_call_without_another_request():
    cancel = CancelToken()
    recorder = Recorder(error_response(503), sse(chunk("never", finish="stop")))
    provider = provider_for(recorder, max_retries=2, retry_backoff=30.0)
    events = []
    for event in provider.stream(HI, cancel=cancel):
        events.append(event)
        if isinstance(event, Error):
            cancel.cancel()
    assert events[-1] == End("cancelled") and len(recorder.bodies) == 1
