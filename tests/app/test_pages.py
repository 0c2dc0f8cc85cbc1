"""The Metrics and Tools pages, through AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from .conftest import open_advanced

ROOT = Path(__file__).resolve().parents[2]


def test_tools_page_lists_every_tool_with_schema_and_runs_one():
    at = AppTest.from_file(str(ROOT / "pages" / "tools.py"), default_timeout=20).run()
    assert not at.exception
    labels = " ".join(e.label for e in at.expander)
    for name in ("calculator", "current_time", "convert_units", "days_between"):
        assert name in labels
    at.text_input(key="tool-calculator-expression").set_value("2**10 + 1")
    form_button = [b for b in at.button if b.label == "Run"][0]
    form_button.click().run()
    assert any("1025" in c.value for c in at.code)


def test_tools_page_shows_a_tool_error_clearly():
    at = AppTest.from_file(str(ROOT / "pages" / "tools.py"), default_timeout=20).run()
    at.text_input(key="tool-calculator-expression").set_value("1/0")
    [b for b in at.button if b.label == "Run"][0].click().run()
    assert at.error and "zero" in at.error[0].value.lower()


def test_metrics_page_without_answers_says_what_to_do():
    at = AppTest.from_file(str(ROOT / "pages" / "metrics.py"), default_timeout=20).run()
    assert not at.exception and "No answers yet" in at.info[0].value


def test_metrics_page_charts_this_sessions_answers():
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=20).run()
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    at.chat_input(key="prompt").set_value("hello").run()
    at.chat_input(key="prompt").set_value("What is 2+2?").run()
    at.switch_page("pages/metrics.py").run()
    assert not at.exception
    assert at.metric[0].value == "2"
    assert at.dataframe
