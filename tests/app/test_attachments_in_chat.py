"""Files through the chat input (AppTest's ``ChatInput.upload``), on the built-in mock.

What a visitor notices: the thumbnail and the chip in their bubble, an answer that read the
files, a refused file named with its reason (as typed, never as markup) while the rest go
out, and the files still there after Regenerate, Edit, Continue and a refresh.
"""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from chatcore.errors import IMAGES_REFUSED
from tests.e2e.sample_files import png, text_pdf, wav

from .conftest import new_app, open_advanced

PDF = text_pdf([["Quarterly report", "Revenue rose by 12 percent"], ["Outlook: steady"]])


def plain(markdown: str) -> str:
    html = MarkdownIt("commonmark").renderInline(markdown)
    return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


@pytest.fixture
def at() -> AppTest:
    app = new_app().run()
    open_advanced(app).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    return app


def send(at: AppTest, text: str | None, *files: tuple[str, bytes]) -> AppTest:
    box = at.chat_input(key="prompt")
    for name, data in files:
        box.upload(name, data)
    box.set_value(text).run()
    assert not at.exception
    return at


def bubbles(at: AppTest, role: str):
    return [m for m in at.chat_message if m.name == role]


def chips(message) -> list[str]:
    """The attachment buttons of a bubble (not Edit, not the version switcher's ‹ ›)."""
    return [plain(b.label) for b in message.button if b.label not in ("Edit", "‹", "›")]


def answer_text(at: AppTest, n: int = -1) -> str:
    return "\n".join(m.value for m in bubbles(at, "assistant")[n].markdown)


def button(at: AppTest, label: str):
    return [b for b in at.button if b.label == label][0]


def test_an_image_and_a_pdf_show_in_the_bubble_and_the_answer_uses_them(at):
    send(at, "What is in these?", ("red.png", png(640, 480)), ("report.pdf", PDF))
    [user] = bubbles(at, "user")
    assert len(user.get("image")) == 1  # the thumbnail
    assert chips(user) == ["red.png", f"report.pdf · {len(PDF)} B · 2 pages"]
    assert "report.pdf" in answer_text(at)
    assert not at.warning


def test_a_bad_file_is_refused_with_its_reason_the_others_go_and_the_next_prompt_works(at):
    hostile = "**photo** <img src=x onerror=alert(1)> [x](javascript:alert(1)).png"
    send(at, "Look", (hostile, b"just some text, not an image"), ("report.pdf", PDF))
    [refusal] = [w.value for w in at.warning]
    assert plain(refusal).startswith(f"Not attached: {hostile}: ")  # the name as typed, not bold, no tag
    assert "text" in plain(refusal)
    [user] = bubbles(at, "user")
    assert chips(user) == [f"report.pdf · {len(PDF)} B · 2 pages"]
    send(at, "What is 2+2?")
    assert "4" in answer_text(at) and not at.warning  # the note went with the next message


def test_files_alone_are_a_message(at):
    send(at, None, ("report.pdf", PDF))
    [user] = bubbles(at, "user")
    assert chips(user) == [f"report.pdf · {len(PDF)} B · 2 pages"]
    assert "report.pdf" in answer_text(at)


def test_only_refused_files_send_nothing(at):
    send(at, None, ("notes.pdf", b"\x00\x01binary"))
    assert not at.chat_message
    assert "notes.pdf" in plain(at.warning[0].value)


def test_regenerate_and_edit_keep_the_attachments(at):
    send(at, "Summarise", ("report.pdf", PDF))
    button(at, "Regenerate").click().run()
    [user] = bubbles(at, "user")
    assert chips(user) == [f"report.pdf · {len(PDF)} B · 2 pages"] and "report.pdf" in answer_text(at)
    button(at, "Edit").click().run()
    assert [plain(c.label) for c in at.checkbox] == [f"report.pdf · {len(PDF)} B · 2 pages"] and at.checkbox[0].value
    at.text_area[0].set_value("Summarise in one line")
    button(at, "Send").click().run()
    [user] = bubbles(at, "user")
    assert plain(user.markdown[0].value) == "Summarise in one line"
    assert chips(user) == [f"report.pdf · {len(PDF)} B · 2 pages"] and "report.pdf" in answer_text(at)


def test_continue_keeps_the_attachments(at):
    at.sidebar.select_slider(key="mock_speed").set_value("Slow").run()
    box = at.chat_input(key="prompt")
    box.upload("report.pdf", PDF)
    with pytest.raises(RuntimeError, match="timed out"):
        box.set_value("Write a long answer about this report").run(timeout=3)
    at.session_state["chat_session"].stop()
    at.chat_input(key="prompt").clear().set_value(None)  # the timed-out run left the file staged
    at.sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    button(at, "Continue").click().run()
    [user] = bubbles(at, "user")
    assert chips(user) == [f"report.pdf · {len(PDF)} B · 2 pages"]
    assert len(at.chat_message) == 2


