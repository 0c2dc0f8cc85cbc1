"""The built-in mock behind a visitor's chat remembers a few requests, not every history it was sent."""

from __future__ import annotations

from chatcore.mock import MockOptions
from chatcore.mock.transport import MockChatTransport, mock_http_client
from chatcore.providers import OpenAICompatProvider
from chatcore.settings import ProviderConfig

FAST = MockOptions(ttft=0, chunk_delay=0)


def test_a_transport_with_a_small_log_keeps_only_the_latest_requests_and_still_answers():
    transport = MockChatTransport(FAST, log_size=2)
    provider = OpenAICompatProvider(ProviderConfig(), http_client=mock_http_client(FAST, transport=transport))
    history = []
    for prompt in ("one", "two", "three"):
        history.append({"role": "user", "content": prompt})
        events = list(provider.stream(history))
        assert events[-1].type == "end" and events[-1].finish_reason == "stop"
        history.append({"role": "assistant", "content": "ok"})
    kept = [r.body["messages"][-1]["content"] for r in transport.requests]
    assert kept == ["two", "three"]  # the first request (and the history it carried) is gone
