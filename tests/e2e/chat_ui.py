"""What a user sees on the chat page, read through Streamlit's ``data-testid`` hooks."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Locator, Page

MESSAGE = '[data-testid="stChatMessage"]'
ASSISTANT = MESSAGE + ':has([data-testid="stChatMessageAvatarAssistant"])'
USER = MESSAGE + ':has([data-testid="stChatMessageAvatarUser"])'
SPEEDS = ("Instant", "Fast", "Realistic", "Slow")  # the sidebar's "Mock speed" steps, in order
STOP = re.compile(r"^Stop")

# The answer's prose as shown: Markdown elements of the message, without tool/reasoning
# panels, alerts, buttons, captions (footer, "Waiting for the model…") or the avatar.
ANSWER_TEXT_JS = """(msg) => {
  const skip = '[data-testid="stExpander"], [data-testid="stAlert"], [data-testid="stButton"]';
  const parts = [];
  for (const el of msg.querySelectorAll('[data-testid="stMarkdownContainer"]')) {
    if (!el.closest(skip)) parts.push(el.innerText);
  }
  return parts.join("\\n");
}"""


def squash(text: str) -> str:
    """Letters and digits only: compares rendered Markdown with its source."""
    return re.sub(r"[^0-9A-Za-z]", "", text)


_LIST_NUMBER = re.compile(r"^[ \t]*\d+[.)][ \t]", re.MULTILINE)


def is_prefix(shown: str, source: str) -> bool:
    """Is the rendered ``shown`` the beginning of the Markdown ``source``?

    Ordered-list numbers are Markdown syntax (the browser draws them, ``innerText`` has none)."""
    return squash(_LIST_NUMBER.sub("", source)).startswith(squash(shown))


class ChatPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def open(cls, page: Page, url: str) -> ChatPage:
        page.goto(url)
        chat = cls(page)
        chat.input.wait_for()
        chat.wait_until_idle()
        return chat

    # ------------------------------------------------------------ locators
    @property
    def input(self) -> Locator:
        return self.page.get_by_test_id("stChatInputTextArea")

    @property
    def messages(self) -> Locator:
        return self.page.locator(MESSAGE)

    @property
    def assistant(self) -> Locator:
        return self.page.locator(ASSISTANT)

    @property
    def user(self) -> Locator:
        return self.page.locator(USER)

    @property
    def stop_button(self) -> Locator:
        return self.page.get_by_role("button", name=STOP)

    def stop_button_gone(self, timeout: float = 3.0) -> bool:
        """True once no Stop button shows (an answer stopped by its fast route ends in the run
        that followed it; the click's own rerun, a moment later, draws the page without it)."""
        deadline = time.monotonic() + timeout
        while self.stop_button.count():
            if time.monotonic() > deadline:
                return False
            self.page.wait_for_timeout(20)
        return True

    def roles(self) -> list[str]:
        return self.page.eval_on_selector_all(
            MESSAGE,
            """els => els.map(e => e.querySelector('[data-testid="stChatMessageAvatarUser"]') ? 'user' : 'assistant')""",
        )

    # ------------------------------------------------------------ reading
    def answer_text(self, message: Locator | None = None) -> str:
        """The prose of ``message`` (default: the last answer), as the user reads it."""
        message = self.assistant.last if message is None else message
        return message.evaluate(ANSWER_TEXT_JS)

    def captions(self, message: Locator | None = None) -> str:
        message = self.assistant.last if message is None else message
        return "\n".join(message.get_by_test_id("stCaptionContainer").all_inner_texts())

    def wait_for_answer_text(self, min_chars: int = 1, timeout: float = 15.0, *, index: int = 0) -> str:
        """Until answer ``index`` (0 = the first) shows ``min_chars`` letters/digits; returns its text."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.assistant.count() > index:
                text = self.answer_text(self.assistant.nth(index))
                if len(squash(text)) >= min_chars:
                    return text
            time.sleep(0.03)
        raise AssertionError(f"answer {index} showed no {min_chars} characters within {timeout} s")

    def is_idle(self) -> bool:
        """No script run in progress (Streamlit's own marker on the app root)."""
        return self.page.get_by_test_id("stApp").get_attribute("data-test-script-state") == "notRunning"

    def wait_until_idle(self, timeout: float = 15.0, settle: float = 0.3) -> None:
        """The first (or current) script run has finished and nothing else started for ``settle`` s."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            if not self.is_idle():
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= settle:
                return
            time.sleep(0.05)
        raise AssertionError(f"the app was still running after {timeout} s")

    def main_text(self) -> str:
        return self.page.get_by_test_id("stMainBlockContainer").inner_text()

    def wait_until_done(self, message: Locator | None = None, timeout: float = 30.0, settle: float = 0.3) -> None:
        """The answer ended: its footer (timings) shows, the Stop button is gone and the app
        stayed idle for ``settle`` s (an answer ends with a rerun that redraws it from records)."""
        message = self.assistant.last if message is None else message
        footer = message.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"total \d"))
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            done = self.is_idle() and self.stop_button.count() == 0 and footer.count() > 0
            if not done:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= settle:
                return
            time.sleep(0.05)
        raise AssertionError(f"the answer did not finish within {timeout} s")

    # ------------------------------------------------------------ acting
    def send(self, prompt: str) -> None:
        self.input.fill(prompt)
        self.input.press("Enter")

    def open_advanced(self) -> None:
        """Unfold the sidebar's *Advanced* section (where the mock's speed is), if folded."""
        section = self.page.get_by_test_id("stSidebar").get_by_test_id("stExpander").filter(
            has=self.page.get_by_text("Advanced", exact=True))
        if not section.locator("details").first.evaluate("d => d.open"):
            section.locator("summary").first.click()
        # Its widgets are built only while it is open: the click reruns the page, which sends
        # them one by one; wait for the last of them, then for the run to end.
        section.get_by_test_id("stNumberInput").filter(has_text="Retries before the first token").wait_for()
        self.wait_until_idle()

    def set_speed(self, label: str) -> None:
        """Move the sidebar's "Mock speed" slider with the keyboard, as a user could."""
        self.open_advanced()
        slider = self.page.get_by_test_id("stSlider").filter(has_text="Mock speed")
        thumb = slider.get_by_role("slider")
        thumb.focus()
        thumb.press("Home")
        for _ in range(SPEEDS.index(label)):
            thumb.press("ArrowRight")
        slider.get_by_test_id("stSliderThumbValue").filter(has_text=label).wait_for()
