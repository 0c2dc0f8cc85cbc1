"""Your chats follow your browser, and only the browser that started a chat may rename or delete it.

One ``streamlit run app.py`` on a fresh database for the module; each browser context is
one visitor's browser (its cookies are its identity). What is checked is what a visitor
sees: History and the sidebar's recent chats after a reload, in a new tab, in a browser
restored from the first one's storage, and nothing of it in another browser; a link
holder reads and continues but gets no Rename/Delete; "Forget this browser"; a browser
that keeps no cookies is told that History is per tab.
"""

from __future__ import annotations

import re
import secrets
import time

import pytest
from playwright.sync_api import BrowserContext, Page

from chatcore.store import ChatStore

from .chat_ui import ChatPage
from .harness import StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

COOKIE = "chat_browser"
OPENED_BY_LINK = "Opened by link: you can read and continue it."


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return tmp_path_factory.mktemp("db") / "chat.sqlite3"


@pytest.fixture(scope="module")
def app(db_path):
    with StreamlitServer("app.py", env={"CHAT_DB_PATH": str(db_path)}) as server:  # the built-in mock
        yield server


@pytest.fixture
def contexts(request, tmp_path, browser, app):
    """``new(storage_state=None)``: a new browser context (a browser of its own); all closed after the test.

    On failure, as ``open_chat`` does: each page's screenshot in ``tmp_path`` and the app's log."""
    made: list[BrowserContext] = []

    def new(**options) -> BrowserContext:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        context.set_default_timeout(30_000)  # several browsers at once on a loaded 2-core machine
        made.append(context)
        return context

    yield new
    if getattr(request.node, "e2e_failed", False):
        for n, context in enumerate(made):
            for m, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(tmp_path / f"context-{n}-page-{m}.png"), full_page=True)
                except Exception:  # noqa: S110 - a screenshot must not hide the real failure
                    pass
        print(f"screenshots: {tmp_path}")
        print(f"--- streamlit log ({app.url}) ---\n{app.output()[-5000:]}")
    for context in made:
        context.close()


def unique(prompt: str) -> str:
    return f"{prompt} {secrets.token_hex(3)}"


def wait_for(condition, timeout: float = 15.0, what: str = "condition", page: Page | None = None):
    """Poll ``condition``; with ``page``, wait through Playwright, so its event handlers run meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    raise AssertionError(f"{what} not reached within {timeout} s")


def browser_cookie(context: BrowserContext) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE), None)


def chat_and_wait(page: Page, url: str, prompt: str) -> ChatPage:
    chat = ChatPage.open(page, url)
    chat.set_speed("Instant")
    chat.send(prompt)
    chat.wait_until_done()
    return chat


def open_history(page: Page, url: str, *, same_session: bool = False) -> str:
    """Go to History (by its address: a new session; or ``same_session``, by the sidebar's
    link) and return the main area's text once it has drawn."""
    if same_session:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
    else:
        page.goto(f"{url}/history")
    page.get_by_role("heading", name="History").wait_for()
    ChatPage(page).wait_until_idle()
    return page.get_by_test_id("stMainBlockContainer").inner_text()


def recent_chats(page: Page) -> str:
    """The sidebar's recent chats as shown (call once the chat input is drawn: the sidebar comes before it)."""
    box = page.locator(".st-key-recent_chats")
    return box.inner_text() if box.count() else ""


def wait_for_recent(page: Page, prompt: str) -> None:
    page.locator(".st-key-recent_chats").get_by_text(prompt).wait_for()


