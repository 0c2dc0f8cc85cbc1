"""Derive a tool's argument schema from its typed signature, using pydantic.

Writing JSON schemas by hand drifts from the code; here the signature is the single
source of truth. Parameters become fields of a generated pydantic model (which also
validates the model's arguments), and its JSON schema is tidied into the shape OpenAI
expects: ``{"type": "object", "properties": ..., "required": [...],
"additionalProperties": false}``, without pydantic's ``title`` noise.
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.fields import FieldInfo

from chatcore.tools.context import ToolContext
from chatcore.tools.docstrings import parse_docstring
from chatcore.tools.errors import ToolArgumentsError

_MODEL_CONFIG = ConfigDict(extra="forbid", coerce_numbers_to_str=True, populate_by_name=False)
# Keys whose values are plain data, not sub-schemas: never strip a "title" inside them.
_DATA_KEYS = {"default", "const", "enum", "examples"}
# Keys whose values map names to sub-schemas (a property may itself be called "title").
_MAPPING_KEYS = {"properties", "$defs", "definitions", "patternProperties"}


@dataclass(frozen=True)
class ArgumentsSpec:
    """Everything derived from one signature."""

    description: str
    parameters: dict[str, Any]  # the JSON schema the model sees
    model: type[BaseModel]  # validates arguments; field i is stored as ``p{i}``
    names: tuple[str, ...]  # schema parameter names, in field order
    context_params: tuple[str, ...]  # parameters that receive the ToolContext


def derive_arguments(fn: Callable[..., Any], tool_name: str) -> ArgumentsSpec:
    """Build the validator model and clean JSON schema for ``fn``'s parameters."""
    doc = parse_docstring(fn)
    hints = _type_hints(fn)
    fields: dict[str, Any] = {}
    names: list[str] = []
    context_params: list[str] = []
    for param in inspect.signature(fn).parameters.values():
        annotation = hints.get(param.name, param.annotation)
        if _is_context(annotation):
            context_params.append(param.name)
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
            raise TypeError(f"tool {tool_name!r}: parameter {param.name!r} must be a plain keyword-able parameter")
        if annotation is inspect.Parameter.empty:
            annotation = Any
        default = ... if param.default is inspect.Parameter.empty else param.default
        extra: dict[str, Any] = {} if _has_description(annotation) else {"description": doc.params.get(param.name)}
        fields[f"p{len(names)}"] = (annotation, Field(default, alias=param.name, **extra))
        names.append(param.name)
    try:
        model = create_model(
            f"{tool_name}_arguments",
            __config__=_MODEL_CONFIG,
            __module__=getattr(fn, "__module__", None) or __name__,  # resolves string annotations
            **fields,
        )
        schema = model.model_json_schema(by_alias=True)
    except Exception as exc:  # an annotation pydantic cannot handle: fail at registration
        raise TypeError(f"tool {tool_name!r}: cannot derive a JSON schema from its signature: {exc}") from exc
    return ArgumentsSpec(
        description=doc.summary,
        parameters=_openai_shape(schema),
        model=model,
        names=tuple(names),
        context_params=tuple(context_params),
    )


def validate_arguments(spec: ArgumentsSpec, tool_name: str, arguments: Any) -> dict[str, Any]:
    """Validate (pydantic lax mode) and return ``{parameter: value}`` including defaults."""
    if not isinstance(arguments, dict):
        raise ToolArgumentsError(f"Invalid arguments for {tool_name}: expected a JSON object, got {_kind(arguments)}")
    try:
        validated = spec.model.model_validate(arguments)
    except ValidationError as exc:
        raise ToolArgumentsError(describe_validation_error(tool_name, exc, spec.names)) from None
    return {name: getattr(validated, f"p{i}") for i, name in enumerate(spec.names)}


def describe_validation_error(tool_name: str, exc: ValidationError, expected: tuple[str, ...]) -> str:
    """One line a user understands: "Invalid arguments for calc: 'x' is required"."""
    parts: list[str] = []
    unknown = False
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err.get("loc", ())) or "arguments"
        kind = err.get("type")
        if kind == "missing":
            parts.append(f"'{where}' is required")
        elif kind == "extra_forbidden":
            unknown = True
            parts.append(f"unknown parameter '{where}'")
        else:
            got = repr(err.get("input"))
            got = got if len(got) <= 60 else got[:57] + "..."
            parts.append(f"'{where}': {err.get('msg', 'invalid value')} (got {got})")
    if unknown:
        parts.append(f"expected parameters: {', '.join(expected) or '(none)'}")
    return f"Invalid arguments for {tool_name}: " + "; ".join(parts)


def _type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    target = fn if inspect.isfunction(fn) or inspect.ismethod(fn) else getattr(fn, "__call__", fn)  # noqa: B004 - the hints live on __call__
    try:
        return typing.get_type_hints(target, include_extras=True)
    except Exception:  # unresolvable forward references: fall back to raw annotations
        return {}


def _is_context(annotation: Any) -> bool:
    """``ToolContext``, ``Annotated[ToolContext, ...]`` or ``ToolContext | None``."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return len(members) == 1 and _is_context(members[0])
    return isinstance(annotation, type) and issubclass(annotation, ToolContext)


def _has_description(annotation: Any) -> bool:
    if typing.get_origin(annotation) is not typing.Annotated:
        return False
    return any(isinstance(m, FieldInfo) and m.description for m in typing.get_args(annotation)[1:])


def _openai_shape(schema: dict[str, Any]) -> dict[str, Any]:
    clean = _strip_titles(schema)
    shaped: dict[str, Any] = {
        "type": "object",
        "properties": clean.get("properties", {}),
        "required": clean.get("required", []),
        "additionalProperties": False,
    }
    if "$defs" in clean:
        shaped["$defs"] = clean["$defs"]
    return shaped


def _strip_titles(node: Any) -> Any:
    if isinstance(node, list):
        return [_strip_titles(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key in _DATA_KEYS:
            out[key] = value
        elif key in _MAPPING_KEYS and isinstance(value, dict):
            out[key] = {name: _strip_titles(sub) for name, sub in value.items()}
        else:
            out[key] = _strip_titles(value)
    return out


def _kind(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


__all__ = ["ArgumentsSpec", "derive_arguments", "describe_validation_error", "validate_arguments"]
