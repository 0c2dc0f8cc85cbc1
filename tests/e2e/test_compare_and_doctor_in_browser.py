"""The Compare and Endpoint doctor pages in Chromium, against the mock HTTP server.

Three targets stream into three columns at once, and Stop all closes every upstream
connection (the mock server records each client disconnect); the doctor shows its full
table for the same server.
"""

from __future__ import annotations

import time

import pytest

from chatcore.mock import MockOptions, MockServer

from .harness import StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

COLUMN = '[data-testid="stColumn"]'


@pytest.fixture(scope="module")
def upstream():
    with MockServer(options=MockOptions(ttft=0.05, chunk_delay=0.02), quiet=True) as server:
        yield server


@pytest.fixture(scope="module")
def app(upstream):
    env = {"OPENAI_BASE_URL": upstream.url, "OPENAI_API_KEY": "test", "OPENAI_MODEL": "mock-gpt"}
    with StreamlitServer("app.py", env=env) as server:
        yield server


@pytest.fixture
def page(browser, app):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def wait_until(condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def chat_requests(upstream: MockServer):
    return [r for r in upstream.requests if r.method == "POST" and r.path.endswith("/chat/completions")]


def test_three_targets_stream_in_three_columns_and_stop_all_closes_every_upstream(page, app, upstream):
    upstream.reset()
    page.goto(f"{app.url}/compare")
    page.get_by_test_id("stRadio").filter(has_text="Targets").get_by_text("3", exact=True).click()
    page.get_by_text("C", exact=True).wait_for()  # the third target's form
    page.get_by_label("Prompt").fill("Write a long answer about rivers")
    page.get_by_label("Prompt").press("Tab")  # commit the text area's value
    page.get_by_role("button", name="Compare", exact=True).click()
    streaming = page.locator(COLUMN).filter(has_text="streaming…").filter(has_text="mock-gpt")
    wait_until(lambda: streaming.count() == 3, what="three columns streaming at once")
    wait_until(lambda: len(chat_requests(upstream)) == 3 and all(r.chunks_sent > 0 for r in chat_requests(upstream)),
               what="three upstream streams")
    assert all(r.finished is None for r in chat_requests(upstream))  # all three at once, none done
    first = streaming.first.inner_text()
    wait_until(lambda: len(streaming.first.inner_text()) > len(first) + 20, what="the first column's text to grow")
    page.get_by_role("button", name="Stop all").click()
    wait_until(lambda: all(r.client_disconnected for r in chat_requests(upstream)), timeout=10,
               what="every upstream connection to close")
    stopped = chat_requests(upstream)
    assert len(stopped) == 3 and all(r.chunks_sent < 1500 for r in stopped)  # cut mid-answer, not run to the end
    wait_until(lambda: page.locator(COLUMN).filter(has_text="Stopped.").count() >= 3, what="three stopped columns")
    wait_until(lambda: page.get_by_text("Which is better?").count() == 1, what="the results")
    page.get_by_text("Export CSV").wait_for()


def test_doctor_page_shows_a_full_table_for_the_mock(page, app):
    page.goto(f"{app.url}/doctor")
    page.get_by_role("button", name="Run the check").click()
    rows = page.locator('[data-testid="stTable"] tbody tr')
    wait_until(lambda: rows.count() == 13, timeout=60, what="the doctor's table")
    table = page.get_by_test_id("stTable").inner_text()
    for check in ("Models listed", "Plain streaming", "stream_options.include_usage", "Parallel tool calls",
                  "Images accepted", "JSON mode", "Error format"):
        assert check in table
    assert "✅ ok: 2 calls in one step" in table and "HTTP 400" in table  # evidence, not just a verdict
    assert page.get_by_text("Every capability the app uses works").is_visible()
