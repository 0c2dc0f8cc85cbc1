"""The operator's key stays home: every rule of ``ProviderPolicy`` / ``choose_provider``.

Host lookups go through a fake resolver (no DNS in tests); a visitor is remote unless the
test says otherwise."""

from __future__ import annotations

import pytest

from chatcore.provider_policy import (
    BadBaseURL,
    Endpoint,
    ProviderPolicy,
    VisitorOrigin,
    choose_provider,
    is_internal_address,
)

OPERATOR_KEY = "sk-operator-secret-123456"
REMOTE = VisitorOrigin("203.0.113.7")
LOCAL = VisitorOrigin(None)  # how Streamlit reports a loopback peer
PUBLIC = {"api.example.com": ["93.184.216.34"], "llm.example.org": ["198.51.100.20", "2001:db8::1"]}


def resolver(table: dict[str, list[str]] | None = None):
    table = {**PUBLIC, **(table or {})}

    def resolve(host: str) -> list[str]:
        if host not in table:
            raise OSError(f"unknown host {host}")
        return table[host]

    return resolve


def policy(**env: str) -> ProviderPolicy:
    return ProviderPolicy.from_sources(secrets={}, env=env)


def operator_policy(**extra: str) -> ProviderPolicy:
    return policy(OPENAI_API_KEY=OPERATOR_KEY, OPENAI_BASE_URL="https://llm.internal.example/v1", **extra)


def choose(p: ProviderPolicy, base_url: str = "", api_key: str = "", origin: VisitorOrigin = REMOTE, table=None):
    return choose_provider(p, base_url=base_url, api_key=api_key, origin=origin, resolve=resolver(table))


# ------------------------------------------------------------------ the operator's key
@pytest.mark.parametrize("typed", ["", "https://llm.internal.example/v1", "https://LLM.internal.example:443/v1/",
                                   "  https://llm.internal.example/v1  "])
def test_the_operators_key_goes_to_the_operators_url_however_it_is_written(typed):
    choice = choose(operator_policy(), typed)
    assert choice.config is not None and choice.config.api_key == OPERATOR_KEY
    assert choice.config.base_url == "https://llm.internal.example/v1"


@pytest.mark.parametrize("typed", ["http://llm.internal.example/v1", "https://llm.internal.example:8443/v1",
                                   "https://llm.internal.example/v2", "https://llm.internal.example.evil.com/v1",
                                   "https://api.example.com/v1"])
def test_any_other_url_never_gets_the_operators_key(typed):
    p = operator_policy(CHAT_ALLOW_CUSTOM_BASE_URL="true")
    table = {"llm.internal.example": ["93.184.216.35"], "llm.internal.example.evil.com": ["93.184.216.36"]}
    choice = choose(p, typed, table=table)
    assert choice.config is not None, choice.refusal
    assert choice.config.api_key == "" and OPERATOR_KEY not in repr(choice)
    assert choice.config.base_url == typed.rstrip("/")
    assert "only sent to llm.internal.example" in (choice.note or "")


def test_a_visitor_with_their_own_key_uses_it_on_their_server_and_on_the_operators():
    p = operator_policy(CHAT_ALLOW_CUSTOM_BASE_URL="1")
    theirs = choose(p, "https://api.example.com/v1", api_key="sk-visitor-999999")
    assert theirs.config.api_key == "sk-visitor-999999" and theirs.note is None
    on_operators = choose(p, "", api_key="sk-visitor-999999")
    assert on_operators.config.api_key == "sk-visitor-999999"


def test_a_key_without_a_url_means_the_openai_default():
    p = policy(OPENAI_API_KEY=OPERATOR_KEY)
    assert p.operator.base_url == "https://api.openai.com/v1" and not p.allow_custom_base_url
    assert choose(p, "https://api.openai.com/v1/").config.api_key == OPERATOR_KEY


def test_secrets_win_over_the_environment():
    p = ProviderPolicy.from_sources(secrets={"OPENAI_API_KEY": "sk-from-secrets-0000", "CHAT_ALLOWED_HOSTS": ["a.example"]},
                                    env={"OPENAI_API_KEY": "sk-from-env-000000", "CHAT_ALLOWED_HOSTS": "b.example"})
    assert p.operator.api_key == "sk-from-secrets-0000" and p.allowed_hosts == {"a.example"}


