"""Your own tools through the pages (AppTest): called by the model, listed with their source,
and a broken file named in the sidebar and on the Tools page while the rest works."""

from __future__ import annotations

import pytest

from .conftest import new_app, open_advanced

TOOL = '''
def word_count(text: str) -> dict:
    """Count the words in a text.

    Args:
        text: The text.
    """
    return {"words": len(text.split())}
'''


@pytest.fixture
def tools_dir(tmp_path, monkeypatch):
    folder = tmp_path / "my_tools"
    folder.mkdir()
    (folder / "words.py").write_text(TOOL)
    (folder / "broken.py").write_text("import definitely_not_installed_xyz\n")
    monkeypatch.setenv("CHAT_TOOLS_DIR", str(folder))
    return folder


def test_a_tool_from_a_file_is_offered_called_and_a_broken_file_is_named(tools_dir):
    at = new_app()
    at.run()
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    assert "word_count" in at.sidebar.multiselect(key="tools").value
    sidebar_warnings = [w.value for w in at.sidebar.warning]
    assert any("broken.py:1" in w and "ModuleNotFoundError" in w for w in sidebar_warnings)
    at.chat_input(key="prompt").set_value('Call word_count with text="one two three"').run()
    assert not at.exception
    assistant = at.chat_message[1]
    [panel] = assistant.expander
    assert "word_count" in panel.label and "done" in panel.label
    assert any('"words": 3' in c.value for c in panel.code)


def test_an_edited_tool_file_is_used_by_the_next_prompt(tools_dir):
    at = new_app()
    at.run()
    open_advanced(at).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    (tools_dir / "words.py").write_text(TOOL.replace('{"words": len(text.split())}', '{"words": 1000 + len(text.split())}'))
    at.chat_input(key="prompt").set_value("Call word_count with text=hello").run()
    [panel] = at.chat_message[1].expander
    assert any('"words": 1001' in c.value for c in panel.code)


def test_the_tools_page_lists_each_tool_with_its_source_and_the_problems(tools_dir):
    at = new_app()
    at.switch_page("pages/tools.py").run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert any("word_count" in label and "words.py" in label for label in labels)
    assert any("calculator" in label and "built-in" in label for label in labels)
    assert any("broken.py:1" in w.value for w in at.warning)