def test_history_follows_this_browser_after_a_reload_in_a_new_tab_and_when_restored(app, contexts):
    prompt = unique("Plan a trip to Kyoto")
    first = contexts()
    chat = chat_and_wait(first.new_page(), app.url, prompt)
    cookie = wait_for(lambda: browser_cookie(first), what="the browser key cookie")
    assert cookie["sameSite"] == "Lax" and cookie["path"] == "/" and not cookie["secure"]
    assert cookie["expires"] > time.time() + 300 * 86400, "the key should outlive a browser restart"
    assert len(cookie["value"]) >= 22 and cookie["value"] not in chat.page.url  # >= 128 bits, never in the URL

    chat.page.reload()  # a reload: a new session, the cookie comes back
    wait_for_recent(chat.page, prompt)
    assert prompt in open_history(chat.page, app.url)

    tab = first.new_page()  # a new tab of the same browser
    assert prompt in open_history(tab, app.url)

    restored = contexts(storage_state=first.storage_state())  # the browser restarted with its cookies
    page = restored.new_page()
    assert prompt in open_history(page, app.url)
    page.goto(app.url)
    wait_for_recent(page, prompt)

    stranger = contexts().new_page()  # another browser: none of it
    text = open_history(stranger, app.url)
    assert prompt not in text and "No saved conversations yet" in text
    own = unique("The stranger's own chat")
    chat_and_wait(stranger, app.url, own)
    wait_for_recent(stranger, own)
    assert prompt not in recent_chats(stranger)


def test_a_link_holder_reads_and_continues_but_cannot_rename_or_delete(app, contexts, db_path):
    prompt = unique("Ann's secret recipe")
    ann = chat_and_wait(contexts().new_page(), app.url, prompt)
    link = ann.page.url
    assert "?c=" in link
    cid = link.split("?c=")[1].split("&")[0]

    bob = ChatPage.open(contexts().new_page(), link)  # Bob got the link
    assert prompt in bob.user.first.inner_text()  # reads it
    bob.set_speed("Instant")
    bob.send("Bob continues")  # and continues it
    bob.wait_until_done()
    assert bob.roles() == ["user", "assistant", "user", "assistant"]

    text = open_history(bob.page, app.url, same_session=True)  # listed for the session that opened it
    assert prompt in text and "opened by link" in text
    bob.page.get_by_role("button", name="More").first.click()
    bob.page.get_by_text(OPENED_BY_LINK).wait_for()
    ChatPage(bob.page).wait_until_idle()
    assert bob.page.get_by_role("button", name="Rename").count() == 0
    assert bob.page.get_by_role("button", name="Delete…").count() == 0
    assert bob.page.get_by_role("button", name="Delete for good").count() == 0

    # Ann, who started it, has both, and her title is untouched
    open_history(ann.page, app.url)
    ann.page.get_by_role("button", name="More").first.click()
    ann.page.get_by_role("button", name="Rename").wait_for()
    assert ann.page.get_by_role("button", name="Delete…").count() == 1
    assert ann.page.get_by_text(OPENED_BY_LINK).count() == 0
    with ChatStore(f"sqlite:///{db_path}") as store:
        conversation = store.load(cid, None)
    assert conversation.title == prompt and len(conversation.entries) == 4


def test_forget_this_browser_empties_the_list_for_good(app, contexts):
    prompt = unique("Forget me")
    context = contexts()
    chat = chat_and_wait(context.new_page(), app.url, prompt)
    old = wait_for(lambda: browser_cookie(context), what="the browser key cookie")["value"]
    assert prompt in open_history(chat.page, app.url)
    chat.page.get_by_role("button", name="Forget this browser").click()
    chat.page.get_by_text("No saved conversations yet").wait_for()
    new = wait_for(lambda: (c := browser_cookie(context)) and c["value"] != old and c["value"], what="a new key")
    assert new != old
    text = open_history(chat.page, app.url)  # after a reload too: the new identity stuck
    assert prompt not in text and "No saved conversations yet" in text


def test_a_browser_that_keeps_no_cookies_is_told_history_is_per_tab(app, contexts):
    context = contexts()
    page = context.new_page()
    context.new_cdp_session(page).send("Emulation.setDocumentCookieDisabled", {"disabled": True})
    prompt = unique("Private window")
    chat = chat_and_wait(page, app.url, prompt)
    chat.page.get_by_text("History is per tab here", exact=False).first.wait_for()
    assert browser_cookie(context) is None


