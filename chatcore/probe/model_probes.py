"""Probes of what the model can do once streaming works: tools, reasoning, images, JSON
mode, and how the server words a refusal. They are independent of each other, so the
doctor runs them at once."""

from __future__ import annotations

import json
from typing import Any

from .probes import CALCULATOR, CURRENT_TIME, TINY_PNG, Cell, Probe, Wire, refused, stream_evidence


def _calls_evidence(ex_calls: list[tuple[str, str]]) -> str:
    return "; ".join(f"{name}({arguments[:80]})" for name, arguments in ex_calls)


def tool_single(p: Probe, wire: Wire) -> Cell:
    check = "Tool call (single), valid JSON arguments"
    ex = p.send(wire.body(p.target.model, "Use the calculator tool to compute 23*17.", 60, tools=[CALCULATOR]))
    if refused(ex):
        return p.cell("tool_single", check, "gap", "tools refused", stream_evidence(ex), "Tools are off for this model.")
    if not ex.ok:
        return p.cell("tool_single", check, "failed", "no answer", stream_evidence(ex))
    calls = ex.calls
    if not calls:
        return p.cell("tool_single", check, "gap", "no tool call came", f"text instead: {ex.content[:160]!r}",
                      "Tools are off for this model.")
    evidence = _calls_evidence([(c.name, c.arguments) for c in calls])
    if any(c.parsed() is None for c in calls):
        return p.cell("tool_single", check, "gap", "arguments are not valid JSON", evidence,
                      "Each bad call is shown on its panel and the model is told.")
    return p.cell("tool_single", check, "ok", f"{calls[0].name} called, JSON valid", evidence)


def tool_parallel(p: Probe, wire: Wire) -> Cell:
    check = "Parallel tool calls"
    prompt = "What time is it in Tokyo and in London? Call current_time once per city, in parallel."
    ex = p.send(wire.body(p.target.model, prompt, 80, tools=[CURRENT_TIME]))
    if not ex.ok:
        return p.cell("tool_parallel", check, "gap" if refused(ex) else "failed", "no answer", stream_evidence(ex))
    calls = ex.calls
    evidence = _calls_evidence([(c.name, c.arguments) for c in calls]) or f"text instead: {ex.content[:160]!r}"
    valid = all(c.parsed() is not None for c in calls)
    if len(calls) >= 2 and valid:
        return p.cell("tool_parallel", check, "ok", f"{len(calls)} calls in one step", evidence)
    if len(calls) == 1:
        return p.cell("tool_parallel", check, "gap", "one call at a time", evidence,
                      "One tool call per step: multi-tool answers take more steps.")
    return p.cell("tool_parallel", check, "gap", "no parallel calls" if valid else "invalid JSON arguments", evidence)


def tool_required(p: Probe, wire: Wire) -> Cell:
    check = 'tool_choice="required"'
    ex = p.send(wire.body(p.target.model, "Say hi.", 40, tools=[CURRENT_TIME], tool_choice="required"))
    if refused(ex):
        return p.cell("tool_required", check, "gap", "refused", stream_evidence(ex), "The app never sends it.")
    if not ex.ok:
        return p.cell("tool_required", check, "failed", "no answer", stream_evidence(ex))
    if not ex.calls:
        return p.cell("tool_required", check, "gap", "ignored: answered in text", f"text: {ex.content[:160]!r}",
                      "The app never sends it.")
    return p.cell("tool_required", check, "ok", "a tool call was forced",
                  _calls_evidence([(c.name, c.arguments) for c in ex.calls]))


def reasoning(p: Probe, wire: Wire) -> tuple[Cell, str | None]:
    check = "Reasoning content (reasoning_content / reasoning)"
    ex = p.send(wire.body(p.target.model, "Think briefly, then answer in one word: is the sky blue?", 24))
    if not ex.ok:
        return p.cell("reasoning", check, "failed", "no answer", stream_evidence(ex)), None
    if ex.reasoning_fields:
        field = "reasoning_content" if "reasoning_content" in ex.reasoning_fields else sorted(ex.reasoning_fields)[0]
        return p.cell("reasoning", check, "ok", f"streams as `{field}`", f"{field}: {ex.reasoning[:120]!r}",
                      "Shown in the reasoning panel (both names are read)."), field
    if "<think>" in ex.content:
        return p.cell("reasoning", check, "note", "inside the text as <think>…", f"content: {ex.content[:120]!r}",
                      "Shown as part of the answer's text."), None
    return p.cell("reasoning", check, "note", "none seen (not a reasoning model?)", f"content: {ex.content[:120]!r}"), None


def images(p: Probe, wire: Wire) -> Cell:
    check = "Images accepted (a 1x1 PNG data URL)"
    parts: list[dict[str, Any]] = [{"type": "text", "text": "What colour is this image? One word."},
             {"type": "image_url", "image_url": {"url": TINY_PNG}}]
    ex = p.send(wire.body(p.target.model, parts, 5))
    if ex.ok:
        return p.cell("images", check, "ok", "accepted", f"answer: {ex.content[:80]!r}")
    if refused(ex) or ex.status in (413, 415):
        return p.cell("images", check, "gap", "refused", stream_evidence(ex), "The server refuses images.")
    return p.cell("images", check, "failed", "no answer", stream_evidence(ex))


def json_mode(p: Probe, wire: Wire) -> Cell:
    check = "JSON mode (response_format json_object)"
    body = wire.body(p.target.model, 'Reply with the JSON object {"ok": true} and nothing else.', 20,
                     response_format={"type": "json_object"})
    ex = p.send(body)
    if refused(ex):
        return p.cell("json_mode", check, "gap", "response_format refused", stream_evidence(ex),
                      "The server refuses response_format (JSON mode).")
    if not ex.ok:
        return p.cell("json_mode", check, "failed", "no answer", stream_evidence(ex))
    try:
        json.loads(ex.content)
    except ValueError:
        return p.cell("json_mode", check, "gap", "accepted, but the text is not JSON", f"content: {ex.content[:120]!r}",
                      "The server refuses response_format (JSON mode).")
    return p.cell("json_mode", check, "ok", "valid JSON", f"content: {ex.content[:120]!r}")


def error_format(p: Probe, wire: Wire) -> Cell:
    check = "Error format of a bad request"
    ex = p.send({"model": p.target.model, "messages": [], "stream": False})  # empty messages: no tokens spent
    evidence = f"{ex.status_text()} {ex.content_type.split(';')[0]}: {ex.body[:200]}"
    try:
        data = json.loads(ex.body)
    except ValueError:
        data = None
    if ex.status is not None and 400 <= ex.status < 500 and isinstance(data, dict) and isinstance(data.get("error"), dict):
        return p.cell("errors", check, "ok", f"OpenAI error JSON ({ex.status})", evidence)
    if ex.status == 200:
        return p.cell("errors", check, "note", "accepted an empty conversation", evidence)
    shape = "JSON {detail}" if isinstance(data, dict) and "detail" in data else "not OpenAI's JSON"
    return p.cell("errors", check, "note", f"{shape} ({ex.status_text()})", evidence,
                  "Shown in the server's own words.")
