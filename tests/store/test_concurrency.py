"""Many script threads of one process share one store: nothing lost, doubled or mixed up."""

from __future__ import annotations

import threading
from typing import Callable

from sqlalchemy import func, select

from chatcore.conversation import UserEntry
from chatcore.events import Chunk, End, Usage
from chatcore.store.schema import messages
from chatcore.turn import Turn

THREADS = 20
TURNS = 20


def run_threads(n: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]


def test_20_threads_x_20_streamed_turns(store):
    conversation_ids = [store.create_conversation(f"user-{i}") for i in range(THREADS)]

    def chat(i: int) -> None:
        owner, cid = f"user-{i}", conversation_ids[i]
        for n in range(TURNS):
            store.add_user_message(cid, owner, f"u{i}-q{n}")
            turn = Turn(model=f"m{i}")
            message_id = store.start_assistant(cid, owner, turn)
            for part in range(3):
                turn.apply(Chunk(f"u{i}-a{n}-p{part} "))
                store.checkpoint(message_id, turn)
            turn.apply(Usage(1, 3, 4))
            turn.apply(End("stop"))
            store.finish(message_id, turn)
            if n % 5 == 0:  # readers run alongside the writers
                assert len(store.load(cid, owner).entries) == 2 * n + 2
                store.list_conversations(owner)

    run_threads(THREADS, chat)

    for i, cid in enumerate(conversation_ids):
        entries = store.load(cid, f"user-{i}").entries
        assert len(entries) == 2 * TURNS
        for n in range(TURNS):
            user, answer = entries[2 * n], entries[2 * n + 1]
            assert isinstance(user, UserEntry) and user.content == f"u{i}-q{n}"
            assert answer.status == "complete" and answer.model == f"m{i}"
            assert answer.text == "".join(f"u{i}-a{n}-p{p} " for p in range(3))
        [summary] = store.list_conversations(f"user-{i}")
        assert summary.message_count == 2 * TURNS
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(messages)).scalar_one() == THREADS * TURNS * 2


def test_threads_writing_into_one_conversation_get_distinct_places(store):
    cid = store.create_conversation("me")

    def write(i: int) -> None:
        for n in range(10):
            store.add_user_message(cid, "me", f"t{i}-{n}")

    run_threads(10, write)
    contents = [e.content for e in store.load(cid, "me").entries]
    assert sorted(contents) == sorted(f"t{i}-{n}" for i in range(10) for n in range(10))
    for i in range(10):  # each thread's own messages stay in the order it wrote them
        assert [c for c in contents if c.startswith(f"t{i}-")] == [f"t{i}-{n}" for n in range(10)]


def test_an_in_memory_store_serves_threads_too(tmp_path):
    from chatcore.store import ChatStore

    with ChatStore("sqlite://") as store:
        store.migrate()
        cid = store.create_conversation("me")
        run_threads(8, lambda i: [store.add_user_message(cid, "me", f"{i}-{n}") for n in range(10)])
        assert len(store.load(cid, "me").entries) == 80


def test_answers_finishing_while_others_regenerate_and_edit_never_deadlock(store):
    """finish() and delete_last_assistant()/truncate_after() lock the same rows: in the same order."""
    cid = store.create_conversation("me")
    store.add_user_message(cid, "me", "q")

    def work(i: int) -> None:
        for n in range(40):
            if i % 2 == 0:
                turn = Turn()
                message_id = store.start_assistant(cid, "me", turn)
                turn.apply(Chunk("x"))
                turn.apply(End("stop"))
                store.finish(message_id, turn)
            elif n % 4:
                store.delete_last_assistant(cid, "me")
            else:
                store.truncate_after(cid, "me", 1)

    run_threads(6, work)
    entries = store.load(cid, "me").entries
    assert entries and isinstance(entries[0], UserEntry) and entries[0].content == "q"
