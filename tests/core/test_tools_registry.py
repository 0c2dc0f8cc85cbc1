"""The registry derives what the model sees from typed, documented functions."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field

from chatcore.tools import Tool, ToolArgumentsError, ToolContext, ToolRegistry


def search_docs(query: str, limit: int = 5, context: ToolContext | None = None) -> list[str]:
    """Search the documentation for a phrase.

    Longer explanation that the model does not need.

    Args:
        query: What to look for.
        limit (int): How many hits to return,
            at most 50.
        context: Not shown to the model.

    Returns:
        Matching titles.
    """
    return [query] * limit


def test_schema_is_derived_from_signature_and_docstring():
    tool = Tool.from_function(search_docs)
    assert tool.name == "search_docs"
    assert tool.description == "Search the documentation for a phrase."
    assert tool.parameters == {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "What to look for."},
            "limit": {"type": "integer", "default": 5, "description": "How many hits to return, at most 50."},
        },
        "required": ["query"],
        "additionalProperties": False,
    }


def test_toolcontext_parameter_is_hidden_and_injected():
    seen = {}

    def probe(x: int, ctx: ToolContext) -> int:
        """Probe."""
        seen["ctx"] = ctx
        return x * 2

    tool = Tool.from_function(probe)
    assert list(tool.parameters["properties"]) == ["x"]
    context = ToolContext(call_id="c1")
    assert tool.invoke({"x": "21"}, context) == 42  # lax coercion "21" -> 21
    assert seen["ctx"] is context


class Address(BaseModel):
    street: str
    city: str = "Paris"


def test_no_title_noise_anywhere_but_a_property_called_title_survives():
    def post(title: str, to: Address, mode: Literal["fast", "slow"] = "fast", note: str | None = None) -> str:
        """Send a letter."""
        return title

    params = Tool.from_function(post).parameters
    assert "title" in params["properties"]
    assert "title" not in repr({k: v for k, v in params["properties"].items() if k != "title"})
    assert "title" not in repr(params.get("$defs", {}))
    assert params["properties"]["mode"]["enum"] == ["fast", "slow"]
    assert params["required"] == ["title", "to"]
    assert params["$defs"]["Address"]["required"] == ["street"]


def test_annotated_field_description_wins_over_docstring():
    def f(n: Annotated[int, Field(ge=1, description="From Field.")]) -> int:
        """Do f.

        Args:
            n: From docstring.
        """
        return n

    prop = Tool.from_function(f).parameters["properties"]["n"]
    assert prop["description"] == "From Field."
    assert prop["minimum"] == 1


def test_function_without_docstring_or_parameters():
    def ping():
        return "pong"

    tool = Tool.from_function(ping)
    assert tool.description == ""
    assert tool.parameters == {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
    assert tool.invoke({}, ToolContext()) == "pong"


def test_validation_errors_read_like_sentences():
    tool = Tool.from_function(search_docs)
    with pytest.raises(ToolArgumentsError, match=r"^Invalid arguments for search_docs: 'query' is required$"):
        tool.validate({})
    with pytest.raises(ToolArgumentsError) as exc:
        tool.validate({"query": "x", "colour": "red"})
    assert "unknown parameter 'colour'" in str(exc.value)
    assert "expected parameters: query, limit" in str(exc.value)
    with pytest.raises(ToolArgumentsError, match=r"'limit': Input should be a valid integer.*\(got 'many'\)"):
        tool.validate({"query": "x", "limit": "many"})
    with pytest.raises(ToolArgumentsError, match="expected a JSON object, got an array"):
        tool.validate([1, 2])  # type: ignore[arg-type]


def test_validate_fills_defaults_and_coerces_like_pydantic_lax_mode():
    tool = Tool.from_function(search_docs)
    assert tool.validate({"query": 12, "limit": "3"}) == {"query": "12", "limit": 3}
    assert tool.validate({"query": "q"}) == {"query": "q", "limit": 5}


def test_parameter_names_that_clash_with_pydantic_internals_still_work():
    def odd(model_config: str, json: int, schema: bool = False) -> dict:
        """Odd names."""
        return {"model_config": model_config, "json": json, "schema": schema}

    tool = Tool.from_function(odd)
    assert list(tool.parameters["properties"]) == ["model_config", "json", "schema"]
    assert tool.invoke({"model_config": "a", "json": "2"}, ToolContext()) == {"model_config": "a", "json": 2, "schema": False}


def test_registry_register_decorators_lookup_and_subset():
    registry = ToolRegistry()

    @registry.tool
    def alpha(a: int) -> int:
        """Alpha."""
        return a

    @registry.tool(timeout=2, name="beta_tool")
    def beta(b: str = "x") -> str:
        """Beta."""
        return b

    gamma = registry.register(lambda: 1, name="gamma")
    assert alpha(3) == 3 and beta() == "x"  # decorators return the function unchanged
    assert isinstance(gamma, Tool)
    assert registry.names() == ["alpha", "beta_tool", "gamma"]
    assert len(registry) == 3 and "alpha" in registry
    assert [t.name for t in registry] == registry.names()
    assert registry.get("beta_tool").timeout == 2
    assert registry.get("alpha").timeout is None
    assert registry.get("nope") is None
    small = registry.subset(["gamma", "alpha", "unknown"])
    assert small.names() == ["alpha", "gamma"]
    assert registry.names() == ["alpha", "beta_tool", "gamma"]  # the original is untouched


def test_openai_tools_shape():
    registry = ToolRegistry()
    registry.register(search_docs)
    registry.register(lambda: 1, name="other")
    tools = registry.openai_tools()
    assert [t["type"] for t in tools] == ["function", "function"]
    assert tools[0]["function"] == {
        "name": "search_docs",
        "description": "Search the documentation for a phrase.",
        "parameters": Tool.from_function(search_docs).parameters,
    }
    assert [t["function"]["name"] for t in registry.openai_tools(["other"])] == ["other"]


def test_registration_mistakes_fail_early_and_clearly():
    registry = ToolRegistry()
    registry.register(search_docs)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(search_docs)
    with pytest.raises(ValueError, match="invalid tool name"):
        registry.register(search_docs, name="has space")
    with pytest.raises(ValueError, match="timeout"):
        registry.register(search_docs, name="t0", timeout=0)

    def star(*args: int) -> None:
        """Varargs."""

    with pytest.raises(TypeError, match="'args'"):
        registry.register(star)

    class Opaque:
        pass

    def opaque(thing: Opaque) -> None:
        """Unschemable."""

    with pytest.raises(TypeError, match="cannot derive a JSON schema"):
        registry.register(opaque)


def test_context_sleep_wakes_on_cancel_and_reports_it():
    context = ToolContext(call_id="c")
    assert context.sleep(0.01) is False and not context.cancelled
    context.cancel.cancel()
    assert context.cancelled
    assert context.sleep(10) is True  # returns at once
