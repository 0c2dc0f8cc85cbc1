"""Images, made fit to send: checked, turned upright, stripped, resized and recompressed.

A phone photo (12 MP, several MB) becomes a JPEG whose long side is at most
``image_side`` px (quality 85), or a PNG when it really uses transparency. Metadata
(EXIF with its GPS position, comments, profiles) is dropped; the EXIF orientation is
applied first so the picture stays upright. An animated GIF sends its first frame.

Hostile files are refused before they cost memory: the header's size is checked against
``image_megapixels`` before any pixel is decoded (a decompression bomb is a small file
that claims a huge picture); a truncated or corrupt image fails to decode and is refused.
JPEGs are decoded at a reduced scale when that is still large enough (``draft``), and
large images are shrunk by whole factors first (``reducing_gap``), which keeps peak memory
near the decoded size of what is kept rather than of the original.
"""

from __future__ import annotations

import io
import warnings
from types import MappingProxyType

from PIL import Image, UnidentifiedImageError

from .limits import AttachmentLimits
from .model import Attachment, AttachmentRefused

JPEG_QUALITY = 85


def prepare_image(name: str, data: bytes, what: str, limits: AttachmentLimits) -> Attachment:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit is checked below
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            raise AttachmentRefused(name, _bomb_reason(None, limits)) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise AttachmentRefused(name, f"this looks like {what} but it is damaged and cannot be read") from None
        with image:
            width, height = image.size
            if width * height > limits.image_pixels:
                raise AttachmentRefused(name, _bomb_reason((width, height), limits))
            animated = bool(getattr(image, "is_animated", False))  # looks at frame 2 only (n_frames would walk them all)
            try:
                kept = _fit(image, limits.image_side)
            except Image.DecompressionBombError:
                raise AttachmentRefused(name, _bomb_reason((width, height), limits)) from None
            except (OSError, SyntaxError, ValueError, EOFError):
                raise AttachmentRefused(name, f"this {what[2:] if what.startswith('a ') else what} is truncated or "
                                              "corrupt and cannot be shown") from None
            out, mime = _encode(kept)  # before the file closes (a closed image has no pixels)
    meta: dict[str, object] = {
        "width": kept.width, "height": kept.height, "original_width": width, "original_height": height,
        "original_size": len(data),
    }
    if animated:
        meta["animated"] = True  # only the first frame is sent
    return Attachment(kind="image", name=name, mime=mime, data=out, meta=MappingProxyType(meta))


def thumbnail(attachment: Attachment, side: int = 320) -> bytes:
    """A small copy of an (already prepared) image for a bubble or a list: JPEG, or PNG with
    transparency; at most ``side`` px on its long side. A few KB instead of the sent image's MB."""
    if attachment.kind != "image":
        raise ValueError(f"only images have thumbnails, not a {attachment.kind}")
    with Image.open(io.BytesIO(attachment.data)) as image:
        image.draft("RGB", (side, side))
        small = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
        small.thumbnail((side, side), Image.Resampling.LANCZOS)
        small.info = {}
        return _encode(small)[0]


def _fit(image: Image.Image, side: int) -> Image.Image:
    """The first frame, upright, in RGB/RGBA, no larger than ``side`` px on its long side.

    Resized first, turned upright after (turning the small copy is cheaper)."""
    turn = _TRANSPOSE.get(image.getexif().get(_ORIENTATION, 1))
    if image.format == "JPEG":
        scale = _draft_scale(image.size, side)
        if scale > 1:  # decode at 1/2, 1/4 or 1/8 size: a quarter (or less) of the memory and time
            image.draft("RGB", (-(-image.width // scale), -(-image.height // scale)))
    image.seek(0)
    image.load()
    mode = "RGBA" if _has_alpha(image) else "RGB"
    converted = image if image.mode == mode else image.convert(mode)
    if max(converted.size) > side:
        converted.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    if turn is not None:
        converted = converted.transpose(turn)
    converted.info = {}  # no EXIF, comments, ICC or other metadata travels on
    return converted


_ORIENTATION = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}


def _draft_scale(size: tuple[int, int], side: int) -> int:
    """The largest JPEG decoding reduction (1, 2, 4 or 8) that still leaves the long side at least 90%
    of ``side``: a 4000 px photo decodes at 2000 px (sent as is), a 3000 px one at full size (then resized)."""
    longest = max(size)
    return next((scale for scale in (8, 4, 2) if longest / scale >= 0.9 * side), 1)


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        alpha = image.convert("RGBA").getchannel("A")
        low = alpha.getextrema()[0]
        return isinstance(low, (int, float)) and low < 255  # an alpha channel nobody uses is dropped (JPEG is far smaller)
    return False


def _encode(image: Image.Image) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue(), "image/png"
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue(), "image/jpeg"


def _bomb_reason(size: tuple[int, int] | None, limits: AttachmentLimits) -> str:
    claimed = f" claims {size[0]:,} × {size[1]:,} pixels" if size else " claims an enormous picture"
    return (f"this image{claimed}, over the {limits.image_megapixels:g}-megapixel limit "
            "(it may be a decompression bomb); send a smaller picture")


__all__ = ["JPEG_QUALITY", "prepare_image", "thumbnail"]
