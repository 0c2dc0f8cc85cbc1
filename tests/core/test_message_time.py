"""Message times: short, in the reader's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from chatcore.message_time import message_time, zone

TOKYO = ZoneInfo("Asia/Tokyo")


def ts(*args) -> float:
    return datetime(*args, tzinfo=TOKYO).timestamp()


def test_today_shows_the_clock_only():
    assert message_time(ts(2026, 12, 2, 9, 5), TOKYO, ts(2026, 12, 2, 23, 0)) == "09:05"


def test_earlier_days_show_the_date_and_earlier_years_the_year():
    now = ts(2026, 12, 2, 8, 0)
    assert message_time(ts(2026, 12, 1, 23, 59), TOKYO, now) == "Dec 1, 23:59"
    assert message_time(ts(2025, 3, 14, 7, 30), TOKYO, now) == "Mar 14 2025, 07:30"


def test_the_readers_zone_decides_the_day():
    moment = datetime(2026, 12, 1, 23, 30, tzinfo=UTC).timestamp()  # already Dec 2 in Tokyo
    now = datetime(2026, 12, 2, 1, 0, tzinfo=UTC).timestamp()
    assert message_time(moment, TOKYO, now) == "08:30"
    assert message_time(moment, zone("UTC"), now) == "Dec 1, 23:30"


def test_an_unknown_or_missing_zone_is_utc():
    assert zone(None) is UTC and zone("") is UTC
    assert zone("Not/AZone") is UTC and zone("../etc/passwd") is UTC
    assert zone("Europe/London") == ZoneInfo("Europe/London")
