"""Every bad file is refused with a reason a visitor understands, never a crash; good ones are
made ready (type from the bytes, images upright, stripped and resized, documents read)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from chatcore.attachments import AttachmentLimits, AttachmentRefused, clean_name, prepare, prepare_all
from tests.attachment_files import encrypted_pdf, gif, image_only_pdf, jpeg, png, text_pdf, wav


def refusal(name: str, data: bytes, **limits) -> str:
    with pytest.raises(AttachmentRefused) as caught:
        prepare(name, data, AttachmentLimits(**limits))
    assert caught.value.name == clean_name(name)
    return caught.value.reason


# ---------------------------------------------------------------- the bad files
def test_png_bytes_named_pdf_are_refused_as_a_lie():
    assert refusal("invoice.pdf", png()) == "the name says it is a PDF (.pdf) but the bytes are a PNG image"


def test_a_png_that_is_really_text_is_refused():
    assert refusal("cat.png", b"<svg onload=alert(1)>") == "the name says it is a PNG image (.png) but the bytes are text"


def test_a_truncated_image_is_refused():
    assert refusal("half.png", png((300, 200))[:150]) == "this PNG image is truncated or corrupt and cannot be shown"
    assert refusal("half.jpg", jpeg((800, 600))[:2000]) == "this JPEG image is truncated or corrupt and cannot be shown"


def test_garbage_after_an_image_header_is_refused():
    assert refusal("x.gif", b"GIF89a" + b"\xff" * 40) == "this looks like a GIF image but it is damaged and cannot be read"


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000)).save(bomb, "PNG")  # 81 MP of nothing: about 10 KB
    assert len(bomb.getvalue()) < 50_000
    assert refusal("bomb.png", bomb.getvalue()) == (
        "this image claims 9,000 × 9,000 pixels, over the 60-megapixel limit (it may be a decompression bomb); "
        "send a smaller picture")


def test_a_huge_bomb_that_pillow_itself_stops_is_refused_too():
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # 400 MP: Pillow refuses to open it
    assert "decompression bomb" in refusal("bomb.png", bomb.getvalue())


def test_an_encrypted_pdf_is_refused():
    assert refusal("secret.pdf", encrypted_pdf()) == "this is a password-protected PDF; remove the password and attach it again"


def test_an_image_only_pdf_is_refused():
    assert refusal("scan.pdf", image_only_pdf()) == (
        "this is an image-only (scanned) PDF: no text to read. Attach the pages as images instead")


def test_a_damaged_pdf_is_refused():
    assert refusal("broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50) == "this PDF is damaged and cannot be read"


def test_binary_posing_as_text_is_refused():
    assert refusal("notes.txt", b"hello\x00\x01\x02world") == (
        "this is binary data, not text; attach images, PDFs, text documents or recordings")
    assert refusal("readme.md", bytes(range(128, 256)) * 4) == (
        "this is binary data, not text; attach images, PDFs, text documents or recordings")


def test_an_archive_is_named_for_what_it_is():
    assert refusal("report.docx", b"PK\x03\x04" + b"\x00" * 100) == (
        "this is a ZIP archive (or an Office document); this chat reads images (PNG, JPEG, WebP, GIF), PDFs, "
        "text documents and voice recordings")


def test_invalid_json_is_refused_with_where():
    assert refusal("data.json", b'{"a": 1,}') == (
        "this is not valid JSON (Expecting property name enclosed in double quotes at line 1, column 9)")


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    assert refusal("big.txt", b"a" * 2_500_000, file_mb=2) == "2.5 MB is over the 2 MB limit per file"


def test_an_empty_file_is_refused():
    assert refusal("empty.txt", b"") == "the file is empty"


def test_files_over_the_message_total_are_refused_and_the_rest_kept():
    limits = AttachmentLimits(message_mb=0.25)
    files = [("a.txt", b"a" * 100_000), ("b.txt", b"b" * 100_000), ("c.txt", b"c" * 100_000), ("d.txt", b"d" * 10)]
    accepted, refused = prepare_all(files, limits)
    assert [a.name for a in accepted] == ["a.txt", "b.txt", "d.txt"]
    assert [(r.name, r.reason) for r in refused] == [
        ("c.txt", "with it this message would take 0.3 MB, over the 0.25 MB limit per message; send it in the next message")]


def test_too_many_files_are_refused():
    accepted, refused = prepare_all([(f"{i}.txt", b"x") for i in range(4)], AttachmentLimits(files_per_message=3))
    assert len(accepted) == 3 and refused[0].reason == "a message takes at most 3 files"


def test_hostile_names_are_cleaned():
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("C:\\Users\\me\\evil\u202egpj.exe") == "evilgpj.exe"  # no right-to-left override
    assert clean_name("a\x00b\nc.txt") == "abc.txt"
    assert len(clean_name("x" * 500 + ".txt")) == 120 and clean_name("x" * 500 + ".txt").endswith("….txt")


# ---------------------------------------------------------------- the good ones
def test_a_photo_is_turned_upright_stripped_and_resized():
    photo = prepare("IMG.jpg", jpeg((4000, 3000), orientation=6, gps=True))  # shot in portrait
    image = Image.open(io.BytesIO(photo.data))
    # Decoded at half size (2000 px, within 10% of the 2048 px limit: a quarter of the memory).
    assert image.size == (1500, 2000) and photo.mime == "image/jpeg"
    assert not image.getexif() and "exif" not in image.info
    assert dict(photo.meta) == {"width": 1500, "height": 2000, "original_width": 4000, "original_height": 3000,
                                "original_size": len(jpeg((4000, 3000), orientation=6, gps=True))}


def test_a_large_png_and_a_mid_size_jpeg_are_resized_to_the_limit():
    assert prepare("big.png", png((4000, 3000))).meta["width"] == 2048
    mid = prepare("mid.jpg", jpeg((3000, 2250)))  # half size would be 1500 px: decoded whole, then resized
    assert (mid.meta["width"], mid.meta["height"]) == (2048, 1536)
    assert prepare("small.jpg", jpeg((4000, 3000)), AttachmentLimits(image_side=512)).meta["width"] == 500  # 1/8


def test_a_thumbnail_is_small_and_keeps_the_shape():
    from chatcore.attachments import thumbnail

    photo = prepare("IMG.jpg", jpeg((4000, 3000)))
    small = thumbnail(photo, 320)
    assert Image.open(io.BytesIO(small)).size == (320, 240) and len(small) < photo.size
    with pytest.raises(ValueError):
        thumbnail(prepare("a.txt", b"text"))


def test_transparency_keeps_png_and_an_opaque_alpha_becomes_jpeg():
    assert prepare("logo.png", png(mode="RGBA", color=(0, 0, 0, 0))).mime == "image/png"
    assert prepare("flat.png", png(mode="RGBA", color=(9, 9, 9, 255))).mime == "image/jpeg"


def test_an_animated_gif_sends_its_first_frame():
    still = prepare("anim.gif", gif(frames=3))
    assert still.meta["animated"] is True and Image.open(io.BytesIO(still.data)).getpixel((0, 0))[0] < 20  # frame 0's red is 0


def test_webp_is_read():
    out = io.BytesIO()
    Image.new("RGB", (100, 50), (1, 2, 3)).save(out, "WEBP")
    assert prepare("x.webp", out.getvalue()).meta["width"] == 100


def test_a_pdf_csv_and_code_are_read_as_text():
    pdf = prepare("r.pdf", text_pdf(["alpha beta", "gamma"]))
    assert pdf.text == "alpha beta\n\ngamma" and pdf.meta["pages"] == 2
    tsv = prepare("t.tsv", b"a\tb\n1\t2\n")
    assert tsv.mime == "text/tab-separated-values" and tsv.meta["rows"] == 2
    assert prepare("main.py", b"print('hi')\n").mime == "text/x-code"


def test_svg_and_html_are_plain_text_never_markup():
    for name in ("x.svg", "x.html"):
        doc = prepare(name, b"<svg><script>alert(1)</script></svg>")
        assert doc.kind == "document" and doc.mime == "text/plain"


def test_a_float_wav_is_read_from_its_header_and_a_broken_one_refused():
    import struct

    samples = b"\x00" * 64000  # one second of 32-bit float mono at 16 kHz
    header = (b"RIFF" + struct.pack("<I", 36 + len(samples)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 3, 1, 16000, 64000, 4, 32)
              + b"data" + struct.pack("<I", len(samples)))
    assert prepare("float.wav", header + samples).meta["duration"] == 1.0
    assert refusal("broken.wav", b"RIFF\x00\x00\x00\x00WAVEjunkjunk") == "this WAV recording is damaged and cannot be played"
    assert prepare("cut.wav", wav(2.0)[:32044]).meta["duration"] == 1.0  # a recording cut short: what is there


def test_the_bytes_decide_when_the_name_says_nothing():
    assert prepare("photo", png()).kind == "image"
    assert prepare("clip.bin.wav", wav(0.5)).meta["duration"] == 0.5


def test_a_long_pdf_is_read_only_up_to_the_limit():
    pdf = prepare("long.pdf", text_pdf([f"page {i} " + "word " * 50 for i in range(40)]), AttachmentLimits(document_chars=1000))
    assert pdf.meta["pages"] == 40 and pdf.meta["truncated"] is True and len(pdf.text) <= 1000
    assert "chars" not in pdf.meta  # the rest was never read, so its length is not claimed
