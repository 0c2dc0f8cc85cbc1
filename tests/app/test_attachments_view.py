"""A prompt's attachments as the bubble shows them (ui/attachments_view.py), drawn by AppTest.

Names and text are the visitor's: a name full of Markdown/HTML shows as those characters,
a document's text only in a code block or a table, an SVG never reaches ``st.image``.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from chatcore.attachments import Attachment
from tests.e2e.sample_files import png
from ui.attachments_view import describe, human_size, table_rows

HOSTILE = "**big** <img src=x onerror=alert(1)> [x](javascript:alert(1)) :red[hi].png"


def unescape(markdown: str) -> str:
    """What a reader sees: Markdown rendered, tags stripped."""
    html = MarkdownIt("commonmark").renderInline(markdown)
    return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _app(kind: str) -> None:
    """Runs inside AppTest: one bubble of attachments, built from plain data."""
    from types import MappingProxyType

    from chatcore.attachments import Attachment
    from tests.e2e.sample_files import png
    from ui.attachments_view import render_attachments

    hostile = "**big** <img src=x onerror=alert(1)> [x](javascript:alert(1)) :red[hi].png"
    if kind == "image":
        atts = [Attachment("image", hostile, "image/png", png(800, 600), meta=MappingProxyType({"width": 800, "height": 600}))]
    elif kind == "svg":
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        atts = [Attachment("document", "logo.svg", "text/plain", svg, text=svg.decode())]
    elif kind == "text":
        atts = [Attachment("document", "notes.md", "text/markdown", b"# Title\n<b>x</b> *y*", text="# Title\n<b>x</b> *y*",
                           meta=MappingProxyType({"truncated": True}))]
    elif kind == "csv":
        text = "city,people\nOslo,700000\nBergen,290000\n"
        atts = [Attachment("document", "cities.csv", "text/csv", text.encode(), text=text, meta=MappingProxyType({"rows": 2}))]
    else:
        atts = [Attachment("image", "broken.png", "image/png", b"not a png at all")]
    render_attachments(atts, key="t")


def run(kind: str) -> AppTest:
    at = AppTest.from_function(_app, args=(kind,), default_timeout=20).run()
    assert not at.exception
    return at


def test_an_image_shows_a_thumbnail_and_its_name_as_typed():
    at = run("image")
    images = at.get("image")
    assert len(images) == 1
    button = at.button[0]
    assert unescape(button.label) == HOSTILE.replace("  ", " ")[:23] + "…"  # shortened on the button, literal
    button.click().run()  # opens the larger view
    assert not at.exception
    assert len(at.get("image")) == 2
    title = at.markdown[0].value
    assert unescape(title) == f"<strong>{HOSTILE}</strong>"


def test_a_document_chip_says_what_it_is_and_previews_its_text_literally():
    at = run("text")
    chip = at.button[0]
    assert unescape(chip.label) == "notes.md · 20 B · cut to fit"
    chip.click().run()
    assert [c.value for c in at.code] == ["# Title\n<b>x</b> *y*"]
    assert any("cut to fit" in i.value for i in at.info)


def test_a_csv_previews_as_a_table():
    at = run("csv")
    assert unescape(at.button[0].label) == "cities.csv · 38 B · 2 rows"
    at.button[0].click().run()
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["city", "people"]
    assert frame.values.tolist() == [["Oslo", "700000"], ["Bergen", "290000"]]


def test_an_svg_is_only_ever_text():
    at = run("svg")
    assert len(at.get("image")) == 0
    at.button[0].click().run()
    assert "<script>" in at.code[0].value
    assert len(at.get("image")) == 0


def test_bytes_that_no_longer_decode_say_so_instead_of_crashing():
    at = run("broken")
    assert len(at.get("image")) == 0
    assert any("cannot be shown" in c.value for c in at.caption)


def test_describe_and_table_rows():
    assert human_size(500) == "500 B" and human_size(2048) == "2 KB" and human_size(3 * 1024 * 1024) == "3.0 MB"
    pdf = Attachment("document", "r.pdf", "application/pdf", b"x" * 10, text="...",
                     meta={"pages": 3, "original_size": 4096, "truncated": True})
    assert describe(pdf) == "4 KB · 3 pages · cut to fit"
    image = Attachment("image", "p.png", "image/png", png(10, 10), meta={"width": 10, "height": 10})
    assert describe(image).endswith("10×10")
    tsv = Attachment("document", "t.tsv", "text/tab-separated-values", b"", text="a\ta\t\n1\t2\t3\n4")
    assert table_rows(tsv) == (["a", "a (2)", "column 3"], [["1", "2", "3"], ["4", "", ""]])


def test_the_preview_offers_the_file_back_as_an_opaque_download():
    at = run("svg")
    at.button[0].click().run()
    [download] = at.get("download_button")
    assert download.proto.label == "Download"
    assert download.proto.url.endswith(".bin")  # served as application/octet-stream, not image/svg+xml
