"""The password gate's throttle, with an injected clock: limits per address and server-wide,
the lockout time reported, refused attempts never compared, nothing ever sleeps."""

from __future__ import annotations

import threading

import pytest

from chatcore.attempt_throttle import ADDRESS, SERVER, AttemptThrottle, ThrottleLimits
from chatcore.client_address import LOCAL, client_address
from chatcore.password_gate import WRONG, PasswordGate, gate_limits, trusted_proxy_hops


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_gets_its_limit_then_a_lockout_until_its_oldest_attempt_leaves_the_window():
    clock = Clock()
    throttle = AttemptThrottle(ThrottleLimits(per_address=3, server_wide=100, window_s=60), clock=clock)
    for second in (0, 10, 18):
        clock.now = 1000 + second
        assert throttle.take("203.0.113.5").allowed
    clock.now = 1000 + 20
    refused = throttle.take("203.0.113.5")
    assert not refused.allowed and refused.scope == ADDRESS and refused.limit == 3
    assert refused.retry_after_s == 40  # the attempt at 0 s leaves the window at 60 s
    clock.now = 1000 + 59.5
    assert throttle.take("203.0.113.5").retry_after_s == 1  # rounded up, never "0 s"
    clock.now = 1000 + 60
    assert throttle.take("203.0.113.5").allowed
    assert throttle.take("198.51.100.7").allowed  # another address was never limited


def test_refused_attempts_do_not_extend_the_lockout():
    clock = Clock()
    throttle = AttemptThrottle(ThrottleLimits(per_address=1, server_wide=100, window_s=30), clock=clock)
    assert throttle.take("a").allowed
    for _ in range(100):  # hammering while locked out
        clock.now += 0.25
        assert not throttle.take("a").allowed
    clock.now = 1000 + 30
    assert throttle.take("a").allowed


def test_the_server_wide_limit_holds_across_addresses():
    clock = Clock()
    throttle = AttemptThrottle(ThrottleLimits(per_address=5, server_wide=4, window_s=60), clock=clock)
    assert all(throttle.take(f"10.0.0.{n}").allowed for n in range(4))
    clock.now += 15
    refused = throttle.take("10.0.0.99")
    assert not refused.allowed and refused.scope == SERVER and refused.limit == 4 and refused.retry_after_s == 45
    clock.now = 1000 + 60
    assert throttle.take("10.0.0.99").allowed


def test_parallel_attempts_never_exceed_the_limits():
    throttle = AttemptThrottle(ThrottleLimits(per_address=7, server_wide=20, window_s=3600))
    allowed: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(50)

    def guess(n: int) -> None:
        start.wait()
        for address in ("same", f"own-{n}"):
            if throttle.take(address).allowed:
                with lock:
                    allowed.append(address)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(allowed) == 20 and allowed.count("same") <= 7


def test_the_address_table_is_bounded():
    clock = Clock()
    throttle = AttemptThrottle(ThrottleLimits(per_address=1, server_wide=10**9, window_s=60), clock=clock,
                               max_addresses=100)
    for n in range(1000):
        throttle.take(f"addr-{n}")
    assert throttle.tracked_addresses() == 100
    assert not throttle.take("addr-999").allowed  # the most recent ones are still remembered


class CountingGate(PasswordGate):
    compared = 0

    def matches(self, attempt: str) -> bool:
        self.compared += 1
        return super().matches(attempt)


def test_the_gate_compares_only_allowed_attempts_and_refuses_the_right_password_while_locked_out():
    clock = Clock()
    gate = CountingGate("open sesame", ThrottleLimits(per_address=2, server_wide=30, window_s=60), clock=clock)
    assert gate.attempt("guess 1", "x").message == WRONG
    assert gate.attempt("guess 2", "x").message == WRONG
    clock.now += 18
    locked = gate.attempt("open sesame", "x")
    assert not locked.admitted and gate.compared == 2
    assert locked.message == "Too many password attempts from your address (limit: 2 per minute). Try again in 42 s."
    assert gate.attempt("open sesame", "y").admitted  # another address may still try
    clock.now = 1000 + 60
    assert gate.attempt("open sesame", "x").admitted and gate.compared == 4


def test_the_server_wide_lockout_says_so():
    gate = PasswordGate("pw", ThrottleLimits(per_address=5, server_wide=1, window_s=10), clock=Clock())
    gate.attempt("nope", "a")
    assert gate.attempt("pw", "b").message == (
        "Too many password attempts on this server from all visitors together (limit: 1 per 10 s). Try again in 10 s.")


def test_the_comparison_is_exact():
    gate = PasswordGate("correct horse", ThrottleLimits(per_address=100, server_wide=100))
    assert gate.matches("correct horse")
    assert not any(gate.matches(s) for s in ("correct hors", "correct horse ", "", "CORRECT HORSE", "\ud800"))
    with pytest.raises(ValueError):
        PasswordGate("")


def test_limits_come_from_settings():
    assert gate_limits({}) == ThrottleLimits(5, 30, 60.0)
    assert gate_limits({"CHAT_GATE_ATTEMPTS_PER_MINUTE": "3", "CHAT_GATE_GLOBAL_ATTEMPTS_PER_MINUTE": 12,
                        "CHAT_GATE_WINDOW_S": "2.5"}) == ThrottleLimits(3, 12, 2.5)
    for bad in ({"CHAT_GATE_ATTEMPTS_PER_MINUTE": "lots"}, {"CHAT_GATE_ATTEMPTS_PER_MINUTE": "0"},
                {"CHAT_GATE_WINDOW_S": "-1"}):
        with pytest.raises(ValueError):
            gate_limits(bad)
    with pytest.raises(ValueError):
        trusted_proxy_hops({"CHAT_TRUSTED_PROXY_HOPS": "-1"})
    assert trusted_proxy_hops({}) == 0 and trusted_proxy_hops({"CHAT_TRUSTED_PROXY_HOPS": "2"}) == 2


def test_forwarded_for_is_ignored_unless_the_operator_trusts_proxies():
    spoofed = ["1.1.1.1"]
    assert client_address("203.0.113.5", spoofed) == "203.0.113.5"
    assert client_address(None, spoofed) == LOCAL
    # one proxy appends the peer it saw; whatever the client wrote stays on the left
    assert client_address("10.0.0.2", ["1.1.1.1, 203.0.113.5"], trusted_hops=1) == "203.0.113.5"
    assert client_address("10.0.0.2", ["1.1.1.1", "203.0.113.5, 10.0.0.9"], trusted_hops=2) == "203.0.113.5"
    assert client_address("10.0.0.2", [], trusted_hops=1) == "10.0.0.2"  # no header: the socket address


def test_a_peer_that_is_not_an_address_counts_as_local():
    assert client_address(object()) == LOCAL  # type: ignore[arg-type]  # AppTest's stand-in
