"""mcp.json (the mcpServers format) and [mcp_servers] secrets: what is read, what is refused."""

from __future__ import annotations

import json

from chatcore.mcp.config import load_server_specs


def test_stdio_and_http_servers_are_read_and_secrets_win_over_the_file(tmp_path):
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {
        "time": {"command": "uvx", "args": ["mcp-server-time"], "env": {"TZ": "UTC"}},
        "search": {"url": "https://example.com/mcp", "headers": {"Authorization": "Bearer from-file"}, "timeout": 20},
        "off": {"command": "x", "disabled": True},
    }}))
    secrets = {"search": {"url": "https://example.com/mcp", "headers": {"Authorization": "Bearer secret"}}}
    specs, problems = load_server_specs(path, secrets)
    assert problems == ()
    by_name = {s.name: s for s in specs}
    assert set(by_name) == {"time", "search"}  # "disabled": true is left out
    time_spec = by_name["time"]
    assert (time_spec.transport, time_spec.command, time_spec.args, dict(time_spec.env)) == \
        ("stdio", "uvx", ("mcp-server-time",), {"TZ": "UTC"})
    search = by_name["search"]
    assert search.transport == "http" and dict(search.headers) == {"Authorization": "Bearer secret"}
    assert search.origin == "secrets [mcp_servers]" and search.timeout is None
    assert "Bearer" not in repr(search) and "Bearer" not in search.target  # tokens never in a repr or a label


def test_a_bad_entry_is_skipped_with_its_name_and_the_others_still_load(tmp_path):
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {
        "both": {"command": "a", "url": "http://b"},
        "neither": {"args": []},
        "badargs": {"command": "a", "args": "not a list"},
        "ftp": {"url": "ftp://example.com"},
        "fine": {"command": "ok"},
    }}))
    specs, problems = load_server_specs(path)
    assert [s.name for s in specs] == ["fine"]
    text = "\n".join(problems)
    for name in ("'both'", "'neither'", "'badargs'", "'ftp'"):
        assert f"server {name}" in text
    assert "exactly one of 'command' (stdio) or 'url'" in text


def test_invalid_json_and_a_missing_configured_file_are_reported(tmp_path):
    path = tmp_path / "mcp.json"
    path.write_text("{not json")
    specs, problems = load_server_specs(path)
    assert specs == () and "cannot be read" in problems[0] and "line 1" in problems[0]
    specs, problems = load_server_specs(tmp_path / "gone.json")
    assert specs == () and "file not found" in problems[0]
