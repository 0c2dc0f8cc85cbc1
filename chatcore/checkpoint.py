"""Save an answer while it streams, without slowing the stream.

``TurnSaver`` runs on its own thread: every ``interval`` seconds it saves the ``Turn`` as it
is now (a snapshot copy, see ``store.records``), and once the turn has ended it saves the
final state and stops. The streaming thread never waits for the database, so a slow or
locked database costs the stream nothing; a failed save is kept in ``problem`` for the UI
to show, and the next tick tries again.

Saving every second even when nothing changed is deliberate: it keeps the row fresh, so a
row that stops being refreshed means its server died (``ChatStore.stale_after``). When many
answers stream at once (``BUSY_ANSWERS``) it saves every ``BUSY_FACTOR`` intervals instead:
the saves were a tenth of the server's CPU per answer, and a crash then loses at most two
seconds of an answer rather than one (still far inside ``stale_after``).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from .streaming_now import answers_streaming
from .turn import Turn

log = logging.getLogger(__name__)

SaveTurn = Callable[[Turn], object]  # raises on failure (e.g. StoreError); the result is ignored
FINAL_ATTEMPTS = 3
BUSY_ANSWERS = 10  # this many answers streaming in the process: save less often
BUSY_FACTOR = 2


class TurnSaver:
    def __init__(self, turn: Turn, checkpoint: SaveTurn, finish: SaveTurn, *, interval: float = 1.0) -> None:
        self.turn = turn
        self.interval = interval
        self._checkpoint = checkpoint
        self._finish = finish
        self._wake = threading.Event()
        self._done = threading.Event()
        self.problem: str | None = None  # the last save failure, worded for the user; None once a save works
        self.saves = 0
        self._thread = threading.Thread(target=self._run, name="chatcore-saver", daemon=True)

    def start(self) -> TurnSaver:
        self._thread.start()
        return self

    def current_interval(self) -> float:
        """Seconds until the next checkpoint: ``interval``, or longer while the server is busy."""
        return self.interval * (BUSY_FACTOR if answers_streaming() >= BUSY_ANSWERS else 1)

    def wake(self) -> None:
        """The turn ended (or changed a lot): save now rather than at the next tick."""
        self._wake.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the final state is saved (or finally failed). True if it is done."""
        return self._done.wait(timeout)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def _run(self) -> None:
        try:
            while True:
                self._wake.wait(self.current_interval())
                self._wake.clear()
                if self.turn.is_finished:
                    self._save_final()
                    return
                self._save(self._checkpoint)
        finally:
            self._done.set()

    def _save_final(self) -> None:
        for attempt in range(FINAL_ATTEMPTS):
            if self._save(self._finish):
                return
            if attempt + 1 < FINAL_ATTEMPTS:
                self._wake.wait(self.interval / 2)

    def _save(self, save: SaveTurn) -> bool:
        try:
            save(self.turn)
        except Exception as exc:  # noqa: BLE001 - a failed save must never reach the stream
            self.problem = str(exc) or type(exc).__name__
            log.warning("saving the answer failed: %s", self.problem)
            return False
        self.saves += 1
        self.problem = None
        return True


__all__ = ["BUSY_ANSWERS", "BUSY_FACTOR", "TurnSaver"]
