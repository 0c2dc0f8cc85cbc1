"""Your own tools as plain Python: every public, typed, documented function in ``tools/*.py``
(and in the modules named in ``CHAT_TOOL_MODULES``) becomes a tool.

Nothing is discovered by magic a reader cannot grep: a module's ``__all__`` when it has
one, otherwise its own functions whose names do not start with ``_``. Each file is
re-imported when its modification time or size changes, so an edit applies on the next
prompt. Whatever goes wrong (an import that fails, a signature pydantic cannot turn into
a schema, a function without a docstring or type hints) becomes a ``ToolProblem`` naming
the file and line; the other tools keep working.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import threading
import traceback
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from chatcore.tools.registry import Tool

APP_ROOT = Path(__file__).resolve().parents[2]
_MODULE_PREFIX = "chat_user_tools."  # files are imported under this name, never as a bare "tools"


@dataclass(frozen=True)
class ToolProblem:
    """Why something was not made a tool: ``where`` is ``path:line`` (or the module's name)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class SourceSnapshot:
    """What one source of tools offers right now. ``version`` changes whenever the rest does."""

    version: Any
    tools: tuple[Tool, ...] = ()
    problems: tuple[ToolProblem, ...] = ()


def display_path(path: Path) -> str:
    """A path as users wrote it: relative to the app's folder when inside it."""
    try:
        return str(path.resolve().relative_to(APP_ROOT))
    except ValueError:
        return str(path)


def tools_in_module(module: types.ModuleType, label: str) -> SourceSnapshot:
    """The tools a loaded module defines, and the problems with the ones it cannot."""
    exported = getattr(module, "__all__", None)
    tools: list[Tool] = []
    problems: list[ToolProblem] = []
    for name, value in list(vars(module).items()):
        if exported is not None:
            if name not in exported:
                continue
        elif name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
            continue
        line = _line_of(value)
        where = f"{label}:{line}" if line else label
        if not callable(value):
            problems.append(ToolProblem(where, f"{name!r} is listed in __all__ but is not a function"))
            continue
        missing = _missing_parts(value)
        if missing:
            problems.append(ToolProblem(where, f"{name}() is not a tool: {missing}. "
                                        "Add it, or name the function _{name} to keep it private."))
            continue
        try:
            tools.append(Tool.from_function(value, source=where))
        except (TypeError, ValueError) as exc:
            problems.append(ToolProblem(where, str(exc)))
    return SourceSnapshot(version=None, tools=tuple(tools), problems=tuple(problems))


def _line_of(fn: Any) -> int | None:
    code = getattr(fn, "__code__", None)
    return code.co_firstlineno if code is not None else None


def _missing_parts(fn: Callable[..., Any]) -> str:
    """What keeps a function from being a tool: its docstring or a parameter's type hint."""
    if not (inspect.getdoc(fn) or "").strip():
        return "it has no docstring (the model reads it to know when to call the tool)"
    untyped = [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.annotation is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if untyped:
        return f"parameter(s) {', '.join(untyped)} have no type hint (the schema is built from them)"
    return ""


def _import_problem(exc: BaseException, path: Path, label: str) -> ToolProblem:
    """Name the line in the user's file where the import failed."""
    line = None
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename).resolve() == path.resolve():
        line = exc.lineno
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if Path(frame.filename).resolve() == path.resolve():
                line = frame.lineno
    where = f"{label}:{line}" if line else label
    return ToolProblem(where, f"could not import it: {type(exc).__name__}: {exc}")


class ToolFiles:
    """The tool modules in a folder and named modules, each re-imported when it changes.

    Thread-safe (script runs of every visitor ask at once); holds no user data.
    """

    def __init__(self, folder: Path | None, module_names: Sequence[str] = ()) -> None:
        self.folder = folder
        self.module_names = tuple(n.strip() for n in module_names if n.strip())
        self._lock = threading.Lock()
        self._files: dict[Path, tuple[tuple[int, int], SourceSnapshot]] = {}
        self._modules: dict[str, tuple[tuple[int, int] | None, SourceSnapshot]] = {}
        self._loads = 0  # counts every (re)import

    def snapshot(self) -> SourceSnapshot:
        with self._lock:
            paths = self._paths()
            parts = [self._file(path) for path in paths]
            parts += [self._module(name) for name in self.module_names]
            # Which files, and how many (re)loads so far: changes whenever a tool may have.
            version = (tuple(paths), self._loads)
        tools = tuple(t for part in parts for t in part.tools)
        problems = tuple(p for part in parts for p in part.problems)
        return SourceSnapshot(version=version, tools=tools, problems=problems)

    def _paths(self) -> list[Path]:
        if self.folder is None or not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.glob("*.py") if not p.name.startswith("_"))

    def _file(self, path: Path) -> SourceSnapshot:
        try:
            stat = path.stat()
        except OSError:
            return SourceSnapshot(None)
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._files.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        self._loads += 1
        label = display_path(path)
        module_name = _MODULE_PREFIX + path.stem
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[module_name] = module  # pydantic resolves string annotations through it
        try:
            spec.loader.exec_module(module)  # type: ignore[union-attr]
            found = tools_in_module(module, label)
        except BaseException as exc:  # noqa: BLE001 - a user's module must not break the app
            if isinstance(exc, KeyboardInterrupt):
                raise
            found = SourceSnapshot(None, problems=(_import_problem(exc, path, label),))
        self._files[path] = (stamp, found)
        return found

    def _module(self, name: str) -> SourceSnapshot:
        module = sys.modules.get(name)
        path = Path(str(module.__file__)) if module is not None and getattr(module, "__file__", None) else None
        stamp = _stamp(path)
        cached = self._modules.get(name)
        if cached is not None and cached[0] == stamp and stamp is not None:
            return cached[1]
        self._loads += 1
        try:
            module = importlib.reload(module) if module is not None and cached is not None else importlib.import_module(name)
            path = Path(str(module.__file__)) if getattr(module, "__file__", None) else None
            label = display_path(path) if path else name
            found = tools_in_module(module, label)
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, KeyboardInterrupt):
                raise
            found = SourceSnapshot(None, problems=(
                _import_problem(exc, path, display_path(path)) if path else
                ToolProblem(f"CHAT_TOOL_MODULES: {name}", f"could not import it: {type(exc).__name__}: {exc}"),))
        self._modules[name] = (_stamp(path), found)
        return found


def _stamp(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


__all__ = ["SourceSnapshot", "ToolFiles", "ToolProblem", "display_path", "tools_in_module"]
