"""Feedback and share links through the app (AppTest): thumbs that survive a refresh, the
Metrics page's feedback tab, and a shared view that shows the chat and nothing that writes."""

from __future__ import annotations

import pytest

from chatcore.literal_markdown import literal_markdown
from chatcore.share import NOT_FOUND, TURNED_OFF
from chatcore.store.feedback import rated_answers
from chatcore.visitor import link_owner

from .conftest import new_app, open_advanced


def chat(prompts: list[str]):
    at = new_app()
    at.run()
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    for prompt in prompts:
        at.chat_input(key="prompt").set_value(prompt).run()
        assert not at.exception
    at.session_state["chat_session"].wait_saved(5)
    return at


def answer_ids(at) -> list[int]:
    return [t.message_id for t in at.session_state["chat_session"].conversation.turns]


def thumbs_down_with_comment(at, comment: str) -> int:
    mid = answer_ids(at)[-1]
    at.feedback(key=f"feedback-{mid}").set_value(0).run()
    at.text_input(key=f"feedback-comment-{mid}").set_value(comment)
    at.button(key=f"FormSubmitter:feedback-form-{mid}-Save comment").click().run()
    assert not at.exception
    return mid


def test_a_thumbs_down_with_a_comment_is_saved_and_shown_after_a_refresh(db_store):
    at = chat(["What is 23*17+4?"])
    mid = thumbs_down_with_comment(at, "the tool was not needed")
    cid = at.query_params["c"]
    [saved] = rated_answers(db_store, at.session_state["chat_session"].archive.visitor.creator)
    assert (saved.rating, saved.comment, saved.prompt) == ("down", "the tool was not needed", "What is 23*17+4?")
    assert saved.settings["model"] == "mock-gpt" and "system_prompt" in saved.settings
    refreshed = new_app()
    refreshed.query_params["c"] = cid
    refreshed.run()
    assert refreshed.feedback(key=f"feedback-{mid}").value == 0
    assert refreshed.text_input(key=f"feedback-comment-{mid}").value == "the tool was not needed"


def test_the_metrics_page_counts_my_ratings_by_model_and_preset():
    at = chat(["hello", "What is 2+2?"])
    first, second = answer_ids(at)
    at.feedback(key=f"feedback-{first}").set_value(1).run()
    at.feedback(key=f"feedback-{second}").set_value(0).run()
    at.switch_page("pages/metrics.py").run()
    assert not at.exception
    by_model, by_preset = (frame.value for frame in at.dataframe if "👍" in frame.value.columns)
    assert by_model.to_dict("records") == [{"model": "mock-gpt", "👍": 1, "👎": 1, "positive": "50%"}]
    assert by_preset.to_dict("records") == [{"preset": "(no preset)", "👍": 1, "👎": 1, "positive": "50%"}]
    assert any(m.label == "Rated answers" and m.value == "2" for m in at.metric)
    assert [b.label for b in at.download_button] == ["Download rated answers (JSONL)"]  # its lines: tests/core/test_feedback.py


def test_someone_else_sees_none_of_my_ratings_on_their_metrics_page():
    mine = chat(["hello"])
    mine.feedback(key=f"feedback-{answer_ids(mine)[0]}").set_value(1).run()
    theirs = new_app()
    theirs.switch_page("pages/metrics.py").run()
    assert "No rated answers yet" in " ".join(i.value for i in theirs.info)


def share(at) -> str:
    at.sidebar.button(key="share_create").click().run()
    assert not at.exception
    cid, url = at.session_state["share_new_link"]
    assert cid == at.query_params["c"] and "?share=" in url
    return url.split("?share=")[1]


def open_shared(token: str, **params):
    viewer = new_app()
    viewer.query_params["share"] = token
    for name, value in params.items():
        viewer.query_params[name] = value
    viewer.run()
    assert not viewer.exception
    return viewer


def test_a_share_link_shows_the_chat_with_tool_panels_and_nothing_that_writes():
    at = chat(["What is 23*17+4?"])
    token = share(at)
    at.chat_input(key="prompt").set_value("a message after sharing").run()
    viewer = open_shared(token)
    assert [m.name for m in viewer.chat_message] == ["user", "assistant"]
    assert "395" in viewer.chat_message[1].markdown[0].value
    assert any("calculator" in e.label for e in viewer.chat_message[1].expander)  # the tool panel
    assert "a message after sharing" not in str(viewer.main)
    assert len(viewer.chat_input) == 0 and len(viewer.button) == 0 and len(viewer.feedback) == 0
    assert len(viewer.sidebar.children) == 0 and "chat_session" not in viewer.session_state
    cid = at.query_params["c"]
    assert cid not in str(viewer.main) and cid not in str(dict(viewer.query_params))


