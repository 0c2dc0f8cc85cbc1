"""Model output and prompts as Markdown that cannot phone out (``chatcore.safe_markdown``).

Every place that renders text a model or a visitor wrote goes through ``safe_markdown``
(or ``safe_pieces`` while it streams), with the operator's image allow-list
(``CHAT_IMAGE_HOSTS`` in ``st.secrets`` or the environment; empty by default).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TypeVar

from chatcore.safe_markdown import MarkdownPolicy, sanitize_markdown, sanitize_pieces

from .state import secrets_mapping

T = TypeVar("T")


def markdown_policy() -> MarkdownPolicy:
    return MarkdownPolicy.from_sources(secrets_mapping(), os.environ)


def safe_markdown(text: str) -> str:
    return sanitize_markdown(text, markdown_policy())


def safe_pieces(pieces: Iterable[str | T]) -> Iterator[str | T]:
    return sanitize_pieces(pieces, markdown_policy())
