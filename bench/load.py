"""Load: N chat sessions streaming at once through one ``streamlit run app.py``.

Does one Streamlit server keep every visitor's answer as fast as a lone visitor's, and what
does streaming cost it in CPU? Per trial, on a fresh ``streamlit run app.py``
(tests/e2e/harness; OPENAI_BASE_URL=<mock>/v1, OPENAI_API_KEY=x, CHAT_DB_PATH in a temp dir):
a warm-up answer (not reported), 1 session alone (the baseline), then N sessions sending
different prompts at the same moment. Upstream: one MockServer, ``markdown`` scenario
(~390 tokens), TTFT 0.2 s, 15 ms between tokens (~6 s, ~66 tokens/s per answer).

Sessions are browser-less (bench/ws_session.py: Streamlit's websocket protocol, BackMsg /
ForwardMsg protobufs), so the figures are the server's, not 20 Chromiums' on 2 cores.
Per answer: answer characters in the chat message over time, from the first text to the
complete answer on screen, as tokens/s (the mock's tokens), against the single session's
(goal: every session >= 90 %); also the speed while the streaming run shows text, the delay
from the upstream's last token to the complete answer, and the first-text delay. Every
answer is checked against what the mock sends for its prompt, as streamed and as redrawn
after the app's closing rerun: a missing, wrong or failed answer fails the run (exit 1, no
table). CPU: the Streamlit process's user+sys (/proc/<pid>/stat) over each phase per 1,000
tokens delivered, plus this process's (sessions + mock) and all other processes' (noise).

Prints a Markdown table and saves it to bench/results/load.md. From the repository root
(about 1.5 minutes with the defaults):

    python bench/load.py [--sessions 20] [--trials 3] [--st-option runner.postScriptGC=false]

``--st-option KEY=VALUE`` passes a Streamlit config option to the server, to try a fix
without editing the app.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import openai  # noqa: E402
import streamlit  # noqa: E402
from ws_session import AnswerTrace, ChatSession  # noqa: E402

from chatcore.mock import MockOptions, MockServer, mock_http_client  # noqa: E402
from chatcore.mock.assemble import assemble  # noqa: E402
from chatcore.mock.tokens import token_pieces  # noqa: E402
from tests.e2e.harness import StreamlitServer  # noqa: E402

PACE = MockOptions(scenario="markdown", ttft=0.2, chunk_delay=0.015)
GOAL_PCT = 90.0
RESULTS = ROOT / "bench" / "results" / "load.md"
CLK_TCK = os.sysconf("SC_CLK_TCK")


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
    stream_speed: float  # tokens/s while the streaming run showed text (its first to its last update)
    first_text_s: float  # prompt sent -> first answer text
    late_s: float  # the upstream's last token -> the complete answer on screen
    upstream_speed: float  # the mock's own pace for this request
    in_stream: bool  # False: the last text came only with the redraw after the run


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


def measure(trace: AnswerTrace, expected: str, record, clock_offset: float) -> Answer | str:
    """The answer's figures, or why it does not count.

    Complete = the whole text on screen: usually in the streaming run, sometimes only in the
    redraw right after it (the app ends an answer with ``st.rerun()``, and a new run makes
    Streamlit drop the deltas it has not sent yet)."""
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
    (t0, c0), (t1, c1), full = shown[0], shown[-1], len(target)
    t_end = next(t for t, run, c in trace.samples if c >= full)
    tokens = len(token_pieces(expected))
    return Answer(tokens, tokens * (full - c0) / full / (t_end - t0), tokens * (c1 - c0) / full / (t1 - t0),
                  t0 - trace.sent, t_end + clock_offset - record.finished,
                  tokens / (record.finished - record.started - PACE.ttft), len(streamed) == full)


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


async def run_phase(name: str, sessions: int, port: int, pid: int, mock: MockServer, tag: str) -> Phase:
    phase = Phase(name)
    clients = [ChatSession(port) for _ in range(sessions)]
    await asyncio.gather(*(c.open() for c in clients))  # page loads: not measured
    await wait_until_quiet(pid)
    prompts = [f"Explain how load test subject {tag}-{i} behaves" for i in range(sessions)]
    expected = {p: expected_answer(p) for p in prompts}
    seen = len(mock.requests)
    cpu0, bench0, busy0, t0 = process_cpu(pid), time.process_time(), machine_busy(), time.monotonic()
    traces = await asyncio.gather(*(c.ask(p) for c, p in zip(clients, prompts, strict=True)), return_exceptions=True)
    cpu1, bench1, busy1, t1 = process_cpu(pid), time.process_time(), machine_busy(), time.monotonic()
    clock_offset = time.time() - time.monotonic()
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    phase.wall_s, phase.server_cpu_s, phase.bench_cpu_s = t1 - t0, cpu1 - cpu0, bench1 - bench0
    phase.other_cpu_s = busy1 - busy0 - phase.server_cpu_s - phase.bench_cpu_s
    phase.rss_mb = process_rss_mb(pid)
    upstream: dict[str, object] = {}
    for record in mock.requests[seen:]:
        if record.method == "POST" and record.path.endswith("/chat/completions"):
            prompt = record.body["messages"][-1]["content"]
            if prompt in upstream:
                phase.problems.append(f"{prompt!r}: sent upstream more than once")
            upstream[prompt] = record
    for prompt, trace in zip(prompts, traces, strict=True):
        if isinstance(trace, BaseException):
            phase.problems.append(f"{prompt!r}: {type(trace).__name__}: {trace}")
            continue
        result = measure(trace, expected[prompt], upstream.get(prompt), clock_offset)
        (phase.problems if isinstance(result, str) else phase.answers).append(result)
    return phase


# ---------------------------------------------------------------- report
def spread(values: list[float], digits: int = 1) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def table(single: list[Phase], loaded: list[Phase], args) -> tuple[str, bool]:
    n = args.sessions
    one, many = ([a for p in ps for a in p.answers] for ps in (single, loaded))
    base = statistics.median(a.speed for a in one)
    rel = [100 * a.speed / base for a in many]
    met = min(rel) >= GOAL_PCT

    def row(label: str, figure, digits: int = 1, goal: str = "–") -> list[str]:
        return [label, *(spread([figure(x) for x in answers], digits) for answers in (one, many)), goal]

    def usage(label: str, figure, goal: str = "–") -> list[str]:
        return [label, *(figure(sum(p.wall_s for p in ps), ps) for ps in (single, loaded)), goal]

    def total(ps: list[Phase], name: str) -> float:
        return sum(getattr(p, name) for p in ps)

    rows = [
        ["figure", "1 session", f"{n} sessions at once", "goal"], ["---"] * 4,
        row("**speed per session**, first text → complete answer, tokens/s: median (min–max)", lambda a: a.speed),
        ["**per-session speed vs. 1 session**: median / min", "100 %",
         f"{statistics.median(rel):.0f} % / **{min(rel):.0f} %**", f"≥ {GOAL_PCT:.0f} % (every session)"],
        [f"sessions at ≥ {GOAL_PCT:.0f} % of the single-session speed", "–",
         f"{sum(r >= GOAL_PCT for r in rel)}/{len(rel)}", "all"],
        row("speed while text streams (the streaming run only), tokens/s", lambda a: a.stream_speed),
        row("complete answer on screen after the upstream's last token, ms", lambda a: 1000 * a.late_s, 0),
        row("first answer text after sending the prompt, s", lambda a: a.first_text_s, 2),
        row("upstream pace (what the mock achieved), tokens/s", lambda a: a.upstream_speed,
            goal=f"{1 / PACE.chunk_delay:.0f} nominal"),
        usage("**Streamlit server CPU per 1,000 tokens**",
              lambda w, ps: f"**{total(ps, 'server_cpu_s') * 1e6 / total(ps, 'tokens'):.0f} ms**"),
        usage("Streamlit server CPU during the phase, % of one core",
              lambda w, ps: f"{100 * total(ps, 'server_cpu_s') / w:.0f} %"),
        usage("this process (the sessions and the mock), % of one core",
              lambda w, ps: f"{100 * total(ps, 'bench_cpu_s') / w:.0f} %"),
        usage("other processes on the machine, % of one core (noise)",
              lambda w, ps: f"{100 * total(ps, 'other_cpu_s') / w:.0f} %", "≈ 0"),
        usage("tokens delivered / phase length, per trial",
              lambda w, ps: f"{total(ps, 'tokens') / len(ps):,.0f} in {w / len(ps):.1f} s"),
        usage("server memory (RSS) after the phase, MB", lambda w, ps: f"{statistics.median(p.rss_mb for p in ps):.0f}"),
        ["complete and correct answers", f"{len(one)}/{len(single)}", f"{len(many)}/{n * len(loaded)}", "all"],
        ["… of which the last text came only with the closing rerun's redraw",
         *(str(sum(not a.in_stream for a in answers)) for answers in (one, many)), "–"],
    ]
    lines = ["| " + " | ".join(r) + " |" for r in rows] + [
        "", f"Goal {'met' if met else '**not met**'}: the slowest of the {len(rel)} loaded sessions streamed at "
        f"{min(rel):.0f} % of the single-session speed ({base:.1f} tokens/s, median of {len(one)}).", "",
        f"Command: `{args.command}` ({os.cpu_count()} cores; Streamlit {args.streamlit_version}, Python "
        f"{sys.version.split()[0]}). {args.trials} trial(s), each on a fresh `streamlit run app.py`: a warm-up "
        f"answer, 1 session alone, then {n} sessions sending their prompts at the same moment; fresh sessions per "
        "phase, browser-less (bench/ws_session.py: Streamlit's websocket protocol). Upstream: MockServer "
        f"`{PACE.scenario}` scenario, TTFT {PACE.ttft:g} s, {PACE.chunk_delay * 1000:g} ms between tokens, "
        f"~{statistics.median(a.tokens for a in many):.0f} tokens per answer; speeds count the mock's tokens. Server "
        "CPU = user+sys of the Streamlit process over the phase: every run of the turn (the prompt's run and the "
        "app's closing rerun). Cells: median (min–max).", "",
        "Per-session speed vs. 1 session (%), each trial, in the order the sessions were opened:",
    ]
    for i, phase in enumerate(loaded, 1):
        lines.append(f"- trial {i}: " + " ".join(f"{100 * a.speed / base:.0f}" for a in phase.answers))
    return "\n".join(lines) + "\n", met


async def bench(args) -> tuple[list[Phase], list[Phase]]:
    """Per trial a fresh ``streamlit run``: warm-up, 1 session, N sessions. (A server keeps
    disconnected sessions for 2 minutes, server.disconnectedSessionTTL; on one server for all
    trials, each trial came out slower than the one before.)"""
    single: list[Phase] = []
    loaded: list[Phase] = []
    extra = [arg for option in args.st_option for arg in ("--" + option.split("=", 1)[0], option.split("=", 1)[1])]
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp, MockServer(options=PACE, quiet=True) as mock:
        for trial in range(1, args.trials + 1):
            env = {"OPENAI_BASE_URL": mock.url, "OPENAI_API_KEY": "x", "CHAT_DB_PATH": f"{tmp}/chat-{trial}.sqlite3"}
            with StreamlitServer("app.py", env=env, extra_args=extra) as app:
                for k, (name, count, into) in enumerate(
                        (("warm-up", 1, []), ("1 session", 1, single), (f"{args.sessions} sessions", args.sessions, loaded))):
                    name = f"trial {trial}: {name}"
                    phase = await run_phase(name, count, app.port, app.proc.pid, mock, tag=f"t{trial}.{k}")
                    if phase.problems:
                        details = "\n  ".join(phase.problems[:20])
                        raise SystemExit(f"FAILED in {name}: {len(phase.problems)} problem(s):\n  {details}\n"
                                         f"--- streamlit output (tail) ---\n{app.output()[-3000:]}")
                    print(f"[{name}] {phase.tokens:,} tokens in {phase.wall_s:.1f} s; server CPU {phase.server_cpu_s:.2f} s"
                          f", RSS {phase.rss_mb:.0f} MB; tokens/s: " + " ".join(f"{a.speed:.0f}" for a in phase.answers),
                          file=sys.stderr, flush=True)
                    into.append(phase)
    return single, loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions in the loaded phase (default 20)")
    parser.add_argument("--trials", type=int, default=3, help="trials, each on a fresh server (default 3)")
    parser.add_argument("--st-option", action="append", default=[], metavar="KEY=VALUE",
                        help="a Streamlit config option for the server, e.g. runner.postScriptGC=false (repeatable)")
    args = parser.parse_args()
    if any("=" not in option for option in args.st_option):
        parser.error("--st-option takes KEY=VALUE")
    args.command = "python bench/load.py" + "".join(
        f" --{k} {v}" for k, v in (("sessions", args.sessions), ("trials", args.trials)) if v != parser.get_default(k))
    args.command += "".join(f" --st-option {option}" for option in args.st_option)
    args.streamlit_version = streamlit.__version__
    started = time.monotonic()
    single, loaded = asyncio.run(bench(args))
    report, met = table(single, loaded, args)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    print(f"saved to {RESULTS.relative_to(ROOT)} ({time.monotonic() - started:.0f} s); goal "
          f"{'met' if met else 'NOT met'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
