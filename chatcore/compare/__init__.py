"""Compare models side by side: one prompt streamed to 2–4 targets at once, N rounds, with
timings, tokens, cost, median and spread, saved as linked conversations and exportable."""

from .export import run_csv, run_json
from .figures import AnswerFigures, TargetSummary
from .run import CompareRun
from .target import CompareTarget, Price

__all__ = ["AnswerFigures", "CompareRun", "CompareTarget", "Price", "TargetSummary", "run_csv", "run_json"]
