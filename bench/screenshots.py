"""Take the README's screenshots of the running app (on the built-in mock), in Debian's Chromium.

    python bench/screenshots.py
    # writes docs/chat.png, docs/stopped.png, docs/history.png (desktop, light),
    # docs/chat-dark.png (desktop, dark), docs/phone.png and docs/phone-dark.png (390x844)

Not a benchmark: it lives here because it drives the app like the benchmarks do.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.chat_ui import ChatPage  # noqa: E402
from tests.e2e.harness import StreamlitServer, chromium_missing_reason, launch_chromium  # noqa: E402

DOCS = ROOT / "docs"


def set_speed(chat: ChatPage, label: str) -> None:
    """The mock's speed is under the sidebar's Advanced section: fold it again for the picture."""
    chat.set_speed(label)
    chat.page.get_by_test_id("stSidebar").get_by_test_id("stExpander").filter(
        has=chat.page.get_by_text("Advanced", exact=True)).locator("summary").first.click()


def tool_panels(browser, url: str, scheme: str, path: Path) -> None:
    """Three parallel tool calls, one panel open: desktop, in ``scheme``."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1, color_scheme=scheme)
    page = context.new_page()
    chat = ChatPage.open(page, url)
    set_speed(chat, "Fast")
    chat.send("What time is it in Tokyo, London and New York?")
    chat.wait_until_done()
    panel = chat.assistant.last.get_by_test_id("stExpander").first
    panel.locator("summary").click()
    panel.get_by_test_id("stExpanderDetails").wait_for(state="visible")
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    context.close()


def phone(browser, url: str, scheme: str, path: Path) -> None:
    """A chat on a 390x844 phone screen, sidebar closed: a prompt with Markdown characters
    shown as typed, and an answer with a tool panel."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, color_scheme=scheme)
    page = context.new_page()
    chat = ChatPage.open(page, url)
    chat.send("What is 23*17+4?")
    chat.wait_until_done()
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    context.close()


def main() -> int:
    reason = chromium_missing_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p, \
            StreamlitServer("app.py", env={"CHAT_DB_PATH": f"{tmp}/chat.sqlite3"}) as app:
        browser = launch_chromium(p)
        tool_panels(browser, app.url, "dark", DOCS / "chat-dark.png")
        phone(browser, app.url, "light", DOCS / "phone.png")
        phone(browser, app.url, "dark", DOCS / "phone-dark.png")

        page = browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1,
                                   color_scheme="light").new_page()
        chat = ChatPage.open(page, app.url)
        set_speed(chat, "Fast")
        chat.send("What time is it in Tokyo, London and New York?")
        chat.wait_until_done()
        panel = chat.assistant.last.get_by_test_id("stExpander").first
        panel.locator("summary").click()
        panel.get_by_test_id("stExpanderDetails").wait_for(state="visible")
        page.wait_for_timeout(500)
        page.screenshot(path=str(DOCS / "chat.png"))

        set_speed(chat, "Realistic")
        chat.send("Write a long answer about rivers")
        chat.wait_for_answer_text(min_chars=500, index=1)
        chat.stop_button.click()
        chat.assistant.last.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for()
        chat.wait_until_idle()
        page.wait_for_timeout(500)
        page.screenshot(path=str(DOCS / "stopped.png"))

        page.get_by_role("link", name="History").click()
        page.get_by_role("button", name="More").first.click()
        page.get_by_text("Reproduce the next turn with curl").wait_for()
        page.wait_for_timeout(800)
        page.screenshot(path=str(DOCS / "history.png"))
        browser.close()
    print(f"screenshots written to {DOCS.relative_to(ROOT)}/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
