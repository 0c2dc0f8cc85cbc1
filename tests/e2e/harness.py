"""Run ``streamlit run`` on a free port and drive it with Debian's Chromium.

Shared by the browser tests (``tests/e2e``) and the UI benchmark (``bench/ui_stream.py``).
Nothing here downloads a browser: Playwright is pointed at ``/usr/bin/chromium``.
Only 127.0.0.1 is used.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Mapping

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Settings that could point the app at a real provider are removed unless given explicitly.
PROVIDER_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL")


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing: install Debian's chromium (`make system-packages`); no browser is downloaded"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (requirements-dev.txt)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """``streamlit run <script>`` in its own process group; a context manager.

    The provider comes only from ``env``: OPENAI_* variables of the calling environment
    are dropped and, unless ``use_secrets``, so is any ``.streamlit/secrets.toml`` (a
    developer's real key must never turn a test into a call to a paid API)."""

    def __init__(self, script: str | Path = "app.py", env: Mapping[str, str] | None = None, *,
                 cwd: str | Path = ROOT, extra_args: list[str] | tuple[str, ...] = (),
                 use_secrets: bool = False, startup_timeout: float = 45.0) -> None:
        self.script = str(script)
        self.extra_args = list(extra_args)
        self.use_secrets = use_secrets
        self.extra_env = dict(env or {})
        self.cwd = str(cwd)
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - lives as long as the server; closed in stop()
        self._no_secrets = None  # an empty secrets file, so no real secrets.toml is read

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StreamlitServer:
        env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
        env.update(self.extra_env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
        cmd = [
            sys.executable, "-m", "streamlit", "run", self.script,
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
            *self.extra_args,
        ]
        if not self.use_secrets:
            self._no_secrets = tempfile.NamedTemporaryFile("w", suffix=".toml", prefix="no-secrets-")  # noqa: SIM115 - as _log
            cmd += ["--secrets.files", self._no_secrets.name]
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"streamlit did not answer /_stcore/health within {self.startup_timeout} s:\n{self.output()}")

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-20000:]

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
            except ProcessLookupError:
                pass
        self._log.close()
        if self._no_secrets is not None:
            self._no_secrets.close()

    def __enter__(self) -> StreamlitServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def launch_chromium(playwright, **kwargs):
    """Debian's Chromium, headless, with nothing phoning home."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **kwargs)


__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "ROOT", "StreamlitServer", "chromium_missing_reason", "free_port",
           "launch_chromium"]


def run_async(coro):
    """``asyncio.run(coro)`` on a thread of its own: the session's Playwright (sync API) keeps
    an event loop running on the main thread, where ``asyncio.run`` refuses to start another."""
    import asyncio
    import threading

    outcome: dict = {}

    def main() -> None:
        try:
            outcome["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed back to the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=main, name="test-asyncio")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")

