"""How many answers this process is streaming from upstream right now.

One number, shared by the parts that spend less per answer when many answers share the
server's CPU: the reader pauses between network reads (``providers/read_pace.py``) and the
checkpoint saver saves less often (``checkpoint.py``). ``ActiveCount`` is the counter itself
(pages count themselves with one too, ``ui/live_pace.py``): a number, nothing per user."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ActiveCount:
    """A thread-safe count of things in progress."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @contextmanager
    def counting(self) -> Iterator[None]:
        """Count one more while the block runs."""
        with self._lock:
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1

    @property
    def value(self) -> int:
        return self._count


_ANSWERS = ActiveCount()
streaming_answer = _ANSWERS.counting  # count one answer as streaming while the block runs


def answers_streaming() -> int:
    return _ANSWERS.value


__all__ = ["ActiveCount", "answers_streaming", "streaming_answer"]
