"""Load: 20, 50 and 100 visitors streaming at once through one ``streamlit run app.py``.

Does one Streamlit server keep every visitor's answer as fast as a lone visitor's, how soon
does the first text show, and what does streaming cost the server in CPU? Per level and app,
on a fresh ``streamlit run app.py`` (tests/e2e/harness; OPENAI_BASE_URL=<mock>/v1,
OPENAI_API_KEY=x, CHAT_DB_PATH in a temp dir): a warm-up answer (not reported), 1 visitor
alone (the lone rate), then N visitors sending different prompts at the same moment.
Upstream: ``python -m chatcore.mock_server`` in its own process, ``markdown`` scenario
(~390 tokens), TTFT 0.2 s, 20 ms between tokens (50 tokens/s per answer).

``--baseline DIR`` runs the same levels on another checkout (today's app: ``git worktree add
/tmp/baseline aa4af86``), level by level alternating with this one, in the same run.

Visitors are browser-less (bench/ws_session.py: Streamlit's websocket protocol, BackMsg /
ForwardMsg protobufs), so the figures are the server's, not 100 Chromiums' on 2 cores.
Per answer: answer characters in the chat message over time, from the first text to the
complete answer on screen, as tokens/s (the mock's tokens), against the lone visitor's
(goal: every visitor >= 90 %); the first-text delay (prompt sent -> first answer text).
Every answer is checked against what the mock sends for its prompt, as streamed and as
shown when the turn ends. CPU: the Streamlit process's user+sys (/proc/<pid>/stat) over
each phase per 1,000 tokens delivered, and all other processes' (noise: the machine is shared).

Prints a Markdown table and saves it to bench/results/load.md. From the repository root:

    python bench/load.py [--levels 20,50,100] [--trials 1] [--baseline /tmp/baseline]
        [--profile DIR]  # py-spy (--gil) of the server during each loaded phase
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import openai  # noqa: E402
import streamlit  # noqa: E402
from ws_session import AnswerTrace, ChatSession  # noqa: E402

from chatcore.mock import MockOptions, mock_http_client  # noqa: E402
from chatcore.mock.assemble import assemble  # noqa: E402
from chatcore.mock.tokens import token_pieces  # noqa: E402
from tests.e2e.harness import StreamlitServer, free_port  # noqa: E402

PACE = MockOptions(scenario="markdown", ttft=0.2, chunk_delay=0.02)
GOAL_PCT = 90.0
GOAL_FIRST_TEXT_P95_S = 0.3
RESULTS = ROOT / "bench" / "results" / "load.md"
CLK_TCK = os.sysconf("SC_CLK_TCK")


class MockProcess:
    """``python -m chatcore.mock_server`` in its own process; its request log read over HTTP."""

    def __init__(self, options: MockOptions) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chatcore.mock_server", "--port", str(self.port), "--quiet", "--scenario",
             options.scenario, "--ttft", str(options.ttft), "--chunk-delay", str(options.chunk_delay)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                _ = self.requests
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("the mock server did not start") from None
                time.sleep(0.1)

    @property
    def requests(self) -> list[SimpleNamespace]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_mock/requests", timeout=10) as response:
            return [SimpleNamespace(**record) for record in json.load(response)]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def expected_answer(prompt: str) -> str:
    """What the mock streams for ``prompt`` (same scenario, no delays)."""
    client = openai.OpenAI(base_url="http://mock.invalid/v1", api_key="x",
                           http_client=mock_http_client(MockOptions(scenario=PACE.scenario, ttft=0, chunk_delay=0)))
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}],
                                            stream=True)  # the model the app asks for without OPENAI_MODEL
    return assemble(stream).content


def squash(text: str) -> str:
    return "".join(text.split())


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def process_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy since boot (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / CLK_TCK


@dataclass
class Answer:
    tokens: int
    speed: float  # tokens/s from the first text to the complete answer on screen
    first_text_s: float  # prompt sent -> first answer text


@dataclass
class Phase:
    name: str
    answers: list[Answer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    bench_cpu_s: float = 0.0  # this process: the websocket sessions and the mock
    other_cpu_s: float = 0.0  # every other process on the machine
    rss_mb: float = 0.0  # the server's resident memory after the phase

    @property
    def tokens(self) -> int:
        return sum(a.tokens for a in self.answers)


def measure(trace: AnswerTrace, expected: str, record) -> Answer | str:
    """The answer's figures, or why it does not count. Complete = the whole text on screen,
    in the streaming run or in a redraw right after it (when the app ends with a rerun)."""
    target, streamed = squash(expected), squash(trace.streamed_text)
    if not target.startswith(streamed) or len(streamed) < len(target) // 2:
        return f"{trace.prompt!r}: streamed {len(streamed)} of {len(target)} chars, or not the mock's text"
    if squash(trace.final_text) != target:
        return f"{trace.prompt!r}: the answer on screen after the turn is not the mock's"
    if record is None or record.client_disconnected or record.finished is None:
        return f"{trace.prompt!r}: no complete upstream request for it"
    shown = [(t, c) for t, run, c in trace.samples if c > 0 and run == 0]
    if len(shown) < 3:
        return f"{trace.prompt!r}: answer arrived in {len(shown)} updates; nothing to time"
    (t0, c0), full = shown[0], len(target)
    t_end = next(t for t, run, c in trace.samples if c >= full)
    tokens = len(token_pieces(expected))
    return Answer(tokens, tokens * (full - c0) / full / (t_end - t0), t0 - trace.sent)


async def wait_until_quiet(pid: int, timeout: float = 15.0) -> None:
    """Until the server used under 5 % of a core for 0.3 s (a run's cleanup, a full
    ``gc.collect``, goes on after the run reported that it finished)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = process_cpu(pid)
        await asyncio.sleep(0.3)
        if process_cpu(pid) - before < 0.015:
            return
    raise SystemExit(f"FAILED: the server stayed busy for {timeout:g} s with no session asking anything")