def test_a_share_link_with_a_chat_link_beside_it_still_opens_only_the_copy():
    at = chat(["hello"])
    token = share(at)
    viewer = open_shared(token, c=at.query_params["c"])
    assert len(viewer.chat_input) == 0 and "chat_session" not in viewer.session_state


def test_a_conversation_id_or_junk_in_share_opens_nothing():
    at = chat(["hello"])
    for guess in [at.query_params["c"], "x", "<script>alert(1)</script>", "A" * 43]:
        viewer = open_shared(guess)
        assert [i.value for i in viewer.info] == [NOT_FOUND]
        assert not viewer.chat_message and len(viewer.chat_input) == 0


def test_a_turned_off_link_says_so(db_store):
    at = chat(["hello"])
    token = share(at)
    [link_id] = [b.key.removeprefix("share-revoke-") for b in at.sidebar.button if b.key.startswith("share-revoke-")]
    at.sidebar.button(key=f"share-revoke-{link_id}").click().run()
    viewer = open_shared(token)
    assert [i.value for i in viewer.info] == [TURNED_OFF] and not viewer.chat_message
    assert db_store.load(at.query_params["c"], link_owner(at.query_params["c"])) is not None  # the chat itself stays


def test_the_shared_copy_cannot_be_written_through_the_app(db_store):
    at = chat(["hello"])
    cid = at.query_params["c"]
    token = share(at)
    viewer = open_shared(token)
    with pytest.raises(ValueError, match="shared.py"):  # while ?share= is in the URL, no other page exists
        viewer.switch_page("pages/chat.py")
    assert cid not in str({k: viewer.session_state[k] for k in viewer.session_state})  # nothing in the viewer's session leads to the chat
    assert len(db_store.load(cid, link_owner(cid)).entries) == 2


def test_the_shared_title_and_prompt_show_as_typed_never_as_markup():
    prompt = "[click me](http://evil.example) <img src=x onerror=alert(1)> **bold**"
    at = chat([prompt])
    viewer = open_shared(share(at))
    title = viewer.title[0].value
    assert "](http" not in title.replace("\\]\\(", "") and "<img" not in title.replace("\\<", "")
    assert viewer.chat_message[0].markdown[0].value == literal_markdown(prompt)


def test_a_share_link_needs_no_password_but_the_chat_still_does(monkeypatch):
    at = chat(["hello"])
    token = share(at)
    monkeypatch.setenv("APP_PASSWORD", "let-me-in")
    viewer = open_shared(token)
    assert [m.name for m in viewer.chat_message] == ["user", "assistant"] and len(viewer.text_input) == 0
    stranger = new_app()
    stranger.run()
    assert stranger.text_input(key="gate_password") is not None and not stranger.chat_message


def test_a_share_link_shows_the_chats_image_and_document_as_in_the_chat_and_no_other_file():
    from tests.e2e.sample_files import png, text_pdf

    from .test_attachments_in_chat import chips, plain

    hostile = "<img src=x onerror=alert(1)>**b**.png"
    pdf = text_pdf([["Quarterly report"]])
    at = open_advanced(new_app())
    at.sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    box = at.chat_input(key="prompt")
    box.upload(hostile, png(640, 480))
    box.upload("report.pdf", pdf)
    box.set_value("What is in these?").run()
    at.session_state["chat_session"].wait_saved(5)
    token = share(at)
    other = new_app().run()  # someone else's photo, and one sent later in the shared chat: out of the link's reach
    other.chat_input(key="prompt").upload("bobs.png", png(300, 300)).set_value("bob's").run()
    at.chat_input(key="prompt").upload("later.png", png(200, 100)).set_value("later").run()
    viewer = open_shared(token, c=at.query_params["c"], sha256="0" * 64)
    user = viewer.chat_message[0]
    assert len(user.get("image")) == 1 and len(viewer.get("image")) == 1  # the thumbnail, as in the chat
    assert chips(user) == [hostile[:23] + "…", f"report.pdf · {len(pdf)} B · 1 page"]  # names as typed, never markup
    assert not any(plain(c.value).startswith(":material/attach_file:") for c in user.caption)  # files shown, no bare caption
    assert "later" not in str(viewer.main) and "bobs.png" not in str(viewer.main)
    assert len(viewer.chat_input) == 0 and len(viewer.feedback) == 0
