"""chatcore's public surface, pinned (as httpx pins its own in tests/test_exported_members.py).

What the UI and other callers may rely on is each package's ``__all__``; anything else in a
package's namespace must be private (``_name``) or a submodule. Adding, renaming or removing a
public name fails here, so it is a decision made on purpose, with this list updated in the
same change. A rename that breaks ``ui/`` is caught here, not on a page at run time.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

EXPECTED: dict[str, list[str]] = {
    "chatcore.attachments": [
        "Attachment",
        "AttachmentKind",
        "AttachmentLimits",
        "AttachmentRefused",
        "clean_name",
        "data_url",
        "from_record",
        "megabytes",
        "prepare",
        "prepare_all",
        "summary",
        "thumbnail",
        "to_record",
        "transcribe",
        "user_content",
    ],
    "chatcore": [
        "ActiveTurn",
        "CancelToken",
        "ChatSession",
        "Chunk",
        "Conversation",
        "End",
        "Error",
        "Event",
        "GenerationSettings",
        "ModelListError",
        "OpenAICompatProvider",
        "ProviderConfig",
        "Reasoning",
        "Timeouts",
        "ToolCall",
        "ToolResult",
        "Turn",
        "Usage",
        "UserEntry",
        "event_from_dict",
        "make_provider",
        "run_turn",
        "start_turn",
    ],
    "chatcore.tools": [
        "BUILT_IN",
        "CalculatorError",
        "Tool",
        "ToolArgumentsError",
        "ToolContext",
        "ToolError",
        "ToolRegistry",
        "calculator",
        "convert_units",
        "current_time",
        "days_between",
        "default_registry",
        "evaluate",
        "run_tool_calls",
        "slow_task",
    ],
    "chatcore.store": [
        "AnswerFigures",
        "ChatStore",
        "ConversationNotFound",
        "ConversationSummary",
        "DEFAULT_URL",
        "MIGRATIONS",
        "StoreError",
        "StoreOpener",
        "StoredUsage",
        "strip_secrets",
        "turn_from_record",
        "turn_to_record",
        "url_from_env",
    ],
    "chatcore.compare": [
        "AnswerFigures",
        "CompareRun",
        "CompareTarget",
        "Price",
        "TargetSummary",
        "run_csv",
        "run_json",
    ],
    "chatcore.probe": [
        "Capabilities",
        "Cell",
        "DoctorReport",
        "ProbeTarget",
        "ProfileCache",
        "run_doctor",
        "target_for",
    ],
    "chatcore.limits": [
        "Admission",
        "DailyFigure",
        "Guard",
        "LimitCounters",
        "LimitExceeded",
        "Limits",
        "LimitsConfigError",
        "Requester",
        "admin_emails",
        "client_address",
        "is_admin",
        "requester_for",
    ],
    "chatcore.providers": [
        "ModelListError",
        "OpenAICompatProvider",
        "abort_response",
        "make_provider",
    ],
    "chatcore.mock": [
        "ABORT_EXTENSION",
        "Delay",
        "Drop",
        "FAULTS",
        "FaultSpec",
        "MockChatTransport",
        "MockOptions",
        "MockServer",
        "RecordedRequest",
        "Reply",
        "SCENARIOS",
        "Scenario",
        "Send",
        "Stall",
        "mock_http_client",
        "parse_fault",
        "plan_reply",
    ],
}

PACKAGES = list(EXPECTED)


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_exactly_the_pinned_list(package):
    exported = importlib.import_module(package).__all__
    assert len(exported) == len(set(exported)), f"{package}.__all__ names something twice"
    added = sorted(set(exported) - set(EXPECTED[package]))
    removed = sorted(set(EXPECTED[package]) - set(exported))
    assert (added, removed) == ([], []), f"{package}'s public surface changed: update EXPECTED on purpose"


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_is_importable_and_defined_in_chatcore(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)  # `from package import name` works
        assert value is not None, f"{package}.{name} is None"
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__module__.startswith("chatcore."), f"{package}.{name} is {value.__module__}'s, not ours"
            assert value.__name__ == name, f"{package}.{name} is really {value.__name__}: an alias"


@pytest.mark.parametrize("package", PACKAGES)
def test_names_outside_all_are_private_or_submodules(package):
    module = importlib.import_module(package)
    leaked = []
    for name, value in vars(module).items():
        if name.startswith("_") or name in module.__all__:
            continue
        if isinstance(value, types.ModuleType) and value.__name__ == f"{package}.{name}":
            continue  # a submodule: reached as package.name on purpose
        leaked.append(name)
    assert leaked == [], f"{package} exposes {leaked} outside __all__: export them or import them privately"


def test_every_chatcore_module_imports_without_streamlit():
    """chatcore is the UI-free core: importing every module of it must not pull streamlit in."""
    modules = sorted(info.name for info in pkgutil.walk_packages([str(ROOT / "chatcore")], prefix="chatcore."))
    assert "chatcore.providers.openai_compat" in modules and "chatcore.store.store" in modules  # the walk found them
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"chatcore imported streamlit: {done.stdout.strip()[:300]}"
