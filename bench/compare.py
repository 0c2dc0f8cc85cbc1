"""Compare and doctor: do three targets streaming at once slow each other down, and how long
does the endpoint doctor's full check take?

Upstream: ``python -m chatcore.mock_server`` in its own process (so its threads never share
this process's GIL with the answers), TTFT 0.2 s and 20 ms between tokens: 50 tokens/s per
stream. Per trial: one target alone (the baseline), then a ``CompareRun`` of three targets on
the same server (the same model), every answer capped at 200 tokens (about 4 s). Speed is the
client's: tokens over the time from the first token to the end, as the Compare page shows it.
Goal: each of the three keeps >= 90 % of the lone stream's tokens/s.

Doctor: ``run_doctor`` against the same server, full check (13 cells); goal <= 10 s. Also the
tokens it spent (the server's usage counts).

Prints a Markdown table and saves it to bench/results/compare.md. From the repository root
(about a minute):

    python bench/compare.py [--trials 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chatcore.compare import CompareRun, CompareTarget  # noqa: E402
from chatcore.probe import ProbeTarget, run_doctor  # noqa: E402
from chatcore.settings import GenerationSettings, ProviderConfig  # noqa: E402

GOAL_PCT = 90.0
DOCTOR_GOAL_S = 10.0
TOKENS = 200
RESULTS = ROOT / "bench" / "results" / "compare.md"
PROMPT = "Write a long guide to databases"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_mock(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "chatcore.mock_server", "--port", str(port), "--ttft", "0.2",
                             "--chunk-delay", "0.02", "--quiet"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1):  # noqa: S310 - localhost
                return proc
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.1)


def targets(base_url: str, n: int) -> list[CompareTarget]:
    config = ProviderConfig(kind="openai", base_url=base_url, api_key="x", model="mock-gpt")
    settings = GenerationSettings(max_tokens=TOKENS, max_steps=1, tools=())
    return [CompareTarget("ABCD"[i], config, settings) for i in range(n)]


def rates(base_url: str, n: int) -> list[float]:
    run = CompareRun(PROMPT, targets(base_url, n)).start()
    assert run.wait(60), "the compare run did not finish"
    figures = run.figures()
    assert len(figures) == n and all(f.status == "complete" and f.tokens_out == TOKENS for f in figures), figures
    return [f.tokens_per_second or 0.0 for f in figures]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    mock = start_mock(port)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        rates(base_url, 1)  # warm-up: imports, connection pools
        alone, together = [], []
        for _ in range(args.trials):
            alone += rates(base_url, 1)
            together.append(rates(base_url, 3))
        doctor = [run_doctor(ProbeTarget(base_url, "mock-gpt", api_key="x")) for _ in range(args.trials)]
    finally:
        mock.terminate()
        mock.wait(10)
    baseline = statistics.median(alone)
    shares = [100 * r / baseline for trial in together for r in trial]
    doctor_s = [d.seconds for d in doctor]
    ok_streams = all(s >= GOAL_PCT for s in shares)
    ok_doctor = max(doctor_s) <= DOCTOR_GOAL_S and all(d.capabilities is not None for d in doctor)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores; mock server at 50 tokens/s per stream, "
        f"{TOKENS}-token answers, {args.trials} trials.",
        "",
        "| measure | result | goal |",
        "|---|---|---|",
        f"| one target alone: tokens/s (median of {len(alone)}) | {baseline:.1f} | — |",
        f"| three targets at once: each one's tokens/s vs. alone | median {statistics.median(shares):.0f}%, "
        f"slowest {min(shares):.0f}% ({sum(s >= GOAL_PCT for s in shares)}/{len(shares)} ≥ {GOAL_PCT:.0f}%) "
        f"| ≥ {GOAL_PCT:.0f}% |",
        f"| doctor, full check ({len(doctor[0].cells)} cells): seconds | median {statistics.median(doctor_s):.1f}, "
        f"max {max(doctor_s):.1f} | ≤ {DOCTOR_GOAL_S:.0f} s |",
        f"| doctor: tokens spent per check | {doctor[0].tokens_text()} | as few as possible |",
        "",
        "Every stream's rates: " + "; ".join(", ".join(f"{r:.1f}" for r in trial) for trial in together)
        + f" tokens/s (alone: {', '.join(f'{r:.1f}' for r in alone)}).",
    ]
    table = "\n".join(lines) + "\n"
    print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table)
    return 0 if ok_streams and ok_doctor else 1


if __name__ == "__main__":
    sys.exit(main())