def test_a_refresh_shows_the_attachments_again(at):
    send(at, "What is in these?", ("red.png", png(640, 480)), ("report.pdf", PDF))
    cid = at.query_params["c"]
    at.session_state["chat_session"].wait_saved(5)
    refreshed = new_app()
    refreshed.query_params["c"] = cid
    refreshed.run()
    assert not refreshed.exception
    [user] = bubbles(refreshed, "user")
    assert len(user.get("image")) == 1
    assert chips(user) == ["red.png", f"report.pdf · {len(PDF)} B · 2 pages"]
    chip = [b for b in user.button if "report" in b.label][0]
    chip.click().run()
    assert "Revenue rose by 12 percent" in refreshed.code[0].value


def test_the_history_page_shows_a_conversations_attachments(at):
    send(at, "What is in these?", ("red.png", png(640, 480)), ("report.pdf", PDF))
    at.session_state["chat_session"].wait_saved(5)
    at.switch_page("pages/history.py").run()
    button(at, "More").click().run()
    assert not at.exception
    [files] = [e for e in at.expander if e.label == "Attachments (2)"]
    assert len(files.get("image")) == 1
    assert [plain(b.label) for b in files.button] == ["red.png", f"report.pdf · {len(PDF)} B · 2 pages"]


def test_the_input_takes_files_and_voice_up_to_the_configured_size(monkeypatch, tmp_path):
    config = tmp_path / "chat.toml"
    config.write_text("[attachments]\nfile_mb = 3\n")
    monkeypatch.setenv("CHAT_CONFIG", str(config))
    box = new_app().run().chat_input(key="prompt")
    assert box.proto.accept_audio and box.proto.max_upload_size_mb == 3
    assert box.proto.file_type == []  # the bytes are checked, not the names


def test_a_model_that_cannot_read_images_says_so_and_an_edit_can_leave_the_image_out(at):
    at.sidebar.selectbox(key="mock_model").set_value("mock-no-images").run()
    send(at, "What is this?", ("red.png", png(64, 48)), ("report.pdf", PDF))
    assert IMAGES_REFUSED in bubbles(at, "assistant")[-1].error[0].value
    button(at, "Edit").click().run()
    [image_box, pdf_box] = at.checkbox
    assert plain(image_box.label).startswith("red.png") and pdf_box.value
    image_box.uncheck()
    button(at, "Send").click().run()
    [user] = bubbles(at, "user")
    assert chips(user) == [f"report.pdf · {len(PDF)} B · 2 pages"] and len(user.get("image")) == 0
    assert not bubbles(at, "assistant")[-1].error and "report.pdf" in answer_text(at)


def test_an_audio_file_is_transcribed_by_the_mock_and_kept_playable(at):
    send(at, "What did I say?", ("memo.wav", wav(1.0)))
    [user] = bubbles(at, "user")
    assert len(user.get("audio")) == 1
    assert "[Mock transcript] I received a 1-second WAV recording at 16,000 Hz, mono" in plain(user.caption[0].value)
    assert not at.warning


def test_history_exports_of_a_chat_with_a_photo_keep_the_page_light(at):
    from PIL import Image

    photo = Image.effect_noise((1600, 1200), 60).convert("RGB")  # noise: as heavy as a real photo
    from io import BytesIO

    out = BytesIO()
    photo.save(out, format="JPEG", quality=90)
    assert len(out.getvalue()) > 500_000
    send(at, "What is this?", ("photo.jpg", out.getvalue()))
    at.session_state["chat_session"].wait_saved(5)
    at.switch_page("pages/history.py").run()
    button(at, "More").click().run()
    [curl] = [c.value for c in at.code if c.value.startswith("curl")]
    assert curl.endswith("-d @what-is-this-request.json") and len(curl) < 500  # not the photo pasted into the page
    assert "Authorization: Bearer $OPENAI_API_KEY" in curl
    downloads = {e.proto.label: e.proto for e in at.get("download_button")}
    assert downloads["JSON"].deferred_file_id and not downloads["JSON"].url  # made when clicked, not on every run
    assert downloads["Next request"].deferred_file_id and not downloads["Next request"].url


def test_an_edit_can_leave_out_every_file(at):
    send(at, "What is this?", ("red.png", png(64, 48)))
    button(at, "Edit").click().run()
    at.checkbox[0].uncheck()
    at.text_area[0].set_value("What is 2+2?")
    button(at, "Send").click().run()
    [user] = bubbles(at, "user")
    assert len(user.get("image")) == 0 and not [b for b in user.button if "red" in b.label]
    assert "4" in answer_text(at)
