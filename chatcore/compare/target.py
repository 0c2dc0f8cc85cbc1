"""One side of a comparison: a provider, a model, its settings and, optionally, its price."""

from __future__ import annotations

from dataclasses import dataclass

from ..mock.options import MockOptions
from ..settings import GenerationSettings, ProviderConfig


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens, as providers list them."""

    input_per_million: float = 0.0
    output_per_million: float = 0.0

    def cost(self, tokens_in: int | None, tokens_out: int | None) -> float | None:
        """The cost of one answer; None when a token count it needs is unknown."""
        if (tokens_in is None and self.input_per_million) or (tokens_out is None and self.output_per_million):
            return None
        return ((tokens_in or 0) * self.input_per_million + (tokens_out or 0) * self.output_per_million) / 1_000_000


@dataclass(frozen=True)
class CompareTarget:
    label: str  # "A", "B", … as the columns and the vote name them
    config: ProviderConfig
    settings: GenerationSettings = GenerationSettings()
    mock: MockOptions | None = None  # pacing of the built-in mock, when the target is the mock
    price: Price | None = None  # None: no cost shown

    @property
    def title(self) -> str:
        where = "mock" if self.config.is_mock else self.config.base_url
        return f"{self.label}: {self.config.model} ({where})"

    def describe(self) -> dict[str, object]:
        """The target as plain JSON for exports: never the key or headers."""
        return {
            "label": self.label,
            "provider": self.config.kind,
            "base_url": "" if self.config.is_mock else self.config.base_url,
            "model": self.config.model,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
            "price_input_per_million": self.price.input_per_million if self.price else None,
            "price_output_per_million": self.price.output_per_million if self.price else None,
        }


__all__ = ["CompareTarget", "Price"]
