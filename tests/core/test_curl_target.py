"""The curl export contacts the viewer's current server unless the viewer asks otherwise,
and then says plainly which host gets their ``$OPENAI_API_KEY``."""

from __future__ import annotations

from chatcore.export import curl_target, host_of, to_curl

BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}


def test_by_default_the_command_contacts_the_viewers_server():
    target = curl_target("https://api.openai.com/v1/", "https://evil.example:8443/v1")
    assert target.base_url == "https://api.openai.com/v1" and not target.elsewhere
    assert "contacts api.openai.com" in target.note and "evil" not in target.note
    curl = to_curl(BODY, target.base_url)
    assert "https://api.openai.com/v1/chat/completions" in curl and "evil.example" not in curl


def test_the_conversations_server_on_request_is_named_plainly():
    target = curl_target("https://api.openai.com/v1", "https://evil.example:8443/v1", use_conversation_server=True)
    assert target.base_url == "https://evil.example:8443/v1" and target.elsewhere
    assert "contacts evil.example:8443" in target.note and "$OPENAI_API_KEY` to evil.example:8443" in target.note
    curl = to_curl(BODY, target.base_url)
    assert "https://evil.example:8443/v1/chat/completions" in curl and "$OPENAI_API_KEY" in curl


def test_the_same_server_is_not_elsewhere():
    target = curl_target("https://API.example.com/v1", "https://api.example.com/v1/", use_conversation_server=True)
    assert not target.elsewhere and target.base_url == "https://API.example.com/v1"


def test_a_mock_conversation_has_no_stored_server():
    target = curl_target("http://127.0.0.1:8765/v1", "", use_conversation_server=True)
    assert target.base_url == "http://127.0.0.1:8765/v1" and not target.elsewhere


def test_host_of_hides_user_info():
    assert host_of("https://user:pw@llm.example.org:99/v1") == "llm.example.org:99"
