"""How big attachments may be: one frozen ``AttachmentLimits``, from ``chat.toml``'s
``[attachments]`` table and the environment (the environment wins).

    [attachments]            environment variable              default
    file_mb = 25             CHAT_ATTACH_FILE_MB               per file, as uploaded
    message_mb = 40          CHAT_ATTACH_MESSAGE_MB            all files of one prompt, as kept and sent
    files_per_message = 10   CHAT_ATTACH_FILES_PER_MESSAGE
    document_chars = 100000  CHAT_ATTACH_DOCUMENT_CHARS        a document's text is cut there (and says so)
    image_side = 2048        CHAT_ATTACH_IMAGE_SIDE            an image's long side after resizing (px)
    image_megapixels = 60    CHAT_ATTACH_IMAGE_MEGAPIXELS      larger images are refused (decompression bombs)
    transcription_model = "whisper-1"   CHAT_TRANSCRIPTION_MODEL

A bad value is skipped with a problem naming it (the default applies), like the rest of chat.toml.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping


@dataclass(frozen=True)
class AttachmentLimits:
    file_mb: float = 25.0
    message_mb: float = 40.0
    files_per_message: int = 10
    document_chars: int = 100_000
    image_side: int = 2048
    image_megapixels: float = 60.0
    transcription_model: str = "whisper-1"

    @property
    def file_bytes(self) -> int:
        return int(self.file_mb * 1_000_000)

    @property
    def message_bytes(self) -> int:
        return int(self.message_mb * 1_000_000)

    @property
    def image_pixels(self) -> int:
        return int(self.image_megapixels * 1_000_000)

    @classmethod
    def from_sources(cls, table: Mapping[str, Any] | None = None,
                     env: Mapping[str, str] | None = None) -> tuple[AttachmentLimits, tuple[str, ...]]:
        """The limits from ``[attachments]`` (``table``) and ``env``; plus a problem per bad value."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        problems: list[str] = []
        for key, value in (table or {}).items():
            if key not in _SPEC:
                problems.append(f"[attachments] {key} is not a known key (known: {', '.join(_SPEC)})")
                continue
            try:
                values[key] = _SPEC[key](value)
            except (TypeError, ValueError) as exc:
                problems.append(f"[attachments] {key} {exc}")
        for key, var in ENV_VARS.items():
            raw = env.get(var)
            if raw is None or not raw.strip():
                continue
            try:
                values[key] = _SPEC[key](raw.strip() if key == "transcription_model" else _number_text(raw))
            except (TypeError, ValueError) as exc:
                problems.append(f"{var} {exc}")
        return replace(cls(), **values), tuple(problems)


ENV_VARS = {
    "file_mb": "CHAT_ATTACH_FILE_MB",
    "message_mb": "CHAT_ATTACH_MESSAGE_MB",
    "files_per_message": "CHAT_ATTACH_FILES_PER_MESSAGE",
    "document_chars": "CHAT_ATTACH_DOCUMENT_CHARS",
    "image_side": "CHAT_ATTACH_IMAGE_SIDE",
    "image_megapixels": "CHAT_ATTACH_IMAGE_MEGAPIXELS",
    "transcription_model": "CHAT_TRANSCRIPTION_MODEL",
}


def _number_text(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"must be a number, got {raw!r}") from None


def _positive(kind: type) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"must be a number, got {value!r}")
        if value <= 0:
            raise ValueError(f"must be more than 0, got {value}")
        if kind is int and value != int(value):
            raise ValueError(f"must be a whole number, got {value}")
        return kind(value)
    return check


def _model(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"must be a model name, got {value!r}")
    return value.strip()


_SPEC = {f.name: (_model if f.name == "transcription_model" else _positive(int if f.type == "int" else float))
         for f in fields(AttachmentLimits)}

__all__ = ["ENV_VARS", "AttachmentLimits"]
