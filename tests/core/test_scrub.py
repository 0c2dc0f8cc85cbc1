"""Credentials in upstream error text never reach the screen or the database."""

from __future__ import annotations

import httpx2
import pytest

from chatcore.events import Error
from chatcore.providers import ModelListError
from chatcore.scrub import REDACTED, scrub_credentials

from .fakes import Recorder, error_response, provider_for

HI = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Authorization: Bearer abc.def-ghi_123", "abc.def-ghi_123"),
        ("echo: authorization=Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("got header Bearer eyJhbGciOi.payload.sig from you", "eyJhbGciOi.payload.sig"),
        ("invalid key sk-proj-AbCdEf1234567890xyz", "AbCdEf1234567890xyz"),
        ("key sk-ant-api03-zzzzzzzzzzzz", "api03-zzzzzzzzzzzz"),
        ("GET /v1/models?api_key=hunter2hunter2&x=1", "hunter2hunter2"),
        ('{"api-key": "k-1234567"}', "k-1234567"),
        ("apikey=zzz9999", "zzz9999"),
        ("Cookie: session=s3cr3t; other=1\nnext line stays", "s3cr3t"),
        ("X-Api-Key: 12345678abc", "12345678abc"),
        ("proxy-authorization: Digest abc", "Digest abc"),
    ],
)
def test_credential_looking_text_is_removed(text, gone):
    scrubbed = scrub_credentials(text)
    assert gone not in scrubbed and REDACTED in scrubbed


def test_the_literal_key_in_use_is_removed_whatever_it_looks_like():
    key = "operator-opaque-7f3a9c"
    scrubbed = scrub_credentials(f"You sent {key} (reversed: {key[::-1]})", secrets=[key])
    assert key not in scrubbed and REDACTED in scrubbed


def test_ordinary_error_text_is_left_alone():
    text = "The model `gpt-4o` does not exist or you do not have access to it. max_tokens is too large: 99999."
    assert scrub_credentials(text, secrets=["", "x"]) == text
    assert scrub_credentials("Next line\nstays", secrets=["stays"]) == "Next line\nstays"  # too short to be a key


def test_an_upstream_that_echoes_request_headers_is_scrubbed_before_it_is_shown():
    key = "sk-operator-0123456789abcdef"
    echo = f"bad request; you sent Authorization: Bearer {key}\ncookie: a=b"
    recorder = Recorder(error_response(400, echo))
    provider = provider_for(recorder, api_key=key)
    events = list(provider.stream(HI))
    [err] = [e for e in events if isinstance(e, Error)]
    assert "Server said" in err.message
    assert key not in err.message and "0123456789abcdef" not in err.message and "a=b" not in err.message
    assert key not in err.to_sse()


def test_a_text_body_and_an_in_band_error_are_scrubbed_with_the_literal_key():
    key = "plainkey-NOT-sk-shaped-42"
    text_500 = httpx2.Response(500, text=f"upstream saw {key}", headers={"content-type": "text/plain"})
    events = list(provider_for(Recorder(text_500), api_key=key, max_retries=0).stream(HI))
    assert all(key not in e.message for e in events if isinstance(e, Error))


def test_a_failed_model_listing_is_scrubbed():
    key = "sk-operator-list-0000111122223333"
    recorder = Recorder(error_response(401, f"Incorrect API key provided: {key}"))
    with pytest.raises(ModelListError) as raised:
        provider_for(recorder, api_key=key).list_models()
    assert key not in str(raised.value) and "401" in str(raised.value)
