"""The scenario catalogue and ``plan_reply``: request JSON in, planned reply out.

This is the single source of truth for what the mock model does. Both the in-process
transport and the HTTP server call ``plan_reply`` and only play the result, so a
scenario or fault behaves identically however the client reaches the mock.

Choosing a scenario, first match wins: the header ``X-Mock-Scenario``, the model name
``mock-<scenario>`` (``mock-reasoner`` = ``reasoning``), ``MockOptions.scenario``,
then keywords in the last user message; ``markdown`` otherwise. Faults (see
``faults``) are chosen independently and can be combined with any scenario. Server
profiles (``profiles``: ``mock-no-usage``, ``mock-no-tools``, …) imitate servers that lack a
capability; they shape how a request is treated, whatever the scenario.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from . import text_scenarios as text
from . import tool_scenarios as tools
from .continuation import continue_turn, is_continue_request
from .conversation import Conversation, read_conversation
from .faults import apply_to_body, apply_to_stream, error_body, error_reply, fault_turn, find_fault
from .options import MockOptions, header_value, options_for_request
from .profiles import adapt_request, profile_for_model, refusal, rename_reasoning, shape_turn
from .prompt_parsing import CITY_TIMEZONES, find_expression
from .reply import Reply
from .seeing import sees
from .starters import STARTER_PROMPTS
from .tokens import token_pieces
from .turn import Turn
from .wire import Frame, completion_body, content_pieces, pace, stream_frames

Respond = Callable[[Conversation, Mapping[str, str]], Turn]


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    example_prompt: str
    keywords: tuple[str, ...]  # case-insensitive words or phrases that select it in "auto"
    respond: Respond = field(repr=False, compare=False, default=lambda conv, headers: Turn())
    tools: tuple[str, ...] = ()  # the tools whose results this scenario knows how to read
    also_matches: Callable[[str], bool] | None = field(repr=False, compare=False, default=None)
    max_words: int | None = None  # keywords only count in prompts this short (greetings)

    def matches(self, prompt: str) -> bool:
        if self.max_words is not None and len(prompt.split()) > self.max_words:
            return False
        if any(re.search(r"\b" + re.escape(k) + r"\b", prompt, re.I) for k in self.keywords):
            return True
        return bool(self.also_matches and self.also_matches(prompt))


def _greeting(conv: Conversation, headers: Mapping[str, str]) -> Turn:
    # The starter prompts first (the same list the app shows), then one example per other scenario.
    starters = [(scenario_for_prompt(p), SCENARIOS[scenario_for_prompt(p)].title, p) for p in STARTER_PROMPTS]
    shown = {name for name, _, _ in starters}
    others = [(s.name, s.title, s.example_prompt) for s in SCENARIOS.values() if s.name not in ("hello", "bench", "named_tool", *shown)]
    return text.hello(conv, starters + others)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("hello", "Greeting", "A short greeting explaining the mock, with example prompts.",
                 "hello", ("hello", "hi", "hey", "help"), _greeting, max_words=6),
        Scenario("markdown", "Markdown answer", "A ~1,500 character answer with headings, a list, code, a table "
                 "and math (the default).", "Explain how photosynthesis works", (),
                 lambda c, h: text.markdown(c)),
        Scenario("calculator", "Calculator tool", "One calculator call, then an answer from its result.",
                 "What is 23*17+4?", ("calculate", "compute"), lambda c, h: tools.calculator(c), ("calculator",),
                 also_matches=lambda p: find_expression(p) is not None),
        Scenario("parallel", "Parallel tool calls", "Three current_time calls at once, then a table.",
                 "What time is it in Tokyo, London and New York?", ("time in", "times"),
                 lambda c, h: tools.parallel_times(c), ("current_time",), also_matches=lambda p: _asks_time_in_a_city(p)),
        Scenario("multistep", "Multi-step tools", "current_time, then days_between, then the answer.",
                 "How many days until Christmas?", ("days until", "how many days"),
                 lambda c, h: tools.multistep_days(c), ("current_time", "days_between")),
        Scenario("convert", "Unit conversion", "One convert_units call parsed from the prompt.",
                 "Convert 10 km to miles", ("convert",), lambda c, h: tools.convert(c), ("convert_units",)),
        Scenario("slow", "Slow tool", "One slow_task call of 3 seconds (try Stop while it runs).",
                 "Run the slow tool", ("slow tool",), lambda c, h: tools.slow_task(c), ("slow_task",)),
        Scenario("named_tool", "Any tool by name", "Calls the offered tool the prompt names (yours, an MCP "
                 "server's), with its key=value arguments, then reports what it returned.",
                 "Call search_docs with query=Stop", (), lambda c, h: tools.call_named_tool(c)),
        Scenario("reasoning", "Reasoning", "Streams reasoning_content first, then the answer.",
                 "Think step by step: why is the sky blue?", ("think", "reason", "reasoning"),
                 lambda c, h: text.reasoning(c)),
        Scenario("long", "Long answer", "About 20,000 characters of markdown, for rendering tests.",
                 "Write a long guide to databases", ("long",), lambda c, h: text.long(c)),
        Scenario("bench", "Benchmark", "Exactly X-Mock-Chars characters in X-Mock-Chunks chunks "
                 "(defaults 20000 / 4000).", "(select with X-Mock-Scenario: bench)", (),
                 lambda c, h: text.bench(c, h)),
    )
}

# Keyword priority: the more specific scenarios first.
_MATCH_ORDER = ("slow", "multistep", "convert", "calculator", "parallel", "reasoning", "long", "hello")
_MODEL_ALIASES = {"reasoner": "reasoning", "gpt": "auto"}
_FAULT_TAG = re.compile(r"\[fault:[^\]]*\]", re.I)


def scenario_for_prompt(prompt: str) -> str:
    """The scenario the keywords of ``prompt`` select ("markdown" when none do)."""
    prompt = _FAULT_TAG.sub("", prompt).strip()
    return next((name for name in _MATCH_ORDER if SCENARIOS[name].matches(prompt)), "markdown")


def _asks_time_in_a_city(prompt: str) -> bool:
    lowered = prompt.lower()
    return bool(re.search(r"\btime\b", lowered)) and any(
        re.search(r"\b" + re.escape(city) + r"\b", lowered) for city in CITY_TIMEZONES if city != "utc")


def choose_scenario(conv: Conversation, headers: Mapping[str, str], options: MockOptions) -> str:
    """Header, then model name, then options, then the prompt's keywords."""
    candidates = [header_value(headers, "X-Mock-Scenario") or ""]
    model = conv.model.lower()
    if model.startswith("mock-") and not model.startswith("mock-fault-"):
        suffix = model[len("mock-") :]
        candidates.append(_MODEL_ALIASES.get(suffix, suffix))
    candidates.append(options.scenario)
    for candidate in candidates:
        name = candidate.strip().lower()
        if name in SCENARIOS:
            return name
    by_keywords = scenario_for_prompt(conv.prompt)
    named = tools.named_tool(conv)
    # "call <an offered tool> …" wins over keywords, unless it names the very tool the keyword
    # scenario calls and gives no key=value arguments: "What is 17 * 23? Use the calculator."
    # is the calculator scenario, which finds its expression in the words.
    if named is not None and (named not in SCENARIOS[by_keywords].tools or tools.named_arguments(conv.prompt)):
        return "named_tool"
    return by_keywords


