"""How long an answer's thread waits between two network reads: not at all for a lone
answer, longer as more answers stream in this process at once.

A model server sends one token per network write. Reading each as it lands wakes the
answer's thread once per token, and under load that wake-up (the GIL hand-over, cold caches,
one pass through every layer above the socket) costs more than the token's own work. An
answer that pauses between reads finds several tokens waiting and handles them in one pass
(``chunked_body`` hands over all a read brought): 20 answers at 50 tokens/s cost 54 µs of
CPU per token read as they come, 35 with a 50 ms pause, 26 with 100 ms.

Nothing the visitor sees waits for it: the first text is read at once (the pause starts
only after some output was shown), pages redraw a streaming answer every 0.2 s or slower
anyway (``ui/live_pace.py``), the pause is never longer than ``MAX_PAUSE_S``, and Stop ends
it at once (the caller waits on the answer's cancel token).
"""

from __future__ import annotations

from ..streaming_now import answers_streaming

PAUSE_PER_ANSWER_S = 0.005  # 10 answers streaming: 50 ms between reads; 20 or more: 100 ms
MAX_PAUSE_S = 0.1
ALONE = 2  # up to this many answers at once: read as the tokens come


def read_pause(answers: int | None = None) -> float:
    """Seconds to wait before the next read, with ``answers`` streaming (default: now)."""
    answers = answers_streaming() if answers is None else answers
    if answers <= ALONE:
        return 0.0
    return min(MAX_PAUSE_S, answers * PAUSE_PER_ANSWER_S)


__all__ = ["ALONE", "MAX_PAUSE_S", "read_pause"]
