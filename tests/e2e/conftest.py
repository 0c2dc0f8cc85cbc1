"""Browser fixtures: one Chromium per test session, a fresh browser context per test.

Each test module starts its own ``streamlit run`` (a module-scoped ``app`` fixture) and
asks ``open_chat`` for pages on it. Modules skip themselves when Chromium is missing.
"""

from __future__ import annotations

import pytest

from .harness import chromium_missing_reason, launch_chromium


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


@pytest.fixture
def open_chat(request, tmp_path, browser, app):
    """Open the app in a new browser context (a new visitor); closed after the test.

    When the test fails, each page's screenshot goes to the test's ``tmp_path`` and the
    end of the app's log is printed (pytest shows both with the failure)."""
    from .chat_ui import ChatPage

    contexts = []

    def open_() -> ChatPage:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return ChatPage.open(context.new_page(), app.url)

    yield open_
    if getattr(request.node, "e2e_failed", False):
        for n, context in enumerate(contexts):
            for page in context.pages:
                try:
                    page.screenshot(path=str(tmp_path / f"page-{n}.png"), full_page=True)
                except Exception:  # noqa: S110 - a screenshot must not hide the real failure
                    pass
        print(f"screenshots: {tmp_path}")
        print(f"--- streamlit log ({app.url}) ---\n{app.output()[-5000:]}")
    for context in contexts:
        context.close()