async def run_phase(name: str, sessions: int, port: int, pid: int, mock: MockProcess, tag: str,
                    profile: Path | None = None, spread: float = 0.0) -> Phase:
    phase = Phase(name)
    clients = [ChatSession(port) for _ in range(sessions)]
    for i in range(0, sessions, 10):  # page loads, ten at a time: not measured
        await asyncio.gather(*(c.open(timeout=60) for c in clients[i:i + 10]))
    await wait_until_quiet(pid)
    prompts = [f"Explain how load test subject {tag}-{i} behaves" for i in range(sessions)]
    expected = {p: expected_answer(p) for p in prompts}
    spy = None
    if profile is not None:
        spy = subprocess.Popen(["py-spy", "record", "--gil", "-r", "200", "-p", str(pid), "-f", "raw", "-o", str(profile)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu0, bench0, busy0, t0 = process_cpu(pid), time.process_time(), machine_busy(), time.monotonic()
    async def ask(i: int, client: ChatSession, prompt: str) -> AnswerTrace:
        await asyncio.sleep(spread * i / sessions)  # --spread: visitors arriving one after another
        return await client.ask(prompt)

    traces = await asyncio.gather(*(ask(i, c, p) for i, (c, p) in enumerate(zip(clients, prompts, strict=True))),
                                  return_exceptions=True)
    cpu1, bench1, busy1, t1 = process_cpu(pid), time.process_time(), machine_busy(), time.monotonic()
    if spy is not None:
        spy.send_signal(2)  # SIGINT: py-spy writes what it has
        spy.wait(30)
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    phase.wall_s, phase.server_cpu_s, phase.bench_cpu_s = t1 - t0, cpu1 - cpu0, bench1 - bench0
    phase.other_cpu_s = busy1 - busy0 - phase.server_cpu_s - phase.bench_cpu_s
    phase.rss_mb = process_rss_mb(pid)
    upstream: dict[str, object] = {}
    for record in mock.requests:
        if record.method == "POST" and record.path.endswith("/chat/completions"):
            prompt = record.body["messages"][-1]["content"]
            if prompt in expected and prompt in upstream:
                phase.problems.append(f"{prompt!r}: sent upstream more than once")
            upstream[prompt] = record
    for prompt, trace in zip(prompts, traces, strict=True):
        if isinstance(trace, BaseException):
            phase.problems.append(f"{prompt!r}: {type(trace).__name__}: {trace}")
            continue
        result = measure(trace, expected[prompt], upstream.get(prompt))
        (phase.problems if isinstance(result, str) else phase.answers).append(result)
    return phase


# ---------------------------------------------------------------- report
def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


@dataclass
class Level:
    app: str
    visitors: int
    single: list[Phase] = field(default_factory=list)
    loaded: list[Phase] = field(default_factory=list)

    def rates(self) -> tuple[float, list[float]]:
        """The lone visitor's rate (median over trials) and each loaded visitor's, in % of it."""
        base = statistics.median(a.speed for p in self.single for a in p.answers)
        return base, [100 * a.speed / base for p in self.loaded for a in p.answers]

    def cpu_per_1000(self, phases: list[Phase]) -> float:
        return sum(p.server_cpu_s for p in phases) * 1e6 / max(1, sum(p.tokens for p in phases))


def row(level: Level) -> list[str]:
    base, rel = level.rates()
    answers = [a for p in level.loaded for a in p.answers]
    first = [a.first_text_s * 1000 for a in answers]
    wall = sum(p.wall_s for p in level.loaded)
    expected = level.visitors * len(level.loaded)
    ok = bool(rel) and min(rel) >= GOAL_PCT and len(answers) == expected
    return [
        level.app, str(level.visitors), f"{base:.1f}",
        f"{statistics.median(rel):.0f} % / **{min(rel):.0f} %**" if rel else "–",
        f"{sum(r >= GOAL_PCT for r in rel)}/{expected}" + ("" if ok else " ✗"),
        f"{statistics.median(first):.0f} / **{p95(first):.0f}**" if first else "–",
        f"**{level.cpu_per_1000(level.loaded):.0f}** ({level.cpu_per_1000(level.single):.0f} alone)",
        f"{100 * sum(p.server_cpu_s for p in level.loaded) / wall:.0f} %",
        f"{100 * sum(p.other_cpu_s for p in level.loaded) / wall:.0f} %",
        f"{statistics.median(p.rss_mb for p in level.loaded):.0f}",
    ]


def table(levels: list[Level], args) -> str:
    header = ["app", "visitors", "lone visitor, tokens/s", "each visitor vs lone: median / min",
              f"visitors ≥ {GOAL_PCT:.0f} %", "first text p50 / p95, ms", "server CPU per 1,000 tokens, ms",
              "server CPU, % of a core", "other processes, % of a core (noise)", "server RSS, MB"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row(level)) + " |" for level in levels]
    lines += [
        "", f"Goals: every visitor ≥ {GOAL_PCT:.0f} % of a lone visitor's rate, first text p95 ≤ "
        f"{GOAL_FIRST_TEXT_P95_S * 1000:.0f} ms, server CPU ≤ 150 ms per 1,000 tokens (✗: a visitor below "
        f"{GOAL_PCT:.0f} % or an answer missing).", "",
        f"Command: `{args.command}` ({os.cpu_count()} cores, shared with other work: see the noise column; "
        f"Streamlit {args.streamlit_version}, Python {sys.version.split()[0]}). Per level and app, {args.trials} "
        "trial(s), each on a fresh `streamlit run app.py`: a warm-up answer, 1 visitor alone, then N visitors sending "
        + ("their prompts at the same moment" if not args.spread else f"their prompts evenly over {args.spread:g} s")
        + "; browser-less visitors (bench/ws_session.py). Upstream: "
        f"`python -m chatcore.mock_server` in its own process, `{PACE.scenario}` scenario, TTFT {PACE.ttft:g} s, "
        f"{PACE.chunk_delay * 1000:g} ms between tokens (~{1 / PACE.chunk_delay:.0f} tokens/s). Server CPU = user+sys "
        "of the Streamlit process over the phase, every run of the turn included.", "",
        "Each visitor's rate vs the lone visitor's (%), in the order the visitors were opened:",
    ]
    for level in levels:
        lines.append(f"- {level.app}, {level.visitors} visitors: " + " ".join(f"{r:.0f}" for r in level.rates()[1]))
        for phase in level.loaded:
            lines += [f"  - {phase.name}: {problem}" for problem in phase.problems[:3]]
    return "\n".join(lines) + "\n"


async def run_level(level: Level, app_dir: Path, mock: MockProcess, tmp: str, args) -> None:
    """Per trial a fresh ``streamlit run``: warm-up, 1 visitor, N visitors."""
    for trial in range(1, args.trials + 1):
        env = {"OPENAI_BASE_URL": mock.url, "OPENAI_API_KEY": "x",
               "CHAT_DB_PATH": f"{tmp}/{level.app}-{level.visitors}-{trial}.sqlite3"}
        with StreamlitServer("app.py", cwd=app_dir, env=env) as server:
            for k, (name, count, into) in enumerate(
                    (("warm-up", 1, []), ("1 visitor", 1, level.single), (f"{level.visitors} visitors", level.visitors, level.loaded))):
                name = f"{level.app}, trial {trial}: {name}"
                profile = None
                if args.profile is not None and count > 1:
                    profile = args.profile / f"{level.app}-{level.visitors}-t{trial}.txt"
                phase = await run_phase(name, count, server.port, server.proc.pid, mock,
                                        tag=f"{level.app}.{level.visitors}.t{trial}.{k}", profile=profile,
                                        spread=args.spread if count > 1 else 0.0)
                if phase.problems and count == 1:
                    details = "\n  ".join(phase.problems)
                    raise SystemExit(f"FAILED in {name}:\n  {details}\n--- streamlit output (tail) ---\n{server.output()[-3000:]}")
                print(f"[{name}] {phase.tokens:,} tokens in {phase.wall_s:.1f} s; server CPU {phase.server_cpu_s:.2f} s; "
                      f"{len(phase.answers)}/{count} answers; {len(phase.problems)} problems", file=sys.stderr, flush=True)
                into.append(phase)


async def bench(args) -> list[Level]:
    apps = [("this", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    levels: list[Level] = []
    mock = MockProcess(PACE)
    try:
        with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
            for visitors in args.levels:
                for app, app_dir in apps:
                    level = Level(app, visitors)
                    await run_level(level, app_dir, mock, tmp, args)
                    levels.append(level)
    finally:
        mock.stop()
    return levels


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="20,50,100", help="visitors at once, comma-separated (default 20,50,100)")
    parser.add_argument("--trials", type=int, default=1, help="trials per level, each on a fresh server (default 1)")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure the same way (e.g. /tmp/baseline)")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="seconds over which the N visitors send their prompts (default 0: all at the same moment)")
    parser.add_argument("--profile", type=Path, help="write a py-spy (--gil, raw) profile of each loaded phase here")
    args = parser.parse_args()
    args.levels = [int(n) for n in args.levels.split(",")]
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    args.command = "python bench/load.py" + "".join(
        f" --{k} {v}" for k, v in (("levels", ",".join(map(str, args.levels))), ("trials", args.trials),
                                   ("spread", args.spread))
        if str(v) != str(parser.get_default(k)))
    if args.baseline:
        args.command += f" --baseline {args.baseline}"
    args.streamlit_version = streamlit.__version__
    started = time.monotonic()
    levels = asyncio.run(bench(args))
    report = table(levels, args)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    print(f"saved to {RESULTS.relative_to(ROOT)} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
