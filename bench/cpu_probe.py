"""Run ``streamlit run app.py`` with every named part's CPU time counted (for bench/cpu_budget.py).

    cd <checkout> && python <this file> <report.json> [streamlit options]

Each part in ``PARTS`` (module, function) is wrapped to add the CPU time of the thread that
runs it (``time.thread_time``) while it runs; nested parts count in both (the report says
which part holds which). SIGUSR2 zeroes the counts and the process clock; SIGUSR1 writes the
counts and the process's CPU time since then to ``report.json`` and exits. Only for a
benchmark: it changes nothing in the app's code, it replaces names in loaded modules. A part
a checkout does not have (an older one) is left out of its report.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path.cwd()  # the checkout whose app.py runs
sys.path.insert(0, str(ROOT))

# (module, attribute path, label): the parts of one answer's life in the server, outermost first.
PARTS = [
    ("chatcore.live_turn", "LiveTurn._pump", "answer thread: read upstream, parse, apply to the Turn"),
    ("chatcore.checkpoint", "TurnSaver._run", "checkpoint thread: save the answer every second"),
    ("ui.chat", "chat_page", "page run of the prompt (whole chat page)"),
    ("ui.chat", "render_sidebar", "  sidebar"),
    ("ui.chat", "stream_answer", "  send + follow the answer + finish"),
    ("chatcore.session", "ChatSession.send", "    send: check room, save prompt and answer row, start"),
    ("ui.chat", "follow_answer", "    follow: redraw the answer as it streams, finish in place"),
    ("ui.answer_blocks", "LiveBlocks._draw", "      text redraws (one element each)"),
    ("ui.chat", "stop_on_escape", "      Stop's page script (stop link, Esc)"),
    ("ui.live", "render_footer", "      the answer's footer (usage, time)"),
    ("ui.chat", "finish_in_place", "      the finished answer's actions, drawn in place"),
]

_lock = threading.Lock()
_counts: dict[str, list[float]] = {}
_start = [time.process_time()]


def _wrap(module: str, path: str) -> None:
    try:
        owner = importlib.import_module(module)
        *outer, name = path.split(".")
        for attr in outer:
            owner = getattr(owner, attr)
        original = getattr(owner, name)
    except (ImportError, AttributeError):
        return

    @functools.wraps(original)
    def counted(*args, **kwargs):
        began = time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent = time.thread_time() - began
            with _lock:
                entry = _counts.setdefault(path, [0, 0.0])
                entry[0] += 1
                entry[1] += spent

    setattr(owner, name, counted)


def _reset(*_: object) -> None:
    with _lock:
        _counts.clear()
    _start[0] = time.process_time()


def _report(out: str) -> None:
    with _lock:
        parts = {path: {"calls": n, "cpu_s": s} for path, (n, s) in _counts.items()}
    Path(out).write_text(json.dumps({"process_cpu_s": time.process_time() - _start[0], "parts": parts}))
    os._exit(0)


def main() -> None:
    out = sys.argv[1]
    for module, path, _ in PARTS:
        _wrap(module, path)
    signal.signal(signal.SIGUSR2, _reset)
    signal.signal(signal.SIGUSR1, lambda *_: _report(out))
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", "run", "app.py", *sys.argv[2:]]
    streamlit_main()


if __name__ == "__main__":
    main()
