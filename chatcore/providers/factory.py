"""Which provider serves a configuration: the real server, or the built-in mock."""

from __future__ import annotations

from ..mock.options import MockOptions
from ..settings import ProviderConfig
from .openai_compat import OpenAICompatProvider

_MOCK_LOG_SIZE = 4


def make_provider(config: ProviderConfig, mock: MockOptions | None = None) -> OpenAICompatProvider:
    """The provider for ``config``: the real server, or the built-in mock when ``config.is_mock``."""
    if config.is_mock:
        from ..mock.transport import MockChatTransport, mock_http_client

        # Nobody reads this transport's request log, and each entry holds a request body (the
        # whole history): a long chat would keep its history once per prompt. Keep a few.
        options = mock or MockOptions()
        transport = MockChatTransport(options, log_size=_MOCK_LOG_SIZE)
        return OpenAICompatProvider(config, http_client=mock_http_client(options, transport=transport))
    return OpenAICompatProvider(config)
