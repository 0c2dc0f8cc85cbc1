"""A long markdown document (~20,000 characters) for rendering tests and benchmarks.

Long answers are where chat UIs break: re-rendering on every chunk gets slow, code
blocks open and close mid-stream, tables grow row by row. The text is deterministic
for a given prompt so timings are comparable between runs.
"""

from __future__ import annotations

from ..prompt_parsing import title_from, topic_words

TARGET_CHARS = 20_000

_SECTIONS = (
    "Background",
    "Core concepts",
    "Architecture",
    "Data flow",
    "Error handling",
    "Performance",
    "Testing strategy",
    "Deployment",
    "Observability",
    "Security",
    "Maintenance",
    "Further reading",
)

_PARAGRAPH = (
    "When people first meet {topic}, the hardest part is rarely a single detail; it is seeing how the details "
    "fit together. In this section we look at {section_lower} from a practical angle: what tends to go wrong, "
    "what a good default looks like, and how to tell whether a change actually helped. Keep a small notebook "
    "of observations while you work through it; patterns show up faster than you expect."
)

_BULLETS = (
    "Write down the assumption before you test it, so the result can surprise you.",
    "Prefer small, reversible steps; they make mistakes cheap and learning fast.",
    "Measure the slowest part first: optimising anything else is wasted effort.",
    "Name things after what they mean, not how they are implemented.",
    "Keep one source of truth and derive everything else from it.",
    "Fail loudly in development and gracefully in production.",
)

_CODE = '''```python
def step_{n}(values: list[float], *, scale: float = 1.0) -> dict[str, float]:
    """Section {n}: summarise {section_lower} measurements for {slug}."""
    if not values:
        return {{"count": 0, "mean": 0.0, "peak": 0.0}}
    scaled = [v * scale for v in values]
    mean = sum(scaled) / len(scaled)
    return {{"count": len(scaled), "mean": round(mean, 3), "peak": max(scaled)}}


print(step_{n}([1.5, 2.25, 3.0, 4.75], scale={scale}))
```'''

_TABLE = """| Option | Latency | Complexity | Good for |
|---|---:|---|---|
| Baseline | {a} ms | low | getting started |
| Cached | {b} ms | medium | repeated reads |
| Batched | {c} ms | medium | bulk work |
| Streaming | {d} ms | high | interactive use |"""


def _section(n: int, name: str, topic: str, slug: str) -> str:
    lower = name.lower()
    bullets = "\n".join(f"{i + 1}. {_BULLETS[(n + i) % len(_BULLETS)]}" for i in range(4))
    parts = [
        f"## {n}. {name}",
        _PARAGRAPH.format(topic=topic, section_lower=lower),
        f"### Checklist for {lower}",
        bullets,
        "- **Rule of thumb:** if a step feels clever, document why it is needed.\n"
        "- **Warning sign:** numbers that only look good on the author's machine.\n"
        f"- **Next step:** try the example below and compare it with your own {slug} data.",
        _CODE.format(n=n, section_lower=lower, slug=slug, scale=1 + n / 10),
    ]
    if n % 2 == 0:
        parts += [
            f"### Comparison ({lower})",
            _TABLE.format(a=40 + n * 3, b=12 + n, c=25 + n * 2, d=8 + n),
        ]
    parts.append(
        f"> In short: {lower} is where small, boring habits beat heroics. The formula people quote, "
        f"$t_{{total}} = t_{{first}} + n \\cdot t_{{chunk}}$, is a reminder that latency adds up one chunk at a time."
    )
    return "\n\n".join(parts)


def long_answer(prompt: str, target: int = TARGET_CHARS) -> str:
    """Sections until about ``target`` characters (always whole sections)."""
    noise = {"long", "longer", "essay", "answer", "article", "detailed", "guide", "text", "document"}
    words = [w for w in topic_words(prompt, 5) if w.lower() not in noise] or ["the system"]
    topic = " and ".join(words[:2])
    slug = words[0].lower().replace(" ", "_")
    text = f"# {title_from(prompt)}: a long-form guide\n\nThis is a deliberately long answer about **{topic}**."
    n = 0
    while len(text) < target - 1_000:
        name = _SECTIONS[n % len(_SECTIONS)]
        text += "\n\n" + _section(n + 1, name, topic, slug)
        n += 1
    return text + "\n\n---\n\n*End of the long answer.*\n"


__all__ = ["TARGET_CHARS", "long_answer"]
