"""MCP servers in the pages (AppTest): each server's state, and a bad entry named, without
ever making the page wait for a server."""

from __future__ import annotations

import json

from .conftest import new_app, open_advanced


def test_servers_states_and_bad_entries_show_in_the_sidebar_and_on_the_tools_page(tmp_path, monkeypatch):
    config = tmp_path / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {
        "offline": {"url": "http://127.0.0.1:9/mcp"},
        "broken": {"command": "x", "url": "http://y"},
    }}))
    monkeypatch.setenv("CHAT_MCP_CONFIG", str(config))
    at = new_app()
    at.run()
    assert not at.exception
    open_advanced(at)  # the tool picker, with each server's state, sits under Advanced
    sidebar = "\n".join(c.value for c in at.sidebar.caption)
    assert "**offline**" in sidebar and ("connecting" in sidebar or "failed" in sidebar)
    assert any("server 'broken'" in w.value and "exactly one of 'command'" in w.value for w in at.sidebar.warning)
    at.switch_page("pages/tools.py").run()
    assert not at.exception
    assert any(h.value == "MCP servers" for h in at.subheader)
    assert any("offline" in m.value and "http://127.0.0.1:9/mcp" in m.value for m in at.markdown)
