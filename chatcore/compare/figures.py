"""The numbers of one compared answer, and their median and spread per target over N rounds."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Sequence

from ..turn import Turn
from .target import CompareTarget


@dataclass(frozen=True)
class AnswerFigures:
    label: str
    round: int  # 1-based
    status: str
    first_token_s: float | None
    total_s: float | None
    tokens_per_second: float | None
    tokens_in: int | None
    tokens_out: int | None
    usage_estimated: bool  # the server sent no usage: tokens out are counted from the chunks
    cost: float | None
    error: str
    conversation_id: str
    text: str

    @classmethod
    def of(cls, target: CompareTarget, round_: int, turn: Turn, conversation_id: str) -> AnswerFigures:
        usage = turn.usage
        caps = target.config.capabilities
        estimated = usage is None or (caps is not None and not caps.usage_in_stream)
        tokens_in = usage.prompt_tokens if usage is not None else None
        tokens_out = turn.completion_tokens
        cost = target.price.cost(tokens_in, tokens_out) if target.price is not None else None
        error = turn.error.message if turn.error is not None else (turn.end_message if turn.status != "complete" else "")
        return cls(target.label, round_, turn.status, turn.first_token_s, turn.total_s, turn.tokens_per_second,
                   tokens_in, tokens_out, estimated, cost, error, conversation_id, turn.text)


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float
    n: int

    def text(self, fmt: str = "{:.2f}") -> str:
        if self.n == 1 or self.low == self.high:
            return fmt.format(self.median)
        return f"{fmt.format(self.median)} ({fmt.format(self.low)}–{fmt.format(self.high)})"


def spread(values: Sequence[float | int | None]) -> Spread | None:
    known = [float(v) for v in values if v is not None]
    if not known:
        return None
    return Spread(statistics.median(known), min(known), max(known), len(known))


@dataclass(frozen=True)
class TargetSummary:
    label: str
    answers: int
    completed: int
    first_token_s: Spread | None
    total_s: Spread | None
    tokens_per_second: Spread | None
    tokens_in: Spread | None
    tokens_out: Spread | None
    cost: Spread | None

    def row(self) -> dict[str, object]:
        def show(s: Spread | None, fmt: str = "{:.2f}") -> str:
            return s.text(fmt) if s is not None else "—"

        return {
            "target": self.label,
            "answers": f"{self.completed}/{self.answers} complete",
            "first token (s)": show(self.first_token_s),
            "total (s)": show(self.total_s),
            "tokens/s": show(self.tokens_per_second, "{:.1f}"),
            "tokens in": show(self.tokens_in, "{:.0f}"),
            "tokens out": show(self.tokens_out, "{:.0f}"),
            "cost ($)": show(self.cost, "{:.6f}"),
        }


def summarize(label: str, answers: Sequence[AnswerFigures]) -> TargetSummary:
    """Median and range over the answers that completed (a failed answer's timing says nothing)."""
    done = [a for a in answers if a.status == "complete"]
    return TargetSummary(
        label, len(answers), len(done),
        spread([a.first_token_s for a in done]), spread([a.total_s for a in done]),
        spread([a.tokens_per_second for a in done]), spread([a.tokens_in for a in done]),
        spread([a.tokens_out for a in done]), spread([a.cost for a in done]),
    )


__all__ = ["AnswerFigures", "Spread", "TargetSummary", "spread", "summarize"]
