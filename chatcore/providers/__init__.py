"""Model providers. There is one real implementation; the mock is the same class over an
in-process transport, so the demo path is the production path."""

from __future__ import annotations

from ..mock.options import MockOptions
from ..settings import ProviderConfig
from .openai_compat import ModelListError, OpenAICompatProvider, abort_response


def make_provider(config: ProviderConfig, mock: MockOptions | None = None) -> OpenAICompatProvider:
    """The provider for ``config``: the real server, or the built-in mock when ``config.is_mock``."""
    if config.is_mock:
        from ..mock.transport import mock_http_client

        return OpenAICompatProvider(config, http_client=mock_http_client(mock or MockOptions()))
    return OpenAICompatProvider(config)


__all__ = ["ModelListError", "OpenAICompatProvider", "abort_response", "make_provider"]
