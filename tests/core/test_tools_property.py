"""Whatever the model sends, the runner answers every call with exactly one result."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatcore.cancel import CancelToken
from chatcore.events import ToolCall
from chatcore.tools import ToolRegistry, default_registry, run_tool_calls

# The real built-in tools, with short timeouts so a long slow_task cannot slow the test.
REGISTRY = ToolRegistry(replace(tool, timeout=0.05) for tool in default_registry())
PARAMETERS = sorted({name for tool in REGISTRY for name in tool.parameters["properties"]})

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
argument_dicts = st.dictionaries(st.sampled_from(PARAMETERS) | st.text(max_size=12), json_values, max_size=4)
calculator_like = st.text(alphabet="0123456789+-*/%().^×÷ episqrtlog,_", max_size=60).map(lambda e: {"expression": e})
plausible = st.fixed_dictionaries({}, optional={name: st.text(max_size=20) | st.floats() | st.integers() for name in PARAMETERS})


@st.composite
def tool_calls(draw) -> ToolCall:
    name = draw(st.sampled_from(REGISTRY.names()) | st.text(max_size=15))
    if draw(st.booleans()):
        parsed = None
        arguments = draw(st.text(max_size=300))
    else:
        parsed = draw(argument_dicts | calculator_like | plausible)
        arguments = json.dumps(parsed)
    call_id = draw(st.text(min_size=1, max_size=10))
    return ToolCall(id=call_id, name=name, arguments=arguments, complete=True, parsed=parsed)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=st.lists(tool_calls(), max_size=5), pre_cancelled=st.booleans())
def test_runner_never_raises_and_answers_each_call_once(calls, pre_cancelled):
    cancel = CancelToken()
    if pre_cancelled:
        cancel.cancel()
    results = list(run_tool_calls(REGISTRY, calls, cancel, default_timeout=0.05))
    assert sorted(r.id for r in results) == sorted(c.id for c in calls)
    assert len(results) == len(calls)
    for result in results:
        assert (result.result is None) or result.error is None
        json.dumps(result.to_dict(), allow_nan=False)  # always JSON, never NaN
        if result.error is not None:
            assert isinstance(result.error, str) and result.error
    assert not cancel._closers
