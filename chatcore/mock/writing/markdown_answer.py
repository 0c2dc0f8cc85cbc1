"""The default answer: a helpful-looking markdown reply about whatever was asked.

It exercises everything a chat renderer must handle (headings, lists, a fenced code
block, a table, inline math) while echoing the prompt's topic, and varies with a hash
of the prompt so a demo with several questions does not show identical answers.
"""

from __future__ import annotations

import re
import zlib

from ..prompt_parsing import title_from, topic_words

_LEADS = re.compile(
    r"^(?:please\s+)?(?:can you\s+|could you\s+)?(?:explain|describe|tell me about|what is|what are|what's|"
    r"how do i|how do you|how does|how do|how to|why is|why do|why does|give me|write about|summarize)\s+",
    re.I,
)

_INTROS = (
    "Good question. Here is a practical overview of **{topic}**, starting with the core idea and ending "
    "with a small example you can run.",
    "Let's break **{topic}** down into a few parts: what it is, how the pieces fit together, and how to "
    "check your understanding with a tiny experiment.",
    "Here's a concise guide to **{topic}**. I'll keep it practical: the essentials first, then an example "
    "and a quick comparison table.",
)

_POINTS = (
    ("Start from the definition", "pin down what {w} means in your context before comparing options."),
    ("Look at the moving parts", "most of the behaviour of {w} comes from how a few components interact."),
    ("Measure, don't guess", "a small experiment around {w} settles more than a long debate."),
    ("Watch the edge cases", "{w} tends to behave differently at the extremes, so test those first."),
    ("Keep it simple", "the simplest model of {w} that explains your data is usually the right start."),
)

_CODE = (
    '''def summarize(items: list[str]) -> dict[str, int]:
    """Count how often each {slug} term appears."""
    counts: dict[str, int] = {{}}
    for item in items:
        key = item.strip().lower()
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

print(summarize({sample}))''',
    '''from dataclasses import dataclass

@dataclass
class Note:
    topic: str
    score: float

notes = [Note(t, len(t) / 10) for t in {sample}]
best = max(notes, key=lambda n: n.score)
print(f"Most detailed {slug} note: {{best.topic}}")''',
    '''import statistics

samples = {{t: len(t) for t in {sample}}}
mean = statistics.mean(samples.values())
for name, size in samples.items():
    flag = "above" if size > mean else "below"
    print(f"{{name:>12}}: {{size}} ({{flag}} the {slug} mean)")''',
)

_TABLE_COLUMNS = (
    ("Aspect", "What to look at", "Why it matters"),
    ("Part", "Typical question", "Rule of thumb"),
    ("Concept", "Check", "Payoff"),
)
_TABLE_CELLS = (
    ("its definition and scope", "avoids talking past each other"),
    ("how it changes over time", "reveals the real trade-offs"),
    ("how it is measured", "keeps the discussion honest"),
)

_MATH = (
    "A useful habit is checking units and orders of magnitude, the same way physicists sanity-check "
    "$E = mc^2$: if the numbers are off by a factor of a thousand, the model is wrong, not the data.",
    "Even famous formulas like $E = mc^2$ are best understood by plugging in numbers; do the same here "
    "with a small, concrete case before generalising.",
)

_CLOSINGS = (
    "If you tell me more about your situation, I can go deeper on any of these points.",
    "Want me to expand one of the sections, or turn this into a checklist?",
    "Happy to go further: pick a row of the table and I'll walk through it in detail.",
)


def _topic(prompt: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"\[fault:[^\]]*\]", "", prompt)).strip().rstrip("?!. ")
    text = _LEADS.sub("", text) or "your question"
    if len(text) > 50:
        text = text[:50].rsplit(" ", 1)[0]
    return text


def markdown_answer(prompt: str) -> str:
    """A 1,200-1,800 character markdown answer that engages with ``prompt``."""
    seed = zlib.crc32(prompt.encode("utf-8"))
    words = [w[:20] for w in topic_words(prompt)] or ["the idea"]
    while len(words) < 3:
        words.append(("context", "trade-offs", "practice")[len(words)])
    topic = _topic(prompt)
    slug = re.sub(r"[^a-z0-9]+", "_", words[0].lower()).strip("_") or "topic"
    sample = repr([w.lower() for w in words])
    points = [_POINTS[(seed + i) % len(_POINTS)] for i in range(3)]
    columns = _TABLE_COLUMNS[seed % len(_TABLE_COLUMNS)]
    rows = "\n".join(f"| {w} | {a} | {b} |" for w, (a, b) in zip(words, _TABLE_CELLS, strict=False))  # extra topic words get no row
    parts = [
        f"## {title_from(prompt)}",
        _INTROS[seed % len(_INTROS)].format(topic=topic),
        "### Key points",
        "\n".join(f"- **{head}**: {body.format(w=w)}" for (head, body), w in zip(points, words, strict=False)),
        "### A small example",
        "```python\n" + _CODE[(seed >> 3) % len(_CODE)].format(slug=slug, sample=sample) + "\n```",
        "### At a glance",
        f"| {' | '.join(columns)} |\n|---|---|---|\n{rows}",
        _MATH[(seed >> 5) % len(_MATH)],
        _CLOSINGS[(seed >> 7) % len(_CLOSINGS)],
    ]
    return "\n\n".join(parts) + "\n"


__all__ = ["markdown_answer"]