# ---------------------------------------------------------------- the attack: forged widget events
class Wire:
    """Sits on a page's websocket: records what flows, and can inject a forged rerun.

    Streamlit's frontend says "this button was clicked" by sending a ``rerun_script`` with
    the button's widget id as a trigger. An attacker can send any such message from their
    own browser; the server must not act on widgets it did not draw for them."""

    def __init__(self, page: Page) -> None:
        self.to_server = None
        self.sent: list[bytes] = []  # page -> server
        self.widget_ids: set[str] = set()  # ids of widgets the server drew on this page
        self.runs_finished = 0  # script runs the server reported finished
        page.route_web_socket(re.compile(r".*/_stcore/stream$"), self._route)

    def _route(self, ws) -> None:
        server = ws.connect_to_server()
        self.to_server = server

        def up(message) -> None:
            if isinstance(message, bytes):
                self.sent.append(message)
            server.send(message)

        def down(message) -> None:
            if isinstance(message, bytes):
                self._note_widgets(message)
            ws.send(message)

        ws.on_message(up)
        server.on_message(down)

    def _note_widgets(self, data: bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg.FromString(data)
        if msg.WhichOneof("type") == "script_finished":
            self.runs_finished += 1
        if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
        if widget_id:
            self.widget_ids.add(widget_id)

    def widget_id(self, key: str) -> str:
        [found] = [i for i in self.widget_ids if i.endswith("-" + key)]
        return found

    def forge(self, triggers: list[str], strings: dict[str, str]) -> None:
        """Send the page's last rerun again, with ``triggers`` clicked and ``strings`` typed."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        last = next(BackMsg.FromString(m) for m in reversed(self.sent)
                    if BackMsg.FromString(m).WhichOneof("type") == "rerun_script")
        forged = BackMsg()
        forged.CopyFrom(last)
        state = forged.rerun_script.widget_states
        keep = [w for w in state.widgets if w.id not in set(triggers) | set(strings)]
        del state.widgets[:]
        state.widgets.extend(keep)
        for widget_id in triggers:
            state.widgets.add(id=widget_id, trigger_value=True)
        for widget_id, value in strings.items():
            state.widgets.add(id=widget_id, string_value=value)
        self.to_server.send(forged.SerializeToString())


def title_of(db_path, cid: str) -> str | None:
    with ChatStore(f"sqlite:///{db_path}") as store:
        conversation = store.load(cid, None)
    return None if conversation is None else conversation.title


def test_a_link_holder_forging_rename_and_delete_clicks_changes_nothing(app, contexts, db_path):
    prompt = unique("Ann's forged target")
    ann_page = contexts().new_page()
    ann_wire = Wire(ann_page)
    ann = chat_and_wait(ann_page, app.url, prompt)
    link = ann.page.url
    cid = link.split("?c=")[1].split("&")[0]
    # Ann's own page draws Rename and (after "Delete…") Delete for good: learn their widget ids
    open_history(ann.page, app.url, same_session=True)
    ann.page.get_by_role("button", name="More").first.click()
    ann.page.get_by_role("button", name="Delete…").click()
    ann.page.get_by_role("button", name="Keep it").click()
    ChatPage(ann.page).wait_until_idle()
    rename_id, title_id = ann_wire.widget_id(f"rename-{cid}"), ann_wire.widget_id(f"title-{cid}")
    delete_id = ann_wire.widget_id(f"delete-yes-{cid}")

    # the forgery works where the widgets exist: Ann's forged rename goes through
    ann_wire.forge([rename_id], {title_id: "renamed by Ann's own forged click"})
    wait_for(lambda: title_of(db_path, cid) == "renamed by Ann's own forged click", what="Ann's forged rename")

    # Bob holds the link, opens the same History row, and forges the same clicks
    bob_page = contexts().new_page()
    bob_wire = Wire(bob_page)
    bob = ChatPage.open(bob_page, link)
    open_history(bob.page, app.url, same_session=True)
    bob.page.get_by_role("button", name="More").first.click()
    bob.page.get_by_text(OPENED_BY_LINK).wait_for()
    ChatPage(bob.page).wait_until_idle()
    for forged in (([rename_id], {title_id: "pwned"}), ([delete_id], {})):
        runs = bob_wire.runs_finished
        bob_wire.forge(*forged)
        wait_for(lambda runs=runs: bob_wire.runs_finished > runs, what="the server running Bob's forged click", page=bob.page)
        ChatPage(bob.page).wait_until_idle()
    assert title_of(db_path, cid) == "renamed by Ann's own forged click"  # neither renamed nor deleted
    assert bob.page.get_by_role("button", name="Rename").count() == 0