# ------------------------------------------------------------------ operator switches
def test_custom_base_urls_are_off_by_default_when_the_operator_has_a_key():
    choice = choose(operator_policy(), "https://api.example.com/v1")
    assert choice.config is None
    assert "only talks to llm.internal.example" in choice.refusal


def test_custom_base_urls_are_on_by_default_without_an_operator_key():
    assert policy().allow_custom_base_url
    assert policy(OPENAI_BASE_URL="https://api.example.com/v1").allow_custom_base_url
    assert choose(policy(), "https://api.example.com/v1").config.base_url == "https://api.example.com/v1"


@pytest.mark.parametrize(("value", "expected"), [("false", False), ("0", False), ("no", False), ("true", True),
                                                 ("YES", True), ("maybe", False), ("", True)])
def test_allow_custom_base_url_is_read_as_a_flag(value, expected):
    assert policy(CHAT_ALLOW_CUSTOM_BASE_URL=value).allow_custom_base_url is expected


def test_allow_custom_base_url_off_refuses_even_without_a_key():
    choice = choose(policy(OPENAI_BASE_URL="https://api.example.com/v1", CHAT_ALLOW_CUSTOM_BASE_URL="false"),
                    "https://llm.example.org/v1")
    assert choice.config is None and "only talks to api.example.com" in choice.refusal


@pytest.mark.parametrize("value", ["true", "1", "on", "garbage"])
def test_a_locked_provider_ignores_everything_the_visitor_typed(value):
    p = operator_policy(CHAT_LOCK_PROVIDER=value, CHAT_ALLOW_CUSTOM_BASE_URL="true")
    assert p.lock_provider
    choice = choose(p, "https://api.example.com/v1", api_key="sk-visitor-999999")
    assert choice.config.base_url == "https://llm.internal.example/v1" and choice.config.api_key == OPERATOR_KEY


def test_a_locked_app_with_nothing_configured_stays_on_the_mock():
    choice = choose(policy(CHAT_LOCK_PROVIDER="true"), "https://api.example.com/v1")
    assert choice.config.is_mock


def test_allowed_hosts_comma_separated_or_a_toml_list():
    assert policy(CHAT_ALLOWED_HOSTS=" API.example.com , llm.example.org.,").allowed_hosts == {"api.example.com",
                                                                                             "llm.example.org"}
    p = ProviderPolicy.from_sources(secrets={"CHAT_ALLOWED_HOSTS": ["api.example.com", "10.0.0.5"]}, env={})
    assert p.allowed_hosts == {"api.example.com", "10.0.0.5"}


def test_allowed_hosts_limit_where_a_visitor_may_go():
    p = policy(CHAT_ALLOWED_HOSTS="api.example.com")
    assert choose(p, "https://api.example.com/v1").config is not None
    refused = choose(p, "https://llm.example.org/v1")
    assert refused.config is None and "not on this app's list of allowed hosts (api.example.com)" in refused.refusal
    refused_locally = choose(p, "http://localhost:11434/v1", origin=LOCAL)  # the list binds local visitors too
    assert refused_locally.config is None


# ------------------------------------------------------------------ internal addresses
@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                                     "0.0.0.0", "100.64.0.1", "::1", "fe80::1", "fd00::5", "::", "::ffff:127.0.0.1",  # noqa: S104
                                     "::ffff:10.0.0.1", "2002:7f00:1::", "fe80::1%eth0", "224.0.0.1", "not-an-ip"])
def test_internal_addresses_are_recognised(address):
    assert is_internal_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses_are_not_internal(address):
    assert not is_internal_address(address)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765/v1", "http://localhost:11434/v1", "http://[::1]:8000/v1",
                                 "http://169.254.169.254/latest", "http://10.0.0.7/v1", "http://2130706433/v1",
                                 "http://rebind.example.com/v1", "http://mixed.example.com/v1"])
