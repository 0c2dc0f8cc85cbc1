"""An answer that streams on the server, detached from whichever page is showing it.

A Streamlit page is a script run that any click, reload or closed tab ends. If the answer
were produced *by* that run, a reload would kill it. So an answer runs on its own thread
(``LiveTurn``): it reads the core's events, applies each to the ``Turn`` record and keeps
them in a log. Pages *follow* the log: a follower that starts at 0 replays what was said so
far and then goes on live, so a reloaded page, or the same link in a second tab,
re-attaches and shows the answer to its end.

Only three things end a live answer early: ``stop()`` (the Stop button, from any tab that
follows it), a new prompt in the same chat (which calls ``stop()``), and the idle limit:
nobody followed it for ``idle_limit`` seconds (every tab closed), so nobody would read it.

``TurnHub`` finds a running answer by its conversation id. It is shared by every session
of the process, and safe to share: it holds only answers that are running, keyed by their
conversation's id (144 random bits), and callers look an answer up only after the store
has said the visitor may open that conversation (``ChatSession.open_conversation``).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from typing import Callable, Iterator

from .engine import ActiveTurn
from .events import Event
from .ticker import TICK, Tick
from .turn import Segment

DEFAULT_IDLE_LIMIT_S = 120.0
FOLLOW_BATCH_S = 0.05  # a follower looks for new events at most this often once the answer flows


class LiveTurn:
    def __init__(self, active: ActiveTurn, conversation_id: str, *, idle_limit: float = DEFAULT_IDLE_LIMIT_S,
                 on_finish: Callable[[LiveTurn], None] | None = None) -> None:
        self.active = active
        self.turn = active.turn
        self.conversation_id = conversation_id
        self.idle_limit = idle_limit
        self._on_finish = on_finish
        self.turn_id = secrets.token_urlsafe(16)  # names this answer in the API (128 random bits)
        self._log: list[Event] = []
        self._changed = threading.Condition()
        self._listeners: tuple[Callable[[], None], ...] = ()  # replaced, never changed: read without the lock
        self._enders: list[Callable[[], None]] = []  # ``when_ended``: run once, as the answer's thread ends
        self._ended = False  # the event source is exhausted (the turn record is final)
        self._done = threading.Event()  # the same, for waiters that need no event (not woken per event)
        self._last_follow = time.monotonic()
        # What the answer held before this run of it began (a continued answer's first part):
        # followers show it first, and the events in the log come after it.
        self.base: tuple[Segment, ...] = tuple(
            Segment(kind=s.kind, step=s.step, pieces=[s.text], tool_id=s.tool_id) for s in self.turn.segments
        )
        self._thread = threading.Thread(target=self._pump, name="chatcore-answer", daemon=True)

    def start(self) -> LiveTurn:
        self._thread.start()
        threading.Thread(target=self._watch_idle, name="chatcore-answer-idle", daemon=True).start()
        return self

    # ------------------------------------------------------------ producing
    def _pump(self) -> None:
        changed, log = self._changed, self._log
        try:
            for event in self.active.events():  # each event is applied to the Turn first
                with changed:
                    log.append(event)
                    changed.notify_all()  # nearly free when no follower is waiting
                if self._listeners:
                    self._tell_listeners()
        except BaseException as exc:  # noqa: BLE001 - the turn record carries the failure
            if not self.turn.is_finished:
                self.turn.finish("error", "error", f"The answer failed: {type(exc).__name__}.")
        finally:
            with self._changed:
                self._ended = True
                self._changed.notify_all()
                enders, self._enders = self._enders, []
            for ended in enders:  # before ``_done``: whoever waited for the end sees their work done
                try:
                    ended()
                except Exception:  # noqa: BLE001, S110 - like a listener's: it must not keep the answer open
                    pass
            self._done.set()
            self._tell_listeners()
            if self._on_finish is not None:
                self._on_finish(self)

    def _watch_idle(self) -> None:
        while not self.wait(1.0):
            if time.monotonic() - self._last_follow > self.idle_limit:
                self.stop("idle", "Stopped: nobody was watching this answer.")
                return

    # ------------------------------------------------------------ following
    def follow(self, start: int = 0, tick: float = 0.15, batch: float = FOLLOW_BATCH_S) -> Iterator[Event | Tick]:
        """The answer's events from ``start``: what was said so far at once, then live.

        Yields ``TICK`` after each ``tick`` seconds of silence (so a renderer can flush what
        it holds back), and ends when the answer has ended and every event was handed out.
        Abandoning the iterator (a page run that was interrupted) leaves the answer running.

        ``batch`` > 0: after handing events out, let the next ones gather for ``batch``
        seconds before looking again, so the follower's thread wakes once per batch, not
        once per token (the first events still come at once; the end comes at most
        ``batch`` late). A page batches its redraws anyway (every 0.15 s), so the default
        saves it a thread wake-up per token (bench/core_stream.py); 0 wakes it per event.
        """
        position = start
        changed, log = self._changed, self._log
        while True:
            with changed:
                self._last_follow = time.monotonic()
                if position >= len(log) and not self._ended:
                    changed.wait(tick)
                new = log[position:]
                ended = self._ended
            if new:
                position += len(new)
                yield from new
                if batch > 0 and not ended:
                    time.sleep(batch)  # not waiting on ``changed``: the answer's thread wakes nobody
            elif ended:
                return
            else:
                yield TICK

    @property
    def events_so_far(self) -> int:
        with self._changed:
            return len(self._log)

    def events_since(self, position: int) -> tuple[list[Event], bool]:
        """The events from ``position`` on, without waiting, and whether the answer has ended
        (for callers that wait their own way, e.g. an async HTTP route)."""
        with self._changed:
            self._last_follow = time.monotonic()
            return self._log[position:], self._ended

    def listen(self, wake: Callable[[], None]) -> Callable[[], None]:
        """Call ``wake()`` (from the answer's thread: keep it tiny and thread-safe) after each
        new event and at the end. Returns the function that stops listening."""
        with self._changed:
            self._listeners = (*self._listeners, wake)

        def stop_listening() -> None:
            with self._changed:
                listeners = list(self._listeners)
                if wake in listeners:
                    listeners.remove(wake)
                    self._listeners = tuple(listeners)

        return stop_listening

    def when_ended(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once when the answer has ended (at once if it has): from the
        answer's thread, before ``wait()`` returns. Keep it tiny."""
        with self._changed:
            if not self._ended:
                self._enders.append(callback)
                return
        callback()

    def _tell_listeners(self) -> None:
        for wake in self._listeners:
            try:
                wake()
            except Exception:  # noqa: BLE001, S110 - a listener that went away must not stop the answer
                pass

    # ------------------------------------------------------------ ending
    def stop(self, reason: str = "stop", message: str = "Stopped.") -> None:
        """Stop from any thread: the upstream closes at once, what was said is kept."""
        self.active.stop(reason, message)

    @property
    def is_finished(self) -> bool:
        return self.turn.is_finished

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the event source is exhausted. True if it is."""
        return self._done.wait(timeout)


class TurnHub:
    """The answers running in this process, by conversation id (see the module docstring).

    An answer started with ``keep_for_replay`` (the HTTP API's: its client knows the
    ``turn_id``) stays findable by that id for ``keep_ended_s`` seconds after it ended (at
    most ``keep_ended`` of them), so a client that lost its connection can replay it to its
    end. Any other answer is forgotten when it ends: nobody can ask for it by id, and each
    kept answer holds its whole event log."""

    def __init__(self, *, idle_limit: float = DEFAULT_IDLE_LIMIT_S, keep_ended_s: float = 600.0,
                 keep_ended: int = 500) -> None:
        self.idle_limit = idle_limit
        self.keep_ended_s = keep_ended_s
        self.keep_ended = keep_ended
        self._running: dict[str, LiveTurn] = {}
        self._by_turn: dict[str, LiveTurn] = {}
        self._ended: OrderedDict[str, tuple[float, LiveTurn]] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, conversation_id: str, active: ActiveTurn,
              on_finish: Callable[[LiveTurn], None] | None = None, *, keep_for_replay: bool = False) -> LiveTurn:
        """Run ``active`` detached. An answer still running in that conversation is stopped first."""
        def finished(live: LiveTurn) -> None:
            with self._lock:
                if self._running.get(conversation_id) is live:
                    del self._running[conversation_id]
                self._by_turn.pop(live.turn_id, None)
                if keep_for_replay:
                    self._ended[live.turn_id] = (time.monotonic(), live)
                self._forget_old_ended()
            if on_finish is not None:
                on_finish(live)

        live = LiveTurn(active, conversation_id, idle_limit=self.idle_limit, on_finish=finished)
        with self._lock:
            previous = self._running.get(conversation_id)
            self._running[conversation_id] = live
            self._by_turn[live.turn_id] = live
        if previous is not None and not previous.is_finished:
            previous.stop("new_prompt", "Stopped: a new prompt was sent.")
        return live.start()

    def _forget_old_ended(self) -> None:
        cutoff = time.monotonic() - self.keep_ended_s
        while self._ended and (len(self._ended) > self.keep_ended or next(iter(self._ended.values()))[0] < cutoff):
            self._ended.popitem(last=False)

    def get(self, conversation_id: str) -> LiveTurn | None:
        """The answer running in ``conversation_id``, if any (the caller checked access)."""
        with self._lock:
            return self._running.get(conversation_id)

    def find_turn(self, turn_id: str) -> LiveTurn | None:
        """An answer by its ``turn_id``: running, or ended a little while ago (the caller
        must still check that the visitor may open ``live.conversation_id``)."""
        with self._lock:
            live = self._by_turn.get(turn_id)
            if live is None:
                self._forget_old_ended()
                found = self._ended.get(turn_id)
                live = found[1] if found is not None else None
            return live

    def __len__(self) -> int:
        with self._lock:
            return len(self._running)


__all__ = ["DEFAULT_IDLE_LIMIT_S", "FOLLOW_BATCH_S", "LiveTurn", "TurnHub"]
