"""Attachments: memory and time from an uploaded file to the request body, and request size.

Cases (each file is made here, then handled in a fresh child process so one case's memory
does not hide another's):

* a 12 MP phone photo of pure noise, JPEG quality 99, about 20 MB (the worst case for JPEG:
  noise does not compress, so the resized photo is as large as a 2048 px JPEG gets);
* the same size of photo with smooth content (what most photos are like), about 1.5 MB;
* a 300-page text PDF (about 1 MB): with the default 100,000-character limit (reading stops
  once it is reached) and with no limit (all 300 pages read).

For each: peak memory added while preparing (the child's peak RSS, reset just before, minus
its RSS with the file already in memory; Pillow's pixel buffers are C allocations that
tracemalloc does not see, so RSS is the honest figure), the time to the prepared prompt
(``prepare`` + ``user_message`` + the JSON body the SDK sends), and the request body's size.
The baseline is the naive path: the original bytes base64-encoded into the request, no
checking or resizing.

    python bench/attachments.py

Prints a Markdown table and saves it to bench/results/attachments.md. Goals: peak memory
added <= 5x the file size, prepared prompt <= 2 s on this 2-core machine.
"""

from __future__ import annotations

import base64
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "attachments.md"
GOAL_MEMORY = 5.0
GOAL_SECONDS = 2.0


def rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(mode: str, path: str, chars: int) -> None:
    """One measurement in this (fresh) process; prints one JSON line."""
    from chatcore.attachments import AttachmentLimits, prepare
    from chatcore.messages import user_message

    data = Path(path).read_bytes()
    limits = AttachmentLimits(document_chars=chars)
    if mode == "naive":  # warm the same imports the real path uses
        json.dumps({"x": base64.b64encode(b"x").decode()})
    else:  # every library the real path loads, loaded before the measurement starts
        from tests.attachment_files import png, text_pdf

        prepare("warm.pdf", text_pdf(["warm up"]), limits)
        prepare("warm.png", png((8, 8)), limits)
    baseline = rss_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    started = time.perf_counter()
    if mode == "naive":
        url = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
        content = [{"type": "text", "text": "What is in this photo?"}, {"type": "image_url", "image_url": {"url": url}}]
        body = json.dumps({"model": "m", "messages": [{"role": "user", "content": content}], "stream": True}).encode()
    else:
        attachment = prepare(Path(path).name, data, limits)
        message = user_message("What is in this?", [attachment])
        body = json.dumps({"model": "m", "messages": [message], "stream": True}).encode()
    seconds = time.perf_counter() - started
    peak = rss_kb("VmHWM")
    print(json.dumps({"seconds": seconds, "added_kb": max(0, peak - baseline), "body_bytes": len(body), "file_bytes": len(data)}))


def measure(mode: str, path: Path, chars: int = 100_000, runs: int = 3) -> dict[str, float]:
    """The median of ``runs`` fresh children."""
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, __file__, "--child", mode, str(path), str(chars)], capture_output=True,
                              text=True, timeout=300, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    results.sort(key=lambda r: r["seconds"])
    middle = results[len(results) // 2]
    middle["added_kb"] = sorted(r["added_kb"] for r in results)[len(results) // 2]
    return middle


def smooth_photo(size: tuple[int, int]) -> bytes:
    """A photo-like picture: gradients and soft shapes with a little sensor noise."""
    from PIL import Image, ImageDraw, ImageFilter

    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    rng = random.Random(3)
    for _ in range(40):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(50, 600)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image = image.filter(ImageFilter.GaussianBlur(8))
    noise = Image.effect_noise(size, 12).convert("RGB")
    image = Image.blend(image, noise, 0.08)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def main() -> None:
    from tests.attachment_files import noisy_jpeg, text_pdf

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        noisy = Path(folder) / "noisy-12mp.jpg"
        noisy.write_bytes(noisy_jpeg((4000, 3000), quality=99))
        smooth = Path(folder) / "smooth-12mp.jpg"
        smooth.write_bytes(smooth_photo((4000, 3000)))
        pdf = Path(folder) / "300-pages.pdf"
        words = "Quarterly revenue grew in every region while costs stayed flat and margins widened. "
        pdf.write_bytes(text_pdf([f"Page {i + 1}\n" + "\n".join(words for _ in range(30)) for i in range(300)]))
        cases = [
            ("12 MP photo, noise (worst case)", noisy, 100_000),
            ("12 MP photo, smooth", smooth, 100_000),
            ("300-page PDF, default limit", pdf, 100_000),
            ("300-page PDF, every page read", pdf, 10**9),
        ]
        for label, path, chars in cases:
            ours = measure("prepare", path, chars)
            naive = measure("naive", path) if path.suffix == ".jpg" else None
            rows.append((label, ours, naive))
            print(f"{label}: {ours}  naive: {naive}", flush=True)
    lines = [
        "| file | size | time to prepared prompt | peak memory added | × file size | request body | naive: body / time / memory |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, ours, naive in rows:
        size = ours["file_bytes"]
        ratio = ours["added_kb"] * 1024 / size
        verdict = "✅" if ratio <= GOAL_MEMORY and ours["seconds"] <= GOAL_SECONDS else "❌"
        baseline = "—" if naive is None else (
            f"{naive['body_bytes'] / 1e6:.1f} MB / {naive['seconds']:.2f} s / {naive['added_kb'] / 1024:.0f} MB")
        lines.append(f"| {label} | {size / 1e6:.1f} MB | {ours['seconds']:.2f} s | {ours['added_kb'] / 1024:.0f} MB | "
                     f"{ratio:.1f}× {verdict} | {ours['body_bytes'] / 1e6:.2f} MB | {baseline} |")
    conditions = (f"\n{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, median of 3 fresh processes per row; "
                  f"goals: ≤ {GOAL_MEMORY:g}× the file size, ≤ {GOAL_SECONDS:g} s.\n")
    table = "\n".join(lines) + "\n" + conditions
    print("\n" + table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
