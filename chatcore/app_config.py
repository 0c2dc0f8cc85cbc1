"""The app's words and defaults, read from one TOML file (``chat.toml``, or ``CHAT_CONFIG``).

Read into one frozen ``AppConfig``. A broken file never stops the app: bad TOML falls back
to the defaults as a whole; an unknown key or a value of the wrong type is skipped (the
rest of the file still applies). Either way ``problems`` says what and where, e.g.
``chat.toml line 7: [defaults] temperature must be a number, got "hot"``, for the pages
to show. Reading is cached on the file's modification time, so an edit applies on the
next script run without a restart.
"""

from __future__ import annotations

import os
import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from .attachments.limits import AttachmentLimits
from .limits.config import limit_names
from .mock.starters import STARTER_PROMPTS
from .settings import DEFAULT_SYSTEM_PROMPT

APP_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = APP_ROOT / "chat.toml"
DEFAULT_WELCOME = "Ask anything, or start with one of these:"
PROVIDERS = ("auto", "mock", "openai")


@dataclass(frozen=True)
class Preset:
    """A named bundle the sidebar applies at once. ``None`` leaves that setting as it is."""

    name: str
    system_prompt: str | None = None
    model: str | None = None
    temperature: float | None = None
    tools: tuple[str, ...] | None = None


@dataclass(frozen=True)
class AppConfig:
    title: str = "Streaming Chat"
    icon: str = ":material/forum:"
    welcome: str = DEFAULT_WELCOME
    starter_prompts: tuple[str, ...] = STARTER_PROMPTS
    provider: str = "auto"  # "auto": the real provider when a key or base URL is configured
    model: str = ""  # "" : OPENAI_MODEL or the provider's default
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    builtin_tools: tuple[str, ...] | None = None  # built-in tools ticked at start; None: all
    presets: tuple[Preset, ...] = ()
    limits: tuple[tuple[str, Any], ...] = ()  # [limits]: a public demo's limits (chatcore/limits), by name
    attachments: AttachmentLimits = AttachmentLimits()  # [attachments] and CHAT_ATTACH_* (chatcore/attachments/limits)
    source: str = ""  # the file read ("" when there was none)
    problems: tuple[str, ...] = field(default=(), compare=False)

    def preset(self, name: str) -> Preset | None:
        return next((p for p in self.presets if p.name == name), None)


# ------------------------------------------------------------------ validation
def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"must be a string, got {_shown(value)}")
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"must be a list of strings, got {_shown(value)}")
    return tuple(value)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"must be a number, got {_shown(value)}")
    if not 0 <= value <= 2:
        raise TypeError(f"must be between 0 and 2, got {value}")
    return float(value)


def _provider(value: Any) -> str:
    if value not in PROVIDERS:
        raise TypeError(f"must be one of {', '.join(map(repr, PROVIDERS))}, got {_shown(value)}")
    return str(value)


def _shown(value: Any) -> str:
    text = f'"{value}"' if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# key -> (field name, validator), per table ("" is the top level)
_TOP: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "title": ("title", _string),
    "icon": ("icon", _string),
    "welcome": ("welcome", _string),
    "starter_prompts": ("starter_prompts", _strings),
}
_DEFAULTS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "provider": ("provider", _provider),
    "model": ("model", _string),
    "system_prompt": ("system_prompt", _string),
    "builtin_tools": ("builtin_tools", _strings),
}
_PRESET: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "system_prompt": ("system_prompt", _string),
    "model": ("model", _string),
    "temperature": ("temperature", _number),
    "tools": ("tools", _strings),
}


class _Reader:
    """Collects valid values and one problem per bad key, with the key's line."""

    def __init__(self, label: str, text: str) -> None:
        self.label = label
        self.lines = text.splitlines()
        self.problems: list[str] = []

    def problem(self, table: str, key: str, message: str) -> None:
        line = _line_of(self.lines, table, key)
        where = f"{self.label} line {line}" if line else self.label
        name = f"[{table}] {key}" if table else key
        self.problems.append(f"{where}: {name} {message}")

    def table(self, table: str, data: Any, spec: Mapping[str, tuple[str, Callable[[Any], Any]]]) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.problem("", table, f"must be a table, got {_shown(data)}")
            return {}
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key not in spec:
                self.problem(table, key, f"is not a known key (known: {', '.join(spec)})")
                continue
            name, check = spec[key]
            try:
                out[name] = check(value)
            except TypeError as exc:
                self.problem(table, key, str(exc))
        return out


