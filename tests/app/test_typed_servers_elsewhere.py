"""Issue #16's first attack through the pages that also take a typed server: the Endpoint
doctor's "Another endpoint" must never send the operator's key to a server a visitor names."""

from __future__ import annotations

from .conftest import new_app
from .test_provider_settings import OPERATOR_KEY, configure


def test_the_doctor_never_sends_the_operators_key_to_a_typed_server(monkeypatch, operator, visitor_server):
    configure(monkeypatch, operator, CHAT_ALLOW_CUSTOM_BASE_URL="true")
    at = new_app(timeout=60)
    at.run()
    at.switch_page("pages/doctor.py").run()
    at.radio(key="doctor_source").set_value("Another endpoint").run()
    at.text_input(key="doctor_base_url").set_value(visitor_server.url).run()
    at.text_input(key="doctor_model").set_value("gpt-4o-mini").run()
    at.button(key="doctor_run").click().run()
    assert not at.exception
    assert visitor_server.seen, "the typed server was not probed at all"
    for request in visitor_server.seen:
        assert OPERATOR_KEY not in request.text()


def test_the_doctor_refuses_a_typed_server_when_the_operator_forbids_custom_urls(monkeypatch, operator, visitor_server):
    configure(monkeypatch, operator)  # a key is configured: custom base URLs are off by default
    at = new_app(timeout=60)
    at.run()
    at.switch_page("pages/doctor.py").run()
    at.radio(key="doctor_source").set_value("Another endpoint").run()
    at.text_input(key="doctor_base_url").set_value(visitor_server.url).run()
    at.text_input(key="doctor_model").set_value("gpt-4o-mini").run()
    assert at.error, "no refusal shown"
    assert not [b for b in at.button if b.key == "doctor_run"]
    assert visitor_server.seen == []
