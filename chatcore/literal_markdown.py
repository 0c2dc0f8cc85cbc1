"""Markdown that shows a text exactly as written: what the user typed is what they see.

A prompt is shown in the same kind of element as an answer (Streamlit's Markdown), but it
must not be *interpreted*: ``what is 5*3 and 4*2?`` would lose its stars to emphasis, a
leading ``#`` would make a heading, ``<b>`` is shown as text anyway, and Streamlit adds its
own syntax on top (``:smile:`` emoji, ``:material/home:`` icons, ``:red[...]`` colours,
``$math$``). CommonMark lets every ASCII punctuation character be escaped with a backslash,
and an escaped character is always literal; measured in Chromium against Streamlit 1.67,
that also switches off the emoji, icon, colour and math extensions.

Line breaks: every newline becomes a hard break (a backslash before the newline), so lines
stay lines and blank lines stay blank (a line holding only a backslash is not blank, so the
whole text is one paragraph). Leading spaces and runs of spaces, which Markdown and HTML
would drop or collapse (four leading spaces would even make a code block), become
no-break spaces (leading ones as ``&nbsp;``; a tab as four).
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_SPACE_RUN = re.compile(r"(?<= ) ")  # every space that follows a space
NBSP = "\u00a0"
TAB_AS_SPACES = 4


def _line(line: str) -> str:
    rest = line.lstrip(" \t")
    lead = line[: len(line) - len(rest)].replace("\t", " " * TAB_AS_SPACES)
    rest = _SPACE_RUN.sub(NBSP, _PUNCTUATION.sub(r"\\\1", rest))
    # Leading spaces as entities: parsers strip a line's leading whitespace, and some count a
    # raw no-break space as whitespace; a character reference is decoded after that stripping.
    return "&nbsp;" * len(lead) + rest


def literal_markdown(text: str) -> str:
    """``text`` as Markdown that renders as exactly that text, line for line.

    Trailing newlines are dropped: a hard break cannot end a paragraph (its backslash would show)."""
    text = text.rstrip("\n")
    return "\\\n".join(_line(line) for line in text.split("\n"))


__all__ = ["literal_markdown"]
