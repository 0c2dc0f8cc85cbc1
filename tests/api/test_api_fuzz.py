"""The OpenAPI description at /api/openapi.json, fuzzed with schemathesis over a real socket:
whatever a client sends, no 5xx and every response conforms to the description."""

from __future__ import annotations

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.openapi import openapi_document
from chatcore.mock.options import MockOptions
from chatcore.mock.server import MockServer

from .conftest import ApiServer

schema = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    for name in ("APP_PASSWORD", "DATABASE_URL", "CHAT_API", "CHAT_API_CORS_ORIGINS"):
        mp.delenv(name, raising=False)
    mp.setenv("CHAT_DB_PATH", str(tmp_path_factory.mktemp("fuzz") / "chat.sqlite3"))
    with MockServer(options=MockOptions(ttft=0, chunk_delay=0), quiet=True) as upstream:
        mp.setenv("OPENAI_BASE_URL", upstream.url)  # answers come back at once: the fuzzer stays quick
        mp.setenv("OPENAI_API_KEY", "sk-fuzz")
        with ApiServer() as server:
            yield server
    mp.undo()


def test_the_description_is_served(live_api):
    served = httpx2.get(live_api.url + "/api/openapi.json").json()
    assert served == openapi_document() and set(served["paths"]) >= {"/api/chat", "/api/sessions/{session_id}"}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)  # CI: the same cases each run
def test_no_5xx_and_responses_match_the_description(case, live_api):
    # Not checked: that every schema-valid body is accepted. Some rules are beyond JSON Schema
    # (the last message must be the user's; an unknown tool name) and get a 422 naming the field.
    case.call_and_validate(base_url=live_api.url, timeout=30, excluded_checks=[positive_data_acceptance])
