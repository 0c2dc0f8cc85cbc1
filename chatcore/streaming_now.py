"""How many answers this process is streaming from upstream right now.

One number, shared by the parts that spend less per answer when many answers share the
server's CPU: the reader pauses between network reads (``providers/read_pace.py``) and the
checkpoint saver saves less often (``checkpoint.py``). A count, nothing per user."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_streaming = 0


@contextmanager
def streaming_answer() -> Iterator[None]:
    """Count one answer as streaming while the block runs."""
    global _streaming
    with _lock:
        _streaming += 1
    try:
        yield
    finally:
        with _lock:
            _streaming -= 1


def answers_streaming() -> int:
    return _streaming


__all__ = ["answers_streaming", "streaming_answer"]
