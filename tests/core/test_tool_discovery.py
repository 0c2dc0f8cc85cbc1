"""Your own tools from plain Python files: discovery, broken modules, edits, async and progress."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from chatcore.cancel import CancelToken
from chatcore.events import ToolCall, ToolProgress, ToolResult
from chatcore.tools import default_registry, run_tool_calls
from chatcore.tools.catalog import StaticTools, ToolCatalog
from chatcore.tools.discovery import ToolFiles

GOOD = '''
import asyncio
from chatcore.tools import ToolContext, ToolError

def shout(text: str, times: int = 1) -> str:
    """Repeat a text in capitals.

    Args:
        text: What to shout.
        times: How many times.
    """
    if times < 1:
        raise ToolError("times must be at least 1")
    return " ".join([text.upper()] * times)

async def wait_then_echo(text: str, seconds: float = 0.0) -> dict:
    """Wait, then echo (an async tool).

    Args:
        text: What to echo.
        seconds: How long to wait first.
    """
    await asyncio.sleep(seconds)
    return {"echo": text}

def count_up(to: int):
    """Count, reporting progress as it goes (a generator tool).

    Args:
        to: Where to stop.
    """
    for i in range(to):
        yield f"at {i}", i, to
    return {"counted": to}

def report_by_context(steps: int, context: ToolContext) -> str:
    """Report progress through the context.

    Args:
        steps: How many steps.
    """
    for i in range(steps):
        context.progress(f"step {i + 1}", done=i + 1, total=steps)
    return "ok"

def _helper(x):
    return x
'''


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


def call(registry, name, args, *, cancel=None, timeout=15.0):
    c = ToolCall(id=f"call_{name}", name=name, arguments="", complete=True, parsed=args)
    return list(run_tool_calls(registry, [c], cancel or CancelToken(), default_timeout=timeout))


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "tools"
    path.mkdir()
    return path


def test_public_typed_documented_functions_become_tools_with_their_source(folder):
    write(folder, "mine.py", GOOD)
    snap = ToolFiles(folder).snapshot()
    assert snap.problems == ()
    tools = {t.name: t for t in snap.tools}
    assert set(tools) == {"shout", "wait_then_echo", "count_up", "report_by_context"}  # not _helper, not imports
    shout = tools["shout"]
    assert shout.description == "Repeat a text in capitals."
    assert shout.parameters["properties"]["text"]["description"] == "What to shout."
    assert shout.parameters["required"] == ["text"]
    assert "context" not in tools["report_by_context"].parameters["properties"]
    assert shout.source.endswith("mine.py:5")


def test_tools_run_like_built_ins_sync_async_and_tool_error(folder):
    write(folder, "mine.py", GOOD)
    registry = ToolCatalog([ToolFiles(folder)]).view().registry
    [ok] = call(registry, "shout", {"text": "hi", "times": 2})
    assert ok.result == "HI HI"
    [err] = call(registry, "shout", {"text": "hi", "times": 0})
    assert err.error == "times must be at least 1"  # a ToolError reads as its message alone
    [bad] = call(registry, "shout", {"times": 2})
    assert "'text' is required" in bad.error
    [echo] = call(registry, "wait_then_echo", {"text": "async works"})
    assert echo.result == {"echo": "async works"}


def test_an_async_tool_is_cancelled_by_stop_and_by_its_timeout(folder):
    write(folder, "mine.py", GOOD)
    registry = ToolFiles(folder).snapshot().tools
    from chatcore.tools import ToolRegistry

    reg = ToolRegistry(registry)
    [late] = call(reg, "wait_then_echo", {"text": "x", "seconds": 30}, timeout=0.3)
    assert late.error == "Timed out after 0.3 s"
    cancel = CancelToken()
    import threading

    threading.Timer(0.2, cancel.cancel).start()
    [stopped] = call(reg, "wait_then_echo", {"text": "x", "seconds": 30}, cancel=cancel)
    assert stopped.error == "Cancelled" and stopped.duration < 10


def test_generator_and_context_progress_arrive_before_the_result(folder):
    write(folder, "mine.py", GOOD)
    registry = ToolCatalog([ToolFiles(folder)]).view().registry
    events = call(registry, "count_up", {"to": 3})
    progress = [e for e in events if isinstance(e, ToolProgress)]
    [result] = [e for e in events if isinstance(e, ToolResult)]
    assert events[-1] is result and result.result == {"counted": 3}
    assert progress and progress[0].message == "at 0" and progress[0].total == 3 and progress[0].id == "call_count_up"
    assert progress[0].to_dict() == {"type": "tool_progress", "id": "call_count_up", "name": "count_up",
                                     "message": "at 0", "done": 0.0, "total": 3.0}
    events = call(registry, "report_by_context", {"steps": 4})
    last = [e for e in events if isinstance(e, ToolProgress)][-1]
    assert last.message == "step 4" and last.done == last.total == 4  # the final step is never dropped


def test_a_module_that_fails_to_import_is_named_with_its_line_and_the_rest_still_load(folder):
    write(folder, "good.py", GOOD)
    write(folder, "broken.py", "import os\n\nraise RuntimeError('no API key here')\n")
    write(folder, "syntax.py", "def f(:\n    pass\n")
    snap = ToolFiles(folder).snapshot()
    assert "shout" in {t.name for t in snap.tools}
    problems = {p.where.split("/")[-1]: p.message for p in snap.problems}
    assert "broken.py:3" in problems and "RuntimeError: no API key here" in problems["broken.py:3"]
    assert "syntax.py:1" in problems and "SyntaxError" in problems["syntax.py:1"]


def test_a_signature_that_cannot_become_a_schema_or_lacks_hints_or_docstring_is_named(folder):
    write(folder, "odd.py", '''
        class Opaque:
            pass

        def takes_opaque(thing: Opaque) -> str:
            """Needs an object pydantic cannot describe."""
            return "x"

        def untyped(x) -> str:
            """No hint."""
            return x

        def undocumented(x: int) -> int:
            return x

        def fine(x: int) -> int:
            """Fine.

            Args:
                x: A number.
            """
            return x
        ''')
    snap = ToolFiles(folder).snapshot()
    assert [t.name for t in snap.tools] == ["fine"]
    text = "\n".join(str(p) for p in snap.problems)
    assert "odd.py:5: tool 'takes_opaque': cannot derive a JSON schema" in text
    assert "odd.py:9: untyped() is not a tool: parameter(s) x have no type hint" in text
    assert "odd.py:13: undocumented() is not a tool: it has no docstring" in text


def test_an_edit_is_picked_up_on_the_next_look_without_a_restart(folder):
    path = write(folder, "mine.py", 'def one() -> int:\n    """One."""\n    return 1\n')
    catalog = ToolCatalog([ToolFiles(folder)])
    first = catalog.view().registry
    assert first.names() == ["one"] and call(first, "one", {})[0].result == 1
    assert catalog.view().registry is first  # nothing changed: not rebuilt
    path.write_text('def one() -> int:\n    """One, now two."""\n    return 2\n\n'
                    'def three() -> int:\n    """Three."""\n    return 3\n')
    second = catalog.view().registry
    assert second.names() == ["one", "three"]
    assert call(second, "one", {})[0].result == 2
    path.unlink()
    assert catalog.view().registry.names() == []


def test_a_name_clash_with_a_built_in_is_named_and_the_built_in_keeps_working(folder):
    write(folder, "clash.py", 'def calculator(expression: str) -> str:\n    """Not the real one."""\n    return "fake"\n')
    view = ToolCatalog([StaticTools(default_registry()), ToolFiles(folder)]).view()
    assert view.registry.get("calculator").source == "built-in"
    [problem] = view.problems
    assert problem.where.endswith("clash.py:1") and "already exists (built-in)" in problem.message
    assert call(view.registry, "calculator", {"expression": "2+2"})[0].result["result"] == 4


def test_modules_named_in_chat_tool_modules_are_loaded_too(tmp_path, monkeypatch):
    package = tmp_path / "mypkg_tools_test"
    package.mkdir()
    (package / "__init__.py").write_text('def ping() -> str:\n    """Ping."""\n    return "pong"\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    snap = ToolFiles(None, ["mypkg_tools_test", "no_such_module_xyz"]).snapshot()
    assert [t.name for t in snap.tools] == ["ping"]
    [problem] = snap.problems
    assert "no_such_module_xyz" in str(problem) and "ModuleNotFoundError" in problem.message


def test_the_shipped_example_searches_the_docs_offline_with_progress():
    from chatcore.tools.discovery import APP_ROOT

    snap = ToolFiles(APP_ROOT / "tools").snapshot()
    assert snap.problems == ()
    registry = ToolCatalog([ToolFiles(APP_ROOT / "tools")]).view().registry
    events = call(registry, "search_docs", {"query": "Stop"})
    [result] = [e for e in events if isinstance(e, ToolResult)]
    assert result.error is None and result.result["hits"] and "README.md" in {h["file"] for h in result.result["hits"]}
    assert any(isinstance(e, ToolProgress) and "README.md" in e.message for e in events)


def test_a_progress_event_round_trips_through_its_json_shape():
    from chatcore.events import event_from_dict

    event = ToolProgress("call_1", "search_docs", "Searching README.md", 1.0, 3.0)
    assert event.to_sse() == ('data: {"type":"tool_progress","id":"call_1","name":"search_docs",'
                              '"message":"Searching README.md","done":1.0,"total":3.0}\n\n')
    assert event_from_dict(event.to_dict()) == event