def _bad_request(message: str, code: str | None = None) -> Reply:
    return Reply(400, body=error_body(message, "invalid_request_error", code))


def plan_reply(body: dict[str, Any], headers: Mapping[str, str], options: MockOptions) -> Reply:
    """Everything to send for one ``POST /v1/chat/completions``.

    Pure: the same request gives the same status, headers, words and timing; only ids
    (``chatcmpl-mock-…``, ``call_…``) and the ``created`` timestamp are fresh each time.
    """
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
        return _bad_request("'messages' must be a non-empty array.", "invalid_messages")
    options = options_for_request(options, headers)
    profile = profile_for_model(str(body.get("model") or ""))
    refused = refusal(profile, body)
    if refused is not None:
        return refused
    body = adapt_request(profile, body)
    conv = read_conversation(body)
    fault = find_fault(conv, headers, options)
    if fault is not None:
        refused = error_reply(fault, conv)
        if refused is not None:
            return refused
    asked = (header_value(headers, "X-Mock-Scenario") or "").strip().lower()
    if asked and asked not in SCENARIOS:
        return _bad_request(f"Unknown mock scenario {asked!r}. Known: {', '.join(SCENARIOS)}.", "unknown_scenario")
    scenario = SCENARIOS[choose_scenario(conv, headers, options)]

    def answer(request: Conversation, chosen: Scenario) -> Turn:
        return sees(request) or chosen.respond(request, headers)  # files in the prompt: what the mock sees in them

    def normal() -> Turn:
        if conv.results and any(o.name not in scenario.tools for o in conv.results):
            return tools.summarize_results(conv.results)
        if is_continue_request(conv):
            return continue_turn(conv, lambda earlier: answer(earlier, SCENARIOS[choose_scenario(earlier, headers, options)]))
        return answer(conv, scenario)

    turn = fault_turn(fault, conv, normal) if fault else normal()
    turn = shape_turn(profile, body, turn, bool(conv.results), conv.tools)
    labels: dict[str, Any] = {"scenario": scenario.name, "fault": str(fault) if fault else ""}
    if conv.stream:
        plan = stream_frames(turn, conv)
        rename_reasoning(profile, [f.payload for f in plan if isinstance(f, Frame) and f.payload])
        if fault:
            plan = apply_to_stream(fault, plan)
        return Reply(200, steps=pace(plan, options, turn.chunk_delay), stream=True, **labels)
    pieces = len(content_pieces(turn)) + len(token_pieces(turn.reasoning))
    gap = options.chunk_delay if turn.chunk_delay is None else turn.chunk_delay
    completion = completion_body(turn, conv)
    rename_reasoning(profile, [completion])
    reply = Reply(200, body=completion, delay=options.ttft + gap * pieces, **labels)
    return apply_to_body(fault, reply) if fault else reply


__all__ = ["SCENARIOS", "Scenario", "choose_scenario", "plan_reply", "scenario_for_prompt"]