def test_a_remote_visitor_may_not_reach_internal_addresses(url):
    table = {"localhost": ["127.0.0.1", "::1"], "rebind.example.com": ["192.168.0.10"],
             "mixed.example.com": ["93.184.216.34", "10.0.0.1"],  # every address is checked
             "127.0.0.1": ["127.0.0.1"], "::1": ["::1"], "169.254.169.254": ["169.254.169.254"],
             "10.0.0.7": ["10.0.0.7"], "2130706433": ["127.0.0.1"]}
    choice = choose(policy(), url, table=table)
    assert choice.config is None and "internal address" in choice.refusal


def test_a_host_that_does_not_resolve_is_refused_for_a_remote_visitor():
    choice = choose(policy(), "https://nowhere.invalid/v1")
    assert choice.config is None and "could not be resolved" in choice.refusal


def test_a_local_visitor_may_use_a_local_server():
    # ``make run`` on a laptop with Ollama: no key configured, the browser on the same machine.
    choice = choose(policy(), "http://localhost:11434/v1", origin=LOCAL, table={"localhost": ["127.0.0.1"]})
    assert choice.config is not None and choice.config.base_url == "http://localhost:11434/v1"
    assert VisitorOrigin("127.0.0.1").is_local and VisitorOrigin("::1").is_local


def test_a_loopback_peer_behind_a_proxy_is_not_local():
    origin = VisitorOrigin.from_request(None, {"X-Forwarded-For": "198.51.100.1"})
    assert not origin.is_local
    assert not VisitorOrigin.from_request("127.0.0.1", {"Forwarded": "for=1.2.3.4"}).is_local
    assert VisitorOrigin.from_request(None, {"Host": "localhost:8501"}).is_local
    choice = choose(policy(), "http://127.0.0.1:8765/v1", origin=origin, table={"127.0.0.1": ["127.0.0.1"]})
    assert choice.config is None and "internal address" in choice.refusal


def test_a_host_on_the_allow_list_may_be_internal():
    p = policy(CHAT_ALLOWED_HOSTS="ollama.lan")
    choice = choose(p, "http://ollama.lan:11434/v1", table={"ollama.lan": ["192.168.1.20"]})
    assert choice.config is not None


def test_the_operators_own_internal_url_is_trusted():
    p = policy(OPENAI_BASE_URL="http://127.0.0.1:8765/v1")
    assert choose(p, "").config.base_url == "http://127.0.0.1:8765/v1"
    assert choose(p, "http://127.0.0.1:8765/v1/").config is not None


# ------------------------------------------------------------------ URL shapes
@pytest.mark.parametrize(("url", "words"), [
    ("file:///etc/passwd", "http:// or https://"),
    ("ftp://api.example.com/v1", "http:// or https://"),
    ("gopher://api.example.com", "http:// or https://"),
    ("api.example.com/v1", "http:// or https://"),
    ("https://", "no host"),
    ("https://user:pw@api.example.com/v1", "user name or password"),
    ("https://llm.internal.example@api.example.com/v1", "user name or password"),
    ("https://api.example.com/v1?x=1", "query"),
    ("https://api.example.com:99999/v1", "not a valid URL"),
    ("https://api.example.com](javascript:alert(1))/v1", "not a valid URL"),
    ("https://**bold**.example/v1", "not a valid host name"),
    ("https://bad_host!.example/v1", "not a valid host name"),
])
def test_only_plain_http_urls_are_accepted(url, words):
    choice = choose(policy(), url)
    assert choice.config is None and words in choice.refusal


def test_endpoints_compare_normalised():
    assert Endpoint.parse("HTTPS://Api.Example.com./v1/") == Endpoint.parse("https://api.example.com:443/v1")
    assert Endpoint.parse("http://api.example.com/v1") != Endpoint.parse("https://api.example.com/v1")
    with pytest.raises(BadBaseURL):
        Endpoint.parse("javascript:alert(1)")


def test_an_unparsable_operator_url_never_matches_so_the_key_stays_home():
    p = policy(OPENAI_API_KEY=OPERATOR_KEY, OPENAI_BASE_URL="llm.internal.example/v1", CHAT_ALLOW_CUSTOM_BASE_URL="true")
    assert p.operator_endpoint is None
    choice = choose(p, "https://api.example.com/v1")
    assert choice.config is not None and choice.config.api_key == ""
