"""Exports: readable Markdown, the exact next request, a curl line that never holds the key."""

from __future__ import annotations

import json
import shlex
import subprocess

from chatcore.conversation import Conversation
from chatcore.events import Chunk, End, ToolCall, ToolResult
from chatcore.export import next_turn_request, to_curl, to_markdown
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.tools import default_registry
from chatcore.turn import Turn


def sample() -> Conversation:
    conv = Conversation(title="Maths")
    conv.add_user("What is 2+2? ```tricky```")
    turn = Turn(model="m")
    for e in [
        Chunk("Let me check."),
        ToolCall(id="c1", name="calculator", arguments='{"expression":"2+2"}', complete=True, parsed={"expression": "2+2"}),
        ToolResult(id="c1", name="calculator", result={"result": 4}, duration=0.01),
        Chunk("It is 4."),
        End("stop"),
    ]:
        turn.apply(e)
    conv.add_turn(turn)
    stopped = Turn()
    stopped.apply(Chunk("Half"))
    stopped.finish("stopped", "cancelled")
    conv.add_user("And 3+3?")
    conv.add_turn(stopped)
    return conv


def test_markdown_export_reads_like_the_chat():
    md = to_markdown(sample())
    assert md.startswith("# Maths")
    assert "## You" in md and "What is 2+2? ```tricky```" in md
    assert "**Tool `calculator`** (complete)" in md and '"result": 4' in md
    assert md.index("Let me check.") < md.index("calculator") < md.index("It is 4.")
    assert "_(stopped by the user)_" in md


def test_next_turn_request_is_what_the_app_would_send_and_has_no_key():
    config = ProviderConfig(kind="openai", base_url="https://example.test/v1", api_key="sk-live-secret", model="gpt-x")
    settings = GenerationSettings(system_prompt="Be brief.", temperature=0.3, max_tokens=100, tools=("calculator",))
    body = next_turn_request(sample(), config, settings, default_registry())
    assert body["model"] == "gpt-x" and body["stream"] is True and body["temperature"] == 0.3 and body["max_tokens"] == 100
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "user", "assistant"]
    assert [t["function"]["name"] for t in body["tools"]] == ["calculator"]
    assert "sk-live-secret" not in json.dumps(body)


def test_curl_line_replays_the_body_and_reads_the_key_from_the_environment():
    body = {"model": "m", "messages": [{"role": "user", "content": "it's \"quoted\" $HOME `x`"}], "stream": True}
    line = to_curl(body, "https://example.test/v1/")
    assert "$OPENAI_API_KEY" in line and "https://example.test/v1/chat/completions" in line
    # the -d argument survives the shell exactly (no $HOME or backtick expansion)
    argv = shlex.split(line.replace("\\\n", " "))
    assert json.loads(argv[argv.index("-d") + 1]) == body
    # run the line in a real shell, with curl replaced by a function that prints its last argument
    script = 'curl() { for last; do :; done; printf %s "$last"; }\n' + line
    ran = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env={"OPENAI_API_KEY": "k"})
    assert json.loads(ran.stdout) == body
