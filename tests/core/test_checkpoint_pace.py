"""The checkpoint saver saves less often while many answers stream at once, and still saves
the final state at once."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack

from chatcore import checkpoint
from chatcore.checkpoint import TurnSaver
from chatcore.streaming_now import streaming_answer
from chatcore.turn import Turn


def saves_in(seconds: float, *, streaming: int) -> tuple[int, float]:
    """Checkpoints of an answer in ``seconds`` with ``streaming`` answers counted, and how long
    its final save took once it ended."""
    turn = Turn(model="m")
    checkpoints: list[float] = []
    finished = threading.Event()
    with ExitStack() as stack:
        for _ in range(streaming):
            stack.enter_context(streaming_answer())
        saver = TurnSaver(turn, checkpoint=lambda t: checkpoints.append(time.monotonic()),
                          finish=lambda t: finished.set(), interval=0.05).start()
        time.sleep(seconds)
        turn.status = "complete"
        ended = time.monotonic()
        saver.wake()
        assert finished.wait(1) and saver.wait(1)
    return len(checkpoints), time.monotonic() - ended


def test_a_busy_server_checkpoints_half_as_often_and_still_saves_the_end_at_once():
    alone, alone_final = saves_in(0.6, streaming=1)
    busy, busy_final = saves_in(0.6, streaming=checkpoint.BUSY_ANSWERS)
    assert alone >= 8 and 3 <= busy <= alone * 0.7
    assert alone_final < 0.05 and busy_final < 0.05
