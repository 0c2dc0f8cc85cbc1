"""One prompt answered by 2–4 targets at once, optionally N rounds, saved as linked conversations.

Each target has its own ``ChatSession`` (its own provider and connection pool, its own
tools), and each answer runs on its own thread (``LiveTurn``), so a slow or failing target
never holds the others up. A coordinator thread starts every target's answer for a round,
waits for them all, then starts the next round; the page only *reads* the ``Turn`` records
(Streamlit can draw only from its script thread), so a page that is interrupted or reloaded
leaves the run going, and Stop works from any run of the page.

Every answer is a conversation of its own, saved like a chat (History lists them); their
settings carry ``compare = {run, target, round, targets}`` so they can be found together,
and the user's vote is written next to it.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from ..archive import ChatArchive
from ..live_turn import LiveTurn, TurnHub
from ..session import ChatSession
from ..store import StoreError
from ..tools import ToolRegistry
from ..turn import Turn
from .figures import AnswerFigures, TargetSummary, summarize
from .target import CompareTarget

MAX_TARGETS = 4
# A run nobody looks at (every tab closed) is stopped after this long, rounds and all, so a
# forgotten 20-round run does not go on spending tokens. The page calls ``seen()`` as it polls.
IDLE_LIMIT_S = 120.0


class CompareRun:
    def __init__(self, prompt: str, targets: list[CompareTarget], *, rounds: int = 1, archive: ChatArchive | None = None,
                 registry: ToolRegistry | None = None, idle_limit: float = IDLE_LIMIT_S) -> None:
        if not 1 <= len(targets) <= MAX_TARGETS:
            raise ValueError(f"compare 1 to {MAX_TARGETS} targets, not {len(targets)}")
        if len({t.label for t in targets}) != len(targets):
            raise ValueError("each target needs its own label")
        self.id = secrets.token_urlsafe(9)
        self.prompt = prompt
        self.targets = list(targets)
        self.rounds = max(1, rounds)
        self.archive = archive
        self.vote: str | None = None
        self.storage_problem: str | None = None
        self.idle_limit = idle_limit
        self._last_seen = time.monotonic()
        # The hub's own idle rule counts followers of the event log; this page polls records
        # instead, so the run applies its idle rule itself (``_wait_watched``).
        self._hub = TurnHub(idle_limit=float("inf"))
        self._sessions = [ChatSession(registry=registry, archive=archive, hub=self._hub) for _ in targets]
        self._answers: list[list[tuple[Turn, str]]] = [[] for _ in targets]  # per target: (turn, conversation id)
        self._live: list[LiveTurn | None] = [None] * len(targets)
        self._stopped: set[int] = set()  # targets the user stopped: no more rounds for them
        self._stop_all = threading.Event()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.round = 0
        self._thread = threading.Thread(target=self._run, name="chatcore-compare", daemon=True)

    # ------------------------------------------------------------ running
    def start(self) -> CompareRun:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            for round_ in range(1, self.rounds + 1):
                if self._stop_all.is_set():
                    return
                self.round = round_
                started = [(i, self._start(i, round_)) for i in range(len(self.targets))]
                lives = [(i, live) for i, live in started if live is not None]
                for index, live in lives:
                    self._link(index, live, round_)
                for _, live in lives:
                    self._wait_watched(live)
                for session in self._sessions:
                    session.wait_saved(5.0)
        finally:
            self._done.set()

    def _wait_watched(self, live: LiveTurn) -> None:
        while not live.wait(0.5):
            if time.monotonic() - self._last_seen > self.idle_limit:
                self.stop_all("Stopped: nobody was watching this comparison.")

    def seen(self) -> None:
        """Someone is looking at the run (the page calls this as it polls)."""
        self._last_seen = time.monotonic()

    def _start(self, index: int, round_: int) -> LiveTurn | None:
        if self._stop_all.is_set() or index in self._stopped:
            return None
        target, session = self.targets[index], self._sessions[index]
        session.new_chat()  # every round is a fresh conversation: rounds must not see each other
        try:
            live = session.send(self.prompt, target.config, target.settings, target.mock)
        except Exception as exc:  # noqa: BLE001 - e.g. a base URL the client refuses: shown in its column
            turn = Turn(model=target.config.model)
            turn.finish("error", "error", f"Could not start: {type(exc).__name__}: {exc}")
            with self._lock:
                self._answers[index].append((turn, session.conversation.id))
            return None
        with self._lock:
            self._answers[index].append((live.turn, session.conversation.id))
            self._live[index] = live
        return live

    def _link(self, index: int, live: LiveTurn, round_: int) -> None:
        """Mark the saved conversation as part of this run (after every target started)."""
        self._update_settings(live.conversation_id, {"compare": {
            "run": self.id, "target": self.targets[index].label, "round": round_,
            "targets": [t.label for t in self.targets]}})

    def _update_settings(self, conversation_id: str, changes: dict[str, Any]) -> None:
        archive = self.archive
        owner = archive.owner_of(conversation_id) if archive is not None else None
        if archive is None or owner is None:
            return
        try:
            current = archive.settings_of(conversation_id)
            merged = {**current, **changes}
            if "compare" in current and "compare" in changes:
                merged["compare"] = {**current["compare"], **changes["compare"]}
            archive.store.set_settings(conversation_id, owner, merged)
        except StoreError as exc:
            self.storage_problem = str(exc)

    # ------------------------------------------------------------ stopping
    def stop(self, index: int, message: str = "Stopped.") -> None:
        """Stop one target: its answer now (the upstream closes at once) and its later rounds."""
        with self._lock:
            self._stopped.add(index)
            live = self._live[index]
        if live is not None and not live.is_finished:
            live.stop("stop", message)

    def stop_all(self, message: str = "Stopped.") -> None:
        self._stop_all.set()
        for index in range(len(self.targets)):
            self.stop(index, message)

    # ------------------------------------------------------------ reading
    @property
    def is_finished(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def answers(self, index: int) -> list[tuple[Turn, str]]:
        """Target ``index``'s answers so far, one per round: (turn record, conversation id)."""
        with self._lock:
            return list(self._answers[index])

    def current(self, index: int) -> Turn | None:
        answers = self.answers(index)
        return answers[-1][0] if answers else None

    def figures(self) -> list[AnswerFigures]:
        """Every finished answer's numbers, target by target, round by round."""
        rows = []
        for index, target in enumerate(self.targets):
            for round_, (turn, conversation_id) in enumerate(self.answers(index), 1):
                if turn.is_finished:
                    rows.append(AnswerFigures.of(target, round_, turn, conversation_id))
        return rows

    def summaries(self) -> list[TargetSummary]:
        figures = self.figures()
        return [summarize(t.label, [f for f in figures if f.label == t.label]) for t in self.targets]

    # ------------------------------------------------------------ the user's verdict
    def cast_vote(self, label: str) -> None:
        """"A is better": kept with every answer of the run, like feedback on a message."""
        if label not in {t.label for t in self.targets} and label != "tie":
            raise ValueError(f"unknown target {label!r}")
        self.vote = label
        for index in range(len(self.targets)):
            for _, conversation_id in self.answers(index):
                self._update_settings(conversation_id, {"compare": {"vote": label}})


__all__ = ["CompareRun", "IDLE_LIMIT_S", "MAX_TARGETS"]
