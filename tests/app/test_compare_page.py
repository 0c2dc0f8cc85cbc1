"""The Compare page through AppTest: columns per target, a failure in its own column, results, vote."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def compare_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    return at


def test_three_targets_answer_side_by_side_and_a_failing_one_shows_its_error():
    at = compare_page()
    at.radio(key="cmp_count").set_value(3).run()
    for index, (model, speed) in enumerate([("mock-gpt", "Instant"), ("mock-reasoner", "Fast"), ("mock-fault-500", "Instant")]):
        at.selectbox(key=f"cmp_model_{index}").set_value(model)
        at.select_slider(key=f"cmp_speed_{index}").set_value(speed)
        at.number_input(key=f"cmp_max_{index}").set_value(40)
    at.number_input(key="cmp_price_out_0").set_value(10.0)
    at.text_area(key="cmp_prompt").set_value("Explain how photosynthesis works").run()
    at.button(key="cmp_start").click().run()
    assert not at.exception
    run = at.session_state["compare_run"]
    assert run.is_finished
    assert [run.current(i).status for i in range(3)] == ["complete", "complete", "error"]
    assert any("The server had an error (500)" in e.value for e in at.error)  # in C's column
    captions = " ".join(c.value for c in at.caption)
    assert "first token" in captions and "$0.000400" in captions  # 40 tokens out at $10 per million
    summary = at.table[0].value
    assert list(summary["target"]) == ["A", "B", "C"] and list(summary["answers"]) == [
        "1/1 complete", "1/1 complete", "0/1 complete"]
    at.button(key="cmp_vote_B").click().run()
    assert run.vote == "B" and "Your vote: **B**" in " ".join(c.value for c in at.caption)
    conversation_id = run.answers(0)[0][1]
    assert run.archive.settings_of(conversation_id)["compare"]["vote"] == "B"
