"""Compare runs against the mock: concurrent targets at their own speeds, a failing target shown
in its own column, statistics and cost, linked saved conversations, the vote, CSV/JSON exports."""

from __future__ import annotations

import csv
import io
import json

import pytest

from chatcore.archive import ChatArchive
from chatcore.compare import CompareRun, CompareTarget, Price, run_csv, run_json
from chatcore.compare.figures import spread, summarize
from chatcore.mock.options import MockOptions
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.store import ChatStore
from chatcore.visitor import Visitor

SHORT = GenerationSettings(max_tokens=30, max_steps=2)  # the mock stops at 30 tokens (finish "length")


def mock_target(label: str, model: str = "mock-gpt", *, delay: float = 0.0, price: Price | None = None,
                settings: GenerationSettings = SHORT) -> CompareTarget:
    config = ProviderConfig(kind="mock", model=model, max_retries=0)
    return CompareTarget(label, config, settings, MockOptions(ttft=0.0, chunk_delay=delay), price)


@pytest.fixture
def archive(tmp_path):
    with ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite3'}") as store:
        store.migrate()
        yield ChatArchive(store, Visitor(user_id=None, browser_key="tab-1"))


def test_two_speeds_and_a_failing_target_each_end_in_their_own_column():
    fast, slow = mock_target("A"), mock_target("B", delay=0.04)
    failing = mock_target("C", "mock-fault-500")
    run = CompareRun("Explain how photosynthesis works", [fast, slow, failing]).start()
    assert run.wait(30)
    a, b, c = (run.current(i) for i in range(3))
    assert (a.status, b.status, c.status) == ("complete", "complete", "error")
    assert a.finish_reason == b.finish_reason == "length" and len(a.text) > 40 and a.text == b.text
    assert "server had an error (500)" in c.error.message  # the failure, in words, in C's column
    assert b.total_s >= 1.1 and a.total_s < b.total_s  # 30 tokens 40 ms apart: B streamed at its own pace
    figures = {f.label: f for f in run.figures()}
    assert figures["C"].status == "error" and figures["C"].error
    assert figures["A"].tokens_out == 30 and figures["A"].tokens_in > 0 and not figures["A"].usage_estimated


def test_targets_stream_at_the_same_time_not_one_after_another():
    targets = [mock_target(label, delay=0.03) for label in "ABC"]
    run = CompareRun("Explain how photosynthesis works", targets).start()
    assert run.wait(30)
    turns = [run.current(i) for i in range(3)]
    starts = [t.started_at for t in turns]
    ends = [t.started_at + t.total_s for t in turns]
    assert max(starts) < min(ends)  # every answer started before any finished: they overlapped


def test_rounds_give_median_and_spread_per_target_and_cost_from_the_price():
    price = Price(input_per_million=2.0, output_per_million=10.0)
    run = CompareRun("Explain how photosynthesis works", [mock_target("A", price=price), mock_target("B")], rounds=3).start()
    assert run.wait(60)
    assert [len(run.answers(i)) for i in range(2)] == [3, 3]
    assert len({cid for i in range(2) for _, cid in run.answers(i)}) == 6  # a fresh conversation per answer
    a, b = run.summaries()
    assert a.answers == a.completed == 3 and a.tokens_out.median == 30 and a.tokens_out.n == 3
    one = run.figures()[0]
    assert one.cost == pytest.approx((one.tokens_in * 2.0 + 30 * 10.0) / 1e6)
    assert a.cost.median == pytest.approx(one.cost) and b.cost is None  # no price, no cost
    assert a.row()["tokens out"] == "30" and b.row()["cost ($)"] == "—"


def test_spread_and_summary_arithmetic():
    s = spread([3.0, None, 1.0, 2.0, 10.0])
    assert (s.median, s.low, s.high, s.n) == (2.5, 1.0, 10.0, 4)
    assert s.text("{:.1f}") == "2.5 (1.0–10.0)" and spread([None]) is None
    assert Price(1.0, 1.0).cost(None, 5) is None and Price(0.0, 4.0).cost(None, 250_000) == 1.0
    assert summarize("X", []).row()["first token (s)"] == "—"


def test_stop_one_target_keeps_the_others_going_and_stop_all_ends_everything():
    slow = GenerationSettings(max_steps=1)  # the whole ~1,500-character answer, 50 ms a token
    run = CompareRun("Explain how photosynthesis works",
                     [mock_target("A", delay=0.05, settings=slow), mock_target("B", delay=0.05, settings=slow),
                      mock_target("C", delay=0.05, settings=slow)], rounds=2).start()
    _wait_for(lambda: all(run.current(i) is not None and run.current(i).text for i in range(3)))
    run.stop(0)
    assert run.current(0).status == "stopped" and run.current(1).status == "streaming"
    run.stop_all()
    assert run.wait(10)
    assert [run.current(i).status for i in range(3)] == ["stopped"] * 3
    assert [len(run.answers(i)) for i in range(3)] == [1, 1, 1]  # no second round after Stop all


def test_answers_are_saved_as_linked_conversations_with_the_vote(archive):
    run = CompareRun("Explain how photosynthesis works", [mock_target("A"), mock_target("B", "mock-reasoner")],
                     archive=archive).start()
    assert run.wait(30)
    run.cast_vote("B")
    ids = [cid for i in range(2) for _, cid in run.answers(i)]
    for label, cid in zip("AB", ids, strict=True):
        saved = archive.settings_of(cid)["compare"]
        assert saved == {"run": run.id, "target": label, "round": 1, "targets": ["A", "B"], "vote": "B"}
        conversation = archive.open(cid)
        saved_turn = conversation.last_turn
        assert saved_turn.status == "complete" and (saved_turn.text or saved_turn.reasoning)  # B spent its 30 on thinking
    listed = {s.id for s in archive.list()}
    assert set(ids) <= listed  # in History like any chat
    with pytest.raises(ValueError):
        run.cast_vote("Z")


def test_exports_have_one_row_per_answer_and_never_the_key():
    secret = ProviderConfig(kind="mock", model="mock-gpt", api_key="sk-compare-secret")
    run = CompareRun("Explain how photosynthesis works",
                     [mock_target("A"), CompareTarget("B", secret, SHORT, MockOptions(ttft=0, chunk_delay=0))],
                     rounds=2).start()
    assert run.wait(30)
    rows = list(csv.DictReader(io.StringIO(run_csv(run))))
    assert [(r["label"], r["round"], r["status"]) for r in rows] == [
        ("A", "1", "complete"), ("A", "2", "complete"), ("B", "1", "complete"), ("B", "2", "complete")]
    assert rows[0]["model"] == "mock-gpt" and rows[0]["tokens_out"] == "30"
    data = json.loads(run_json(run))
    assert data["compare_run"] == run.id and len(data["answers"]) == 4 and data["summary"][0]["target"] == "A"
    assert "sk-compare-secret" not in run_csv(run) + run_json(run)


def _wait_for(condition, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_a_run_nobody_watches_is_stopped_rounds_and_all():
    slow = GenerationSettings(max_steps=1)
    run = CompareRun("Explain how photosynthesis works", [mock_target("A", delay=0.05, settings=slow)], rounds=5,
                     idle_limit=1.0).start()
    assert run.wait(20)  # nobody called seen(): stopped after about a second, not five full answers
    assert [t.status for t, _ in run.answers(0)] == ["stopped"]
    assert "nobody was watching" in run.current(0).end_message
