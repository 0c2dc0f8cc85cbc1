"""History through the app: the creator may rename and delete, a link holder may not.

Two ``AppTest`` sessions are two browsers (no cookie comes back in AppTest, so each has its
own new browser key). Also: the sidebar's recent chats, and "Forget this browser".
"""

from __future__ import annotations

from chatcore.visitor import link_owner

from .conftest import new_app, open_advanced, shown_titles
from .test_history_page import button, chat, history


def labels(at) -> list[str]:
    return [b.label for b in at.button]


def recent(at) -> list[str]:
    return [b.key.removeprefix("recent-") for b in at.sidebar.button if (b.key or "").startswith("recent-")]


def test_a_link_holder_reads_and_continues_but_gets_no_rename_or_delete(db_store):
    ann = chat(["Ann's plans"])
    cid = ann.query_params["c"]
    bob = new_app()  # another browser, holding the link
    bob.query_params["c"] = cid
    bob.run()
    open_advanced(bob).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    bob.chat_input(key="prompt").set_value("Bob adds a line").run()  # continue: allowed
    bob.session_state["chat_session"].wait_saved(5)
    assert len(db_store.load(cid, link_owner(cid)).entries) == 4
    history(bob)
    assert shown_titles(bob) == ["Ann's plans"]
    button(bob, "More").click().run()
    assert not bob.exception
    assert "Opened by link: you can read and continue it." in [c.value for c in bob.caption]
    assert "Rename" not in labels(bob) and "Delete…" not in labels(bob)
    assert not [t for t in bob.text_input if (t.key or "").startswith("title-")]
    # what Bob would get by calling the archive behind the page directly: refused by the store
    archive = bob.session_state["chat_session"].archive
    assert archive.rename(cid, "pwned") is False and archive.delete(cid) is False
    assert db_store.load(cid, None).title == "Ann's plans"
    # Ann, who started it, still has both
    history(ann)
    button(ann, "More").click().run()
    assert "Rename" in labels(ann) and "Delete…" in labels(ann)
    assert "Opened by link: you can read and continue it." not in [c.value for c in ann.caption]


def test_recent_chats_in_the_sidebar_list_this_browsers_chats_and_open_one():
    at = chat(["first chat"])
    first = at.query_params["c"]
    at.button(key="new_chat").click().run()
    at.chat_input(key="prompt").set_value("second chat").run()
    at.session_state["chat_session"].wait_saved(5)
    second = at.query_params["c"]
    at.run()
    assert recent(at) == [second, first]
    at.button(key=f"recent-{first}").click().run()
    assert not at.exception and at.query_params["c"] == first
    assert [m.markdown[0].value for m in at.chat_message if m.name == "user"] == ["first chat"]
    assert recent(_fresh()) == []  # another browser sees none of them


def _fresh():
    other = new_app()
    other.run()
    return other


def test_forget_this_browser_empties_the_list_but_links_still_open():
    at = chat(["remember me"])
    cid = at.query_params["c"]
    history(at)
    assert shown_titles(at) == ["remember me"]
    at.button(key="forget_browser").click().run()
    assert not at.exception
    assert shown_titles(at) == [] and "No saved conversations yet" in at.info[0].value
    at.switch_page("pages/chat.py")
    at.query_params["c"] = cid
    at.run()
    assert [m.markdown[0].value for m in at.chat_message if m.name == "user"] == ["remember me"]
