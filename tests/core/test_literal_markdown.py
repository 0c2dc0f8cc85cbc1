"""Prompts are shown exactly as typed: ``literal_markdown`` rendered by a CommonMark parser
gives back the text, whatever Markdown (or HTML) it contains. The browser test
(tests/e2e/test_everyday_in_browser.py) checks the same through Streamlit's own renderer,
including its extensions (emoji, icons, colours, math)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from chatcore.literal_markdown import NBSP, literal_markdown

RENDER = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def shown(markdown: str) -> str:
    """What a reader sees: the rendered HTML's text, <br> as a newline, no-break spaces as spaces."""
    out = RENDER.render(markdown)
    out = re.sub(r"<br />\n?", "\n", out)
    assert re.fullmatch(r"(<p>.*</p>\n)?", out, re.DOTALL), f"not one plain paragraph: {out!r}"
    text = re.sub(r"</?p>", "", out).rstrip("\n")
    assert "<" not in text, f"markup in the output: {out!r}"  # every tag the text held is escaped
    return html.unescape(text).replace(NBSP, " ")


@pytest.mark.parametrize(
    "text",
    [
        "what is 5*3 and 4*2?",
        "snake_case and __dunder__ and ~~strike~~",
        "# not a heading\n> not a quote\n- not a list\n1. not a list either\n+ nor this",
        "<b>bold?</b> <script>alert(1)</script> &amp; &copy;",
        "`code` and ```fenced```",
        "[a link](http://example.com) ![img](x.png) <http://example.com>",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "line one\nline two\n\n\nafter two blank lines",
        "    four spaces would be a code block",
        "---\n***\n===",
        "a \\ backslash and a trailing one \\",
        ":smile: :material/home: :red[colour] $x^2$ 10:30:00",
    ],
)
def test_markdown_html_and_line_breaks_are_shown_as_typed(text):
    assert shown(literal_markdown(text)) == text


def test_the_issues_prompt():
    assert literal_markdown("what is 5*3 and 4*2?") == r"what is 5\*3 and 4\*2\?"


def test_lines_become_hard_breaks_and_blank_lines_stay():
    out = literal_markdown("a\n\nb")
    assert out == "a\\\n\\\nb"
    assert RENDER.render(out) == "<p>a<br />\n<br />\nb</p>\n"


def test_trailing_newlines_do_not_leave_a_visible_backslash():
    assert shown(literal_markdown("hello\n\n")) == "hello"


def test_leading_and_repeated_spaces_are_kept_as_no_break_spaces():
    out = literal_markdown("  indented\tand  spaced")
    assert out.startswith("&nbsp;&nbsp;indented")
    assert "and " + NBSP + "spaced" in out


def test_a_leading_tab_is_not_a_code_block():
    assert literal_markdown("\tx") == "&nbsp;" * 4 + "x"


@settings(max_examples=300, deadline=None)
# Unicode spaces other than " " are left out: whether a paragraph's edges keep them is up to
# the parser (CommonMark strips only spaces and tabs, markdown-it strips more).
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"))
               | st.sampled_from(" \t\n*_#<>`\\[]:$&")))
def test_any_text_is_shown_as_typed(text):
    # Spaces and tabs at the end of a line are invisible (CommonMark drops them) and a leading
    # tab is shown as spaces: compare what a reader can tell apart, nothing less.
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n")).rstrip("\n")
    expected = "\n".join(re.sub(r"^[ \t]+", lambda m: m.group(0).replace("\t", "    "), line) for line in text.split("\n"))
    assert shown(literal_markdown(text)) == expected
