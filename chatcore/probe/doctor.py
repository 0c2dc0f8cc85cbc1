"""Run every probe against one endpoint + model and sum it up as a report and a profile.

Order matters for the first four (each tells the later requests what they may send); the
model probes after them are independent and run at once, so a full check takes about as
long as its slowest few requests. A check whose plain streaming fails (bad key, unknown
model, unreachable) yields no profile: there is nothing to learn from a server that does
not answer, and a profile learned from failures would switch features off for nothing.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import model_probes
from .capabilities import Capabilities
from .exchange import ProbeTarget
from .probes import Cell, Probe, Wire, finish_reasons, limit_param, models, plain_stream, speed, usage

DEFAULT_TIMEOUT_S = 8.0
STATUS_MARK = {"ok": "✅ ok", "gap": "⚠️ gap", "note": "ℹ️ note", "failed": "❌ failed", "skipped": "– skipped"}


@dataclass(frozen=True)
class DoctorReport:
    base_url: str
    model: str
    cells: tuple[Cell, ...]
    capabilities: Capabilities | None  # None: the endpoint did not stream, nothing was learned
    seconds: float
    checked_at: float

    @property
    def tokens(self) -> int:
        return sum(c.tokens for c in self.cells)

    @property
    def tokens_estimated(self) -> bool:
        return any(c.estimated for c in self.cells)

    def cell(self, key: str) -> Cell:
        return next(c for c in self.cells if c.key == key)

    def tokens_text(self) -> str:
        return f"{'≈ ' if self.tokens_estimated else ''}{self.tokens} tokens"

    def to_markdown(self) -> str:
        """The table for a bug report (no key: evidence is redacted as it is read)."""
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.checked_at))
        lines = [
            f"### Endpoint check: `{self.model}` at `{self.base_url}`",
            "",
            f"{when}; {len(self.cells)} checks in {self.seconds:.1f} s, spending {self.tokens_text()}.",
            "",
            "| check | result | evidence | what the app does |",
            "|---|---|---|---|",
        ]
        for c in self.cells:
            cells = (c.check, f"{STATUS_MARK[c.status]}: {c.result}", c.evidence, c.action)
            lines.append("| " + " | ".join(_md_cell(x) for x in cells) + " |")
        return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ").strip() or " "


def _skipped(key: str, check: str, why: str) -> Cell:
    return Cell(key, check, "skipped", why)


_MODEL_CHECKS = (
    ("stream", "Plain streaming"),
    ("tool_single", "Tool call (single), valid JSON arguments"),
    ("tool_parallel", "Parallel tool calls"),
    ("tool_required", 'tool_choice="required"'),
    ("reasoning", "Reasoning content (reasoning_content / reasoning)"),
    ("images", "Images accepted (a 1x1 PNG data URL)"),
    ("json_mode", "JSON mode (response_format json_object)"),
    ("usage", "stream_options.include_usage honoured"),
    ("finish", "Finish reasons"),
    ("speed", "Time to first token, tokens/s"),
)


def run_doctor(target: ProbeTarget, *, timeout: float = DEFAULT_TIMEOUT_S) -> DoctorReport:
    """Probe ``target`` (each request within ``timeout`` s) and return the table and the profile."""
    started, wall = time.perf_counter(), time.time()

    def probe() -> Probe:
        return Probe(target, timeout)

    wire = Wire()
    cells: list[Cell] = [models(probe())]
    limit_cell, cut = limit_param(probe(), wire)
    cells.append(limit_cell)
    error_cell = model_probes.error_format(probe(), wire)
    if cut is None:  # the server does not answer at all: say why once, skip the rest
        cells += [_skipped(k, check, "the endpoint did not answer") for k, check in _MODEL_CHECKS]
        cells.append(error_cell)
        return DoctorReport(target.base_url, target.model, tuple(cells), None, time.perf_counter() - started, wall)
    stream_cell, plain = plain_stream(probe(), wire)
    cells += [stream_cell, speed(plain)]
    usage_cell, options_ok, usage_arrives = usage(probe(), wire)
    cells.append(usage_cell)
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="chatcore-doctor") as pool:
        single_probe = probe()
        single = pool.submit(model_probes.tool_single, single_probe, wire)
        parallel = pool.submit(model_probes.tool_parallel, probe(), wire)
        required = pool.submit(model_probes.tool_required, probe(), wire)
        thinking = pool.submit(model_probes.reasoning, probe(), wire)
        image = pool.submit(model_probes.images, probe(), wire)
        json_cell = pool.submit(model_probes.json_mode, probe(), wire)
        single_cell = single.result()
        reasoning_cell, reasoning_field = thinking.result()
        model_cells = [single_cell, parallel.result(), required.result(), reasoning_cell, image.result(), json_cell.result()]
    tool_exchange = single_probe.exchanges[-1] if single_probe.exchanges else None
    cells.append(finish_reasons(cut, plain, tool_exchange if single_cell.status == "ok" else None))
    cells += model_cells
    cells.append(error_cell)
    by_key = {c.key: c for c in cells}
    capabilities = None
    if stream_cell.status != "failed":
        capabilities = Capabilities(
            stream_options=options_ok,
            usage_in_stream=usage_arrives,
            tools=by_key["tool_single"].status == "ok" or by_key["tool_single"].result == "arguments are not valid JSON",
            parallel_tools=by_key["tool_parallel"].status == "ok",
            tool_choice_required=by_key["tool_required"].status == "ok",
            reasoning_field=reasoning_field,
            images=by_key["images"].status != "gap",
            json_mode=by_key["json_mode"].status != "gap",
            limit_param="max_completion_tokens" if wire.limit_param == "max_completion_tokens" else "max_tokens",
        )
    return DoctorReport(target.base_url, target.model, tuple(cells), capabilities, time.perf_counter() - started, wall)


__all__ = ["DEFAULT_TIMEOUT_S", "DoctorReport", "run_doctor"]
