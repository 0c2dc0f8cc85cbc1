"""The scanner behind ``chatcore.safe_markdown``: one pass over Markdown that rewrites images
and links by the policy, escapes what it does not vouch for, and keeps code and math as written.

It reads Markdown the way CommonMark does where that matters and more suspiciously where it
cannot be sure (what it cannot place is escaped, which renders as the same character). For a
stream it can stop before an unfinished construct (``_Hold``) and say where a later scan may
resume; crafted input that would need too much work raises ``TooComplex``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .markdown_urls import (
    MarkdownPolicy,
    canonical_destination,
    decode_destination,
    link_allowed,
    loose_host,
    strict_http_url,
)

IMAGE_MARK = "🖼"  # the picture frame that marks an image shown as a link or text

# How far a closing backtick/dollar run or bracket is looked for. Bounded so that a lone "$5"
# holds streamed text back for at most a paragraph, and so a decision never changes later.
SPAN_WINDOW = 400
LABEL_WINDOW = 1000
RESOURCE_WINDOW = 2048  # a longer link destination is shown as text
# Work allowed per character before a text is escaped wholesale instead: crafted input such as
# "[x](" repeated, or brackets nested thousands deep, must not cost the server seconds.
WORK_PER_CHAR = 20
WORK_BASE = 20_000
MAX_NESTING = 16


# ------------------------------------------------------------------ the scanner
_SPECIAL = re.compile(r"[\\`$!\[\]<:]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_FENCE_OPEN = re.compile(r"([ \t]*)(`{3,}|~{3,}|\${2,})(.*)")
_FENCE_START = re.compile(r"[ \t]*(?:`{0,2}|~{0,2}|\$?)")  # an unfinished line that may become a fence
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9.\-]+)>")
_AUTOLINK_PREFIX = re.compile(r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-:@]*")
_DEFINITION = re.compile(r"^ {0,3}\[((?:[^\\\[\]]|\\.){1,999})\]:[ \t]*\n?[ \t]*(<[^<>\n]*>|\S+)", re.MULTILINE)
_WHITESPACE = " \t\n"
_RAW_DESTINATION_RUN = re.compile(r"(?:[^\s\x00-\x1f()\\]|\\[^\n])*")  # up to a paren, space or control


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def find_definitions(text: str) -> list[tuple[int, str, str]]:
    """(position, label key, decoded URL) of each link reference definition, in order."""
    return [(m.start(), _label_key(m[1]), decode_destination(m[2])) for m in _DEFINITION.finditer(text)]


@lru_cache(maxsize=64)
def _closer(char: str, run: int) -> re.Pattern[str]:
    c = re.escape(char)
    return re.compile(f"(?<!{c}){c}{{{run}}}(?!{c})")


@lru_cache(maxsize=64)
def _fence_closer(char: str, length: int) -> re.Pattern[str]:
    return re.compile(r"[ \t]*" + re.escape(char) + "{" + str(length) + r",}[ \t]*")


class TooComplex(Exception):
    """The text needs more work than ``WORK_PER_CHAR`` allows: escape it wholesale instead."""


class _Hold(Exception):
    """The text ends inside a construct that is not complete yet (streaming only)."""

    def __init__(self, at: int) -> None:
        self.at = at


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


# What, inside code or math, would make an image, a link with a destination (inline, autolink,
# a definition at a line start) or an xmpp: link if it were read as text. Not "a[i][j]",
# "dict[str, int]:" or "Vec<u8>", which are common in code and harmless as text.
_RISKY = re.compile(r"!\[|\]\(|\n[ \t>*+\-0-9.)]*\[[^\]\n]*\]:|<[A-Za-z][A-Za-z0-9+.\-]{1,31}:|(?i:xmpp):")


@dataclass
class Scan:
    policy: MarkdownPolicy
    final: bool  # nothing will be appended to the text
    definitions: tuple[tuple[int, str, str], ...]
    forward_refs: bool  # may an image use a definition that comes after it?
    # Did text kept as written (code, math) hold link syntax? Everything else in the output is
    # escaped or canonical, so only then could another reader find a link or image in it.
    risky: bool = False
    work_left: int = 0
    nesting: int = 0
    # The last point no construct straddles (just before a construct, or after a fence), as
    # (position, index into the output pieces, offset in that piece): a stream resumes there.
    boundary: tuple[int, int, int] | None = None

    def spend(self, work: int) -> None:
        self.work_left -= work
        if self.work_left < 0:
            raise TooComplex

    def verbatim(self, text: str, out: list[str]) -> None:
        out.append(text)
        if not self.risky and _RISKY.search(text):
            self.risky = True

    # ---------------------------------------------------------------- blocks
    def document(self, text: str, start: int = 0) -> tuple[str, int, tuple[int, int] | None]:
        """Sanitise ``text[start:]`` (``start`` a line start no construct straddles): (output,
        how much of ``text`` it covers (all when final), the last boundary within that as
        (position, length of the output before it) or None)."""
        out, covered = self._document(text, start)
        boundary = None
        if self.boundary is not None and start < self.boundary[0] <= covered:
            pos, index, offset = self.boundary
            boundary = (pos, sum(len(piece) for piece in out[:index]) + offset)
        return "".join(out), covered, boundary

    def _document(self, text: str, start: int) -> tuple[list[str], int]:
        out: list[str] = []
        pos = segment = start
        n = len(text)
        self.work_left = WORK_PER_CHAR * (n - start) + WORK_BASE
        if start > 0 and text[start - 1] != "\n":  # resumed mid-line: that line is no fence
            eol = text.find("\n", start)
            pos = n if eol < 0 else eol + 1
        while pos < n:
            eol = text.find("\n", pos)
            line_end = n if eol < 0 else eol
            # an unfinished last line may still become a fence: decide once it is whole
            if eol < 0 and not self.final and (
                    _FENCE_OPEN.fullmatch(text, pos, line_end) or _FENCE_START.fullmatch(text, pos, line_end)):
                break
            fence = self._fence_at(text, pos, line_end)
            if fence is None:
                pos = line_end + 1
                continue
            stop = self._inline_top(text, segment, pos, True, out)
            if stop < pos:
                return out, stop
            end = self._fence_end(text, line_end, fence)
            if end is None:  # still open while streaming: show its finished lines
                last = text.rfind("\n", pos, n) + 1
                self.verbatim(text[pos:last], out)
                return out, last
            self.verbatim(text[pos:end], out)  # fenced code or math: exactly as written
            self.boundary = (end, len(out), 0)
            pos = segment = end
        end = min(pos, n)
        stop = self._inline_top(text, segment, end, self.final, out)
        return out, stop if (stop < end or not self.final) else n

    @staticmethod
    def _fence_at(text: str, start: int, end: int) -> tuple[str, int, int] | None:
        match = _FENCE_OPEN.fullmatch(text, start, end)
        if match is None:
            return None
        marker, info = match[2], match[3]
        if marker[0] in "`$" and marker[0] in info:  # "```a`b" is inline code, not a fence
            return None
        return marker[0], len(marker), _indent(match[1])

    def _fence_end(self, text: str, newline: int, fence: tuple[str, int, int]) -> int | None:
        """Index after the fence's closing line (None: still open while streaming). Ended
        early (which only sanitises more) by a line indented less than the opening one: that
        line may have closed the list item the fence was in, and the fence with it."""
        char, length, indent = fence
        closer = _fence_closer(char, length)
        n = len(text)
        start = newline + 1
        while start <= n:
            if start == n:
                return n if self.final else None
            eol = text.find("\n", start)
            if eol < 0:
                if not self.final:
                    return None
                eol = n
            line = text[start:eol]
            if closer.fullmatch(line):
                return min(eol + 1, n)
            if line.strip() and _indent(line) < indent:
                return start
            start = eol + 1
        return n

    # ---------------------------------------------------------------- inline
    def _inline_top(self, text: str, start: int, end: int, closed: bool, out: list[str]) -> int:
        """Sanitise ``text[start:end]`` into ``out``; returns where it stopped (``end`` unless
        held back at an unfinished construct)."""
        mark = len(out)
        try:
            self._inline(text, start, end, closed, False, out)
            return end
        except _Hold as hold:
            del out[mark:]
            if self.boundary is not None and self.boundary[1] >= mark:
                self.boundary = None  # recorded again by the run below
            self._inline(text, start, hold.at, True, False, out)
            return hold.at

    def inline(self, text: str, start: int, end: int, in_link: bool = True) -> str:
        """The inside of a link or image, complete: sanitised on its own."""
        self.spend(end - start)
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise TooComplex
        try:
            out: list[str] = []
            self._inline(text, start, end, True, in_link, out)
            return "".join(out)
        finally:
            self.nesting -= 1

    def _inline(self, text: str, i: int, end: int, final: bool, in_link: bool, out: list[str]) -> None:
        top = not in_link and self.nesting == 0
        while True:
            match = _SPECIAL.search(text, i, end)
            j = end if match is None else match.start()
            out.append(text[i:j])
            if top and j > i:  # plain text ends before a construct: a boundary
                self.boundary = (j, len(out) - 1, j - i)
            if match is None:
                return
            c = text[j]
            if c == "\\":
                if j + 1 < end:
                    out.append(text[j : j + 2])
                    i = j + 2
                elif final:
                    out.append("\\")
                    i = j + 1
                else:
                    raise _Hold(j)
            elif c in "`$":
                i = self._code_span(text, j, end, final, out)
            elif c == "!":
                if j + 1 < end and text[j + 1] == "[":
                    i = self._bracket(text, j, end, final, out, image=True, in_link=in_link)
                elif j + 1 == end and not final:
                    raise _Hold(j)
                else:
                    out.append("!")
                    i = j + 1
            elif c == "[":
                i = self._bracket(text, j, end, final, out, image=False, in_link=in_link)
            elif c == "]":
                out.append("\\]")  # a closer without an opener we vouch for
                i = j + 1
            elif c == "<":
                i = self._angle(text, j, end, final, out)
            else:  # ":" - GFM turns "xmpp:user@host" into a link
                out.append("\\:" if text[max(0, j - 4) : j].lower() == "xmpp" else ":")
                i = j + 1

    def _code_span(self, text: str, j: int, end: int, final: bool, out: list[str]) -> int:
        char = text[j]
        k = j
        while k < end and text[k] == char:
            k += 1
        if k == end and not final:
            raise _Hold(j)  # the run may grow
        limit = min(end, k + SPAN_WINDOW)
        blank = _BLANK_LINE.search(text, k, limit)
        closer = _closer(char, k - j).search(text, k, blank.start() if blank else limit)
        if closer is not None:
            if closer.end() == end and not final:
                raise _Hold(j)  # the closing run may grow into a longer one
            self.verbatim(text[j : closer.end()], out)  # code or math: exactly as written
            return closer.end()
        if blank is None and limit == end and not final:
            raise _Hold(j)  # the closer may still come
        out.append(text[j:k])  # no closer: literal backticks or dollars
        return k

    def _angle(self, text: str, j: int, end: int, final: bool, out: list[str]) -> int:
        match = _AUTOLINK.match(text, j, end)
        if match is not None:
            target = match[1]
            if ("@" in target and ":" not in target) or link_allowed(target):  # e-mail autolinks are mailto:
                out.append(match[0])
                return match.end()
        elif not final and _AUTOLINK_PREFIX.match(text, j, end).end() == end:  # type: ignore[union-attr]
            raise _Hold(j)
        out.append("\\<")  # raw HTML is not rendered anyway; escaped, it cannot become a link
        return j + 1

    # ---------------------------------------------------------------- links and images
    def _label_end(self, text: str, k: int, end: int, final: bool) -> int | None:
        """Index of the ``]`` matching the ``[`` at ``k``; None when there is none."""
        depth = 0
        i = k
        limit = min(end, k + LABEL_WINDOW)
        if text.find("]", k, limit) < 0:  # no closer at all: skip the walk
            i = limit
        while i < limit:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "`":
                r = i
                while r < limit and text[r] == "`":
                    r += 1
                closer = text.find("`" * (r - i), r, limit)
                i = r if closer < 0 else closer + (r - i)
                continue
            if c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    return i
            elif c == "\n" and _BLANK_LINE.match(text, i, end):
                return None
            i += 1
        self.spend(i - k)
        if limit == end and not final:
            raise _Hold(k)
        return None

    def _resource(self, text: str, p: int, end: int, final: bool) -> tuple[str, int] | None:
        """``(destination "title")`` at ``p``: (raw destination, index after ``)``), or None."""
        n = min(end, p + RESOURCE_WINDOW)
        final = final or n < end  # the window ends before the text: no more to wait for
        result = self._resource_in(text, p, n, final)
        self.spend((result[1] if result is not None else n) - p)
        return result

    def _resource_in(self, text: str, p: int, n: int, final: bool) -> tuple[str, int] | None:

        def incomplete() -> None:
            if not final:
                raise _Hold(p)

        def skip_space(i: int) -> int:
            newlines = 0
            while i < n and text[i] in _WHITESPACE:
                newlines += text[i] == "\n"
                if newlines > 1:
                    return -1
                i += 1
            return i

        i = skip_space(p + 1)
        if i < 0:
            return None
        if i >= n:
            incomplete()
            return None
        dest_start = i
        if text[i] == "<":
            i += 1
            while i < n and text[i] not in "<>\n":
                i += 2 if text[i] == "\\" else 1
            if i >= n:
                incomplete()
                return None
            if text[i] != ">":
                return None
            i += 1
        else:
            depth = 0
            while i < n:
                i = _RAW_DESTINATION_RUN.match(text, i, n).end()  # type: ignore[union-attr]
                if i >= n or text[i] not in "()" or (text[i] == ")" and depth == 0):
                    break
                depth += 1 if text[i] == "(" else -1
                i += 1
            if i >= n:
                incomplete()
                return None
        dest_end = i
        i = skip_space(i)
        if i < 0:
            return None
        if i >= n:
            incomplete()
            return None
        if text[i] in "\"'(" and i > dest_end:
            close = ")" if text[i] == "(" else text[i]
            t = i + 1
            while t < n and text[t] != close:
                t += 2 if text[t] == "\\" else 1
            if t >= n:
                incomplete()
                return None
            i = skip_space(t + 1)
            if i < 0:
                return None
            if i >= n:
                incomplete()
                return None
        if text[i] != ")":
            return None
        return text[dest_start:dest_end], i + 1

    def _reference_url(self, label: str, at: int) -> str | None:
        key = _label_key(label)
        for position, name, url in self.definitions:
            if name == key and (self.forward_refs or position < at):
                return url
        return None

    def _bracket(self, text: str, j: int, end: int, final: bool, out: list[str], *, image: bool, in_link: bool) -> int:
        try:
            return self._link_or_image(text, j, end, final, out, image=image, in_link=in_link)
        except _Hold:
            raise _Hold(j) from None  # hold the whole construct, its "!" included

    def _link_or_image(self, text: str, j: int, end: int, final: bool, out: list[str], *, image: bool, in_link: bool) -> int:
        k = j + 1 if image else j  # the "["
        close = self._label_end(text, k, end, final)
        if close is None:
            out.append("\\!\\[" if image else "\\[")
            return k + 1
        after = close + 1
        if after >= end and not final:
            raise _Hold(j)  # "(", "[" or ":" may follow
        nxt = text[after] if after < end else ""
        if nxt == "(":
            resource = self._resource(text, after, end, final)
            if resource is None:  # "](" that is no link: keep the bracket from closing anything
                out.append(("\\!" if image else "") + "\\[" + self.inline(text, k + 1, close) + "\\]")
                return after
            raw_dest, stop = resource
            url = decode_destination(raw_dest)
            if image:
                out.append(self._image(text, k + 1, close, url, in_link))
            elif link_allowed(url) and not in_link:
                out.append("[" + self.inline(text, k + 1, close) + "](" + canonical_destination(url) + ")")
            else:  # shown as the text it is: brackets escaped, destination too
                out.append("\\[" + self.inline(text, k + 1, close) + "\\](" + self.inline(text, after + 1, stop - 1) + ")")
            return stop
        if nxt == ":" and not image and not text.startswith("^", k + 1):
            return self._definition(text, k, close, end, final, out)
        if image:  # a reference image: ![alt][ref], ![alt][] or ![alt]
            ref, stop = text[k + 1 : close], after
            if nxt == "[":
                ref_close = self._label_end(text, after, end, final)
                if ref_close is not None:
                    ref, stop = text[after + 1 : ref_close] or ref, ref_close + 1
            ref_url = self._reference_url(ref, j)
            if ref_url is not None:
                out.append(self._image(text, k + 1, close, ref_url, in_link))
                return stop
            out.append("\\!\\[" + self.inline(text, k + 1, close) + "\\]")
            return after
        label = self.inline(text, k + 1, close)  # a reference link, or just brackets
        out.append(("\\[" + label + "\\]") if in_link else ("[" + label + "]"))
        return after

    def _definition(self, text: str, k: int, close: int, end: int, final: bool, out: list[str]) -> int:
        """``[label]: url`` stays a definition only when ``url`` may be a link."""
        match = _DEFINITION.match(text, text.rfind("\n", 0, k) + 1)
        if match is not None and match.start(1) == k + 1 and match.end(1) == close:
            if match.end() == end and not final:
                raise _Hold(k)  # the destination may grow
            if link_allowed(decode_destination(match[2])):
                out.append("[" + text[k + 1 : close] + "]:")
                return close + 2
        elif not final and not text[close + 2 : end].strip():
            raise _Hold(k)  # the destination has not come yet
        out.append("\\[" + self.inline(text, k + 1, close) + "\\]:")
        return close + 2

    def _image(self, text: str, alt_start: int, alt_end: int, url: str, in_link: bool) -> str:
        alt = self.inline(text, alt_start, alt_end)
        if self.policy.image_allowed(url):
            return "![" + alt + "](" + canonical_destination(url) + ")"
        shown = " ".join(alt.split()) or "image"
        parsed = strict_http_url(url)
        if parsed is None:
            return f"{IMAGE_MARK} {shown} ({loose_host(url)}image not loaded)"
        host, port = parsed
        where = host if port is None else f"{host}:{port}"
        if in_link:
            return f"{IMAGE_MARK} {shown} ({where})"
        return f"[{IMAGE_MARK} {shown} ({where})](" + canonical_destination(url) + ")"


__all__ = ["IMAGE_MARK", "Scan", "TooComplex", "find_definitions"]
