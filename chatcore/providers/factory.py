"""Which provider serves a configuration: the real server, or the built-in mock."""

from __future__ import annotations

from ..mock.options import MockOptions
from ..settings import ProviderConfig
from .openai_compat import OpenAICompatProvider


def make_provider(config: ProviderConfig, mock: MockOptions | None = None) -> OpenAICompatProvider:
    """The provider for ``config``: the real server, or the built-in mock when ``config.is_mock``."""
    if config.is_mock:
        from ..mock.transport import mock_http_client

        return OpenAICompatProvider(config, http_client=mock_http_client(mock or MockOptions()))
    return OpenAICompatProvider(config)
