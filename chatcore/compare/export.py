"""A compare run as CSV (one row per answer) or JSON (targets, answers, summary, vote); no keys."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict
from typing import Any

from .run import CompareRun

CSV_FIELDS = ("label", "model", "base_url", "round", "status", "first_token_s", "total_s", "tokens_per_second",
              "tokens_in", "tokens_out", "usage_estimated", "cost", "error", "conversation_id")


def run_csv(run: CompareRun) -> str:
    targets = {t.label: t.describe() for t in run.targets}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for figures in run.figures():
        row = asdict(figures)
        row["model"], row["base_url"] = targets[figures.label]["model"], targets[figures.label]["base_url"]
        writer.writerow(row)
    return out.getvalue()


def run_record(run: CompareRun) -> dict[str, Any]:
    return {
        "compare_run": run.id,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "prompt": run.prompt,
        "rounds": run.rounds,
        "targets": [t.describe() for t in run.targets],
        "answers": [asdict(f) for f in run.figures()],
        "summary": [s.row() for s in run.summaries()],
        "vote": run.vote,
    }


def run_json(run: CompareRun) -> str:
    return json.dumps(run_record(run), indent=2, ensure_ascii=False)


__all__ = ["CSV_FIELDS", "run_csv", "run_json", "run_record"]