def _line_of(lines: list[str], table: str, key: str) -> int | None:
    """The 1-based line where ``key`` is set inside ``[table]`` (a best effort for messages)."""
    current = ""
    key_re = re.compile(r'^\s*"?' + re.escape(key) + r'"?\s*=')
    header_re = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
    for number, line in enumerate(lines, 1):
        header = header_re.match(line)
        if header:
            current = header.group(1).replace('"', "").replace("'", "").strip()
            if not table and current == key:  # a top-level key that is (wrongly) a table
                return number
            continue
        if current == table and key_re.match(line):
            return number
    return None


def parse_app_config(text: str, label: str = "chat.toml") -> AppConfig:
    """``AppConfig`` from TOML text; problems are recorded, never raised."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # its message names the line and column
        return AppConfig(source=label, problems=(f"{label}: not valid TOML ({exc}); using the defaults.",))
    reader = _Reader(label, text)
    top_level = {k: v for k, v in data.items() if k not in ("defaults", "presets", "limits", "attachments")}
    values = reader.table("", top_level, _TOP)
    if "defaults" in data:
        values.update(reader.table("defaults", data["defaults"], _DEFAULTS))
    presets: list[Preset] = []
    raw_presets = data.get("presets", {})
    if not isinstance(raw_presets, dict):
        reader.problem("", "presets", f"must be a table of tables, got {_shown(raw_presets)}")
        raw_presets = {}
    for name, body in raw_presets.items():
        presets.append(Preset(name=name, **reader.table(f"presets.{name}", body, _PRESET)))
    limits = _limits_table(reader, data.get("limits", {}))
    attachments = _attachments_table(reader, data.get("attachments", {}))
    return AppConfig(**values, presets=tuple(presets), limits=limits, attachments=attachments, source=label,
                     problems=tuple(reader.problems))


def _attachments_table(reader: _Reader, raw: Any) -> AttachmentLimits:
    """``[attachments]``: size limits and the transcription model; the CHAT_ATTACH_* variables win."""
    if not isinstance(raw, dict):
        reader.problem("", "attachments", f"must be a table, got {_shown(raw)}")
        raw = {}
    limits, problems = AttachmentLimits.from_sources(raw)
    for problem in problems:  # "[attachments] key ..." or "VARIABLE ..."
        key = problem.split(" ", 2)[1] if problem.startswith("[attachments]") else ""
        line = _line_of(reader.lines, "attachments", key) if key else None
        where = f"{reader.label} line {line}" if line else (reader.label if key else "environment")
        reader.problems.append(f"{where}: {problem}")
    return limits


def _limits_table(reader: _Reader, raw: Any) -> tuple[tuple[str, Any], ...]:
    """``[limits]``: names checked here, values by ``Limits.from_sources`` (which says which is wrong)."""
    if not isinstance(raw, dict):
        reader.problem("", "limits", f"must be a table, got {_shown(raw)}")
        return ()
    known = limit_names()
    kept = []
    for key, value in raw.items():
        if key in known:
            kept.append((key, value))
        else:
            reader.problem("limits", key, f"is not a limit (one of {', '.join(known)})")
    return tuple(kept)


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    configured = env.get("CHAT_CONFIG")
    return Path(configured).expanduser() if configured else DEFAULT_PATH


_cache_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int], AppConfig]] = {}  # path -> (mtime, size), config: no user data


def load_app_config(path: Path | None = None) -> AppConfig:
    """The config at ``path`` (default: ``CHAT_CONFIG`` or ``chat.toml``), re-read when it changes."""
    path = path or config_path()
    label = path.name if path.parent == APP_ROOT else str(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        if path == DEFAULT_PATH:
            return AppConfig()  # no chat.toml: the defaults, silently
        return AppConfig(problems=(f"{label}: file not found (CHAT_CONFIG); using the defaults.",))
    except OSError as exc:
        return AppConfig(problems=(f"{label}: cannot be read ({exc}); using the defaults.",))
    version = (stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == version:
            return cached[1]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return AppConfig(problems=(f"{label}: cannot be read ({exc}); using the defaults.",))
    config = parse_app_config(text, label)
    with _cache_lock:
        _cache[path] = (version, config)
    return config


__all__ = ["AppConfig", "Preset", "config_path", "load_app_config", "parse_app_config"]
