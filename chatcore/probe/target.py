"""The probe target for the app's provider configuration (the built-in mock included)."""

from __future__ import annotations

from dataclasses import replace

from ..mock.options import MockOptions
from ..mock.transport import MockChatTransport
from ..settings import ProviderConfig
from .exchange import ProbeTarget


def target_for(config: ProviderConfig, mock: MockOptions | None = None) -> ProbeTarget:
    """Probe what the app talks to: the network, or the in-process mock at its current pacing.

    A scenario forced in the sidebar is left out: it would answer every probe the same way."""
    pacing = replace(mock or MockOptions(), scenario="auto")
    transport = MockChatTransport(pacing) if config.is_mock else None
    return ProbeTarget(base_url=config.base_url, model=config.model, api_key=config.api_key,
                       extra_headers=dict(config.extra_headers), transport=transport)


__all__ = ["target_for"]
