"""What a chat full of pictures costs on every script run (ui/attachments_view.py).

A conversation of N prompts, each with one photo as kept after resizing (2048×1536 JPEG)
and one PDF chip, drawn by ``render_attachments`` inside AppTest, as the chat page draws
its history on every run. Compared in the same process with the naive way: ``st.image``
of the kept photo at thumbnail width (Streamlit decodes and resizes the full photo on
every run). Prints the first run (thumbnails made) and the median of the next runs.

    python bench/attachments_render.py [--prompts 20] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _app(prompts: int, naive: bool) -> None:
    """Runs inside AppTest."""
    import io
    from types import MappingProxyType

    import streamlit as st
    from PIL import Image

    from chatcore.attachments import Attachment
    from ui.attachments_view import THUMB_PX, render_attachments

    if "photos" not in st.session_state:
        photos = []
        for i in range(prompts):
            picture = Image.effect_noise((2048, 1536), 40 + i).convert("RGB")  # noise: a JPEG as heavy as a photo
            out = io.BytesIO()
            picture.save(out, format="JPEG", quality=85)
            photos.append(out.getvalue())
        st.session_state["photos"] = photos
        return  # this run only makes the photos (it is not timed)
    pdf = Attachment("document", "report.pdf", "application/pdf", b"%PDF" + b"x" * 50_000, text="words " * 5000,
                     meta=MappingProxyType({"pages": 12}))
    for i, data in enumerate(st.session_state["photos"]):
        photo = Attachment("image", f"photo-{i}.jpg", "image/jpeg", data, meta=MappingProxyType({"width": 2048, "height": 1536}))
        with st.chat_message("user"):
            if naive:
                st.image(photo.data, width=THUMB_PX)
                st.button(f"report.pdf {i}", key=f"naive-{i}")
            else:
                render_attachments((photo, pdf), key=str(i))


def measure(prompts: int, runs: int, naive: bool) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_app, args=(prompts, naive), default_timeout=300)
    at.run()  # makes the photos (not timed)
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return times[0], statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    naive_first, naive_next = measure(args.prompts, args.runs, naive=True)
    ours_first, ours_next = measure(args.prompts, args.runs, naive=False)
    print(f"{args.prompts} prompts, each a 2048×1536 JPEG + a PDF chip; AppTest run time (s)")
    print("| drawing | first run | next runs (median) |")
    print("|---|---|---|")
    print(f"| st.image of the kept photo at 160 px (naive) | {naive_first:.3f} | {naive_next:.3f} |")
    print(f"| ui/attachments_view (thumbnail once per session) | {ours_first:.3f} | {ours_next:.3f} |")


if __name__ == "__main__":
    main()
