"""Every place the chat page renders model output or a prompt goes through safe_markdown.

The mock echoes the prompt (``[fault:echo:3]``): the prompt's bubble and the answer, both
while streaming and redrawn from the record, hold no image from another host and no
``data:`` link; with ``CHAT_IMAGE_HOSTS`` set the allowed image is kept. The browser test
(tests/e2e/test_safe_markdown_in_browser.py) checks what Chromium actually requests.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from ui.panels import panel_label

from .conftest import new_app, open_advanced

PROMPT = "See ![chart](https://tracker.example/t?leak=1) and [x](data:text/html,hi) and *this* [fault:echo:3]"


def targets(markdown: str) -> tuple[list[str], list[str]]:
    md = MarkdownIt("commonmark")
    md.validateLink = lambda url: True
    images, links = [], []
    stack = list(md.parse(markdown))
    while stack:
        token = stack.pop()
        stack.extend(token.children or ())
        if token.type == "image":
            images.append(token.attrGet("src"))
        elif token.type == "link_open":
            links.append(token.attrGet("href"))
    return images, links


def chat(at: AppTest, prompt: str) -> AppTest:
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    return at.chat_input(key="prompt").set_value(prompt).run()


def test_prompt_and_answer_render_no_foreign_image_and_no_data_link():
    at = chat(new_app().run(), PROMPT)
    assert not at.exception
    prompt, answer = at.chat_message[0], at.chat_message[1]
    answer_text = "\n".join(m.value for m in answer.markdown)
    images, links = targets(answer_text)
    assert images == [] and links == ["https://tracker.example/t?leak=1"]
    assert "🖼 chart (tracker.example)" in answer_text and "data:text/html,hi" in answer_text
    # The prompt is shown as literal text: no image, no link at all.
    prompt_text = "\n".join(m.value for m in prompt.markdown)
    assert targets(prompt_text) == ([], [])


def test_an_allowed_host_keeps_its_image(monkeypatch):
    monkeypatch.setenv("CHAT_IMAGE_HOSTS", "tracker.example")
    at = chat(new_app().run(), PROMPT)
    answer = "\n".join(m.value for m in at.chat_message[1].markdown)
    assert targets(answer) == (["https://tracker.example/t?leak=1"], [])


def test_a_tool_name_from_the_model_cannot_put_an_image_in_a_panel_label():
    label = panel_label("![x](https://tracker.example/t)", "complete", 0.2)
    assert targets(label)[0] == []


def test_history_titles_are_escaped_text():
    from ui.history_page import plain

    for title in ("![x](https://tracker.example/t)", "[d](data:text/html,hi)", "<javascript:alert(1)>", "[r]: data:x"):
        assert targets(f"**{plain(title)}**") == ([], [])
