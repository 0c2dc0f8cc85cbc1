"""The mock "sees" what a prompt carries: images it measures, documents it skims.

For each ``image_url`` part it decodes the picture and reports its size, its orientation
(portrait, landscape or square) and its main colours, computed from the pixels (each pixel
of a small copy is named after the nearest of a dozen colours). For each document block
(``chatcore.attachments.wire``) it gives the name, pages or rows, and the first words. It
says plainly that it measures rather than understands, so a demo never pretends.

Everything in the request is hostile: only ``data:`` URLs are read (the mock never fetches
a URL), their size is capped, and a picture larger than ``MAX_PIXELS`` is not decoded.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from typing import Any

from PIL import Image, UnidentifiedImageError

from ..attachments.wire import document_headers
from .conversation import Conversation, text_of
from .turn import Turn

MAX_URL_CHARS = 40_000_000  # about 30 MB of image
MAX_PIXELS = 60_000_000
COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0), "white": (255, 255, 255), "grey": (128, 128, 128), "red": (220, 30, 30),
    "orange": (245, 140, 20), "yellow": (240, 220, 40), "green": (40, 170, 60), "cyan": (40, 200, 220),
    "blue": (30, 70, 210), "purple": (130, 50, 170), "pink": (240, 140, 190), "brown": (130, 80, 40),
}


def last_user_content(conv: Conversation) -> Any:
    for message in reversed(conv.messages):
        if message.get("role") == "user":
            return message.get("content")
    return None


def image_urls(content: Any) -> list[str]:
    if not isinstance(content, list):
        return []
    urls = []
    for part in content:
        if isinstance(part, dict) and part.get("type") == "image_url":
            inner = part.get("image_url")
            url = inner.get("url") if isinstance(inner, dict) else inner
            urls.append(str(url or ""))
    return urls


def describe_image(url: str) -> str:
    """Size, orientation and main colours of a ``data:`` URL's image, or why it cannot be read."""
    if not url.startswith("data:"):
        return "a link to an image; the mock does not fetch URLs, so I cannot see it"
    if len(url) > MAX_URL_CHARS:
        return "too large for me to look at"
    try:
        data = base64.b64decode(url.split(",", 1)[1], validate=True)
    except (IndexError, binascii.Error, ValueError):
        return "not valid base64, so I cannot see it"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                return f"{width:,} × {height:,} px, too many pixels for me to look at"
            image.draft("RGB", (64, 64))
            small = image.convert("RGB")
            small.thumbnail((48, 48))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return "not an image I can decode"
    return f"{width:,} × {height:,} px, {orientation(width, height)}. Main colours: {main_colours(small)}"


def orientation(width: int, height: int) -> str:
    if abs(width - height) <= 0.02 * max(width, height):
        return "square"
    return "landscape" if width > height else "portrait"


def main_colours(image: Image.Image, top: int = 3) -> str:
    counts: dict[str, int] = {}
    pixels = image.convert("RGB").tobytes()
    total = len(pixels) // 3
    for i in range(0, len(pixels), 3):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        name = min(COLOURS, key=lambda n: (COLOURS[n][0] - r) ** 2 + (COLOURS[n][1] - g) ** 2 + (COLOURS[n][2] - b) ** 2)
        counts[name] = counts.get(name, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    shown = [(name, count * 100 / total) for name, count in ranked[:top] if count * 100 / total >= 5 or name == ranked[0][0]]
    return ", ".join(f"{name} ({share:.0f}%)" for name, share in shown)


def sees(conv: Conversation) -> Turn | None:
    """The mock's answer about the images and documents in the last prompt; None when there are none."""
    content = last_user_content(conv)
    urls = image_urls(content)
    documents = list(document_headers(text_of(content)))
    if not urls and not documents:
        return None
    lines = [f"- **Image {i}**: {describe_image(url)}." for i, url in enumerate(urls, 1)]
    for name, facts, first_words in documents:
        begins = f' It begins: "{first_words}…"' if first_words else " It is empty."
        lines.append(f"- **{_plain(name)}** ({facts}).{begins}")
    things = _count(len(urls), "image") if urls else ""
    if documents:
        things = (things + " and " if things else "") + _count(len(documents), "document")
    return Turn(content=(
        f"I received {things}. I'm the built-in mock: I measure pictures and skim documents, "
        "I don't understand them. Here is what I can tell:\n\n" + "\n".join(lines) + "\n"
    ))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _plain(name: str) -> str:
    """A file name as literal Markdown text (it comes from a visitor)."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|~" else ch for ch in name)


__all__ = ["describe_image", "image_urls", "main_colours", "orientation", "sees"]
