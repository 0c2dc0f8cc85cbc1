"""When a message was sent, as a short label in the reader's own time zone.

Shown quietly next to each message: ``14:32`` today, ``Dec 1, 14:32`` earlier this year,
``Dec 1 2025, 14:32`` before that. 24-hour and English month names, with no locale lookup
(a server's locale says nothing about its visitor's).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> tzinfo:
    """The browser's IANA zone name (``st.context.timezone``), or UTC when absent or unknown."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def message_time(ts: float, tz: tzinfo, now: float) -> str:
    when = datetime.fromtimestamp(ts, tz)
    today = datetime.fromtimestamp(now, tz)
    clock = f"{when:%H:%M}"
    if when.date() == today.date():
        return clock
    if when.year == today.year:
        return f"{when:%b} {when.day}, {clock}"
    return f"{when:%b} {when.day} {when.year}, {clock}"


__all__ = ["message_time", "zone"]
