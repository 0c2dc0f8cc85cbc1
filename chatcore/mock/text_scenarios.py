"""Scenarios that answer in prose: greeting, markdown, reasoning, long, bench.

They depend only on the prompt (and for ``bench`` on two headers), so the same prompt
always yields the same words; only ids and timestamps change between runs.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .conversation import Conversation
from .options import header_value
from .prompt_parsing import title_from, topic_words
from .tokens import even_pieces
from .turn import Turn
from .writing.long_answer import long_answer
from .writing.markdown_answer import markdown_answer

BENCH_CHARS = 20_000
BENCH_CHUNKS = 4_000
_BENCH_TEXT = (
    "Streaming benchmark text. Each chunk is cut to an exact size so the client's parsing and "
    "rendering cost can be measured per chunk. **Bold**, `code` and plain words alternate.\n\n"
)


def hello(conv: Conversation, examples: Iterable[tuple[str, str, str]]) -> Turn:
    """A greeting that explains the mock and lists one example prompt per scenario."""
    lines = "\n".join(f"- **{title}**: `{example}`" for name, title, example in examples)
    return Turn(content=(
        "Hello! 👋 I'm the **built-in mock model**. I run inside this app with no API key and no network, "
        "so you can try the interface safely. My answers are canned but they stream like a real model's.\n\n"
        f"Try one of these prompts:\n\n{lines}\n\n"
        "To test error handling, add a fault tag to any prompt, e.g. `[fault:429]`, `[fault:drop]` "
        "or `[fault:stall:5]`."
    ))


def markdown(conv: Conversation) -> Turn:
    return Turn(content=markdown_answer(conv.prompt))


def long(conv: Conversation) -> Turn:
    return Turn(content=long_answer(conv.prompt))


def reasoning(conv: Conversation) -> Turn:
    """A short chain of thought in ``reasoning_content``, then a structured answer."""
    title = title_from(conv.prompt)
    words = topic_words(conv.prompt) or ["the question"]
    key = ", ".join(words)
    thought = (
        f"The user asks: \"{title}\". Let me figure out what they actually need.\n\n"
        f"Key terms: {key}. I should make sure I understand how they relate before answering.\n\n"
        f"First idea: start from the definition of {words[0]}. But a definition alone won't help much; "
        "an example would make it concrete.\n\n"
        "Wait, I should also consider the common misunderstanding here: people often mix up the cause "
        "and the effect. I'll call that out explicitly.\n\n"
        "Plan: a one-sentence summary, three steps, then one caveat. Keep it short."
    )
    answer = (
        f"## {title}\n\n"
        f"**Short answer:** it comes down to how {key} fit together, and the details matter less than "
        "the order in which you consider them.\n\n"
        f"1. **Define the terms.** Be precise about what {words[0]} means here.\n"
        "2. **Work one example.** A concrete case exposes hidden assumptions quickly.\n"
        "3. **Generalise carefully.** Check that the example wasn't a special case.\n\n"
        "*Caveat:* don't confuse cause and effect; the most common mistake is reading the steps backwards.\n"
    )
    return Turn(content=answer, reasoning=thought)


def _int_header(headers: Mapping[str, str], name: str, default: int) -> int:
    raw = header_value(headers, name)
    try:
        return max(0, int(raw)) if raw is not None else default
    except ValueError:
        return default


def bench(conv: Conversation, headers: Mapping[str, str]) -> Turn:
    """Exactly ``X-Mock-Chars`` characters in ``X-Mock-Chunks`` content chunks (deterministic)."""
    chars = _int_header(headers, "X-Mock-Chars", BENCH_CHARS)
    chunks = _int_header(headers, "X-Mock-Chunks", BENCH_CHUNKS)
    text = (_BENCH_TEXT * (chars // len(_BENCH_TEXT) + 1))[:chars]
    return Turn(content=text, content_pieces=tuple(even_pieces(text, chunks)))


__all__ = ["BENCH_CHARS", "BENCH_CHUNKS", "bench", "hello", "long", "markdown", "reasoning"]
