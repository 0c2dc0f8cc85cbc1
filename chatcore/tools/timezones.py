"""Resolve the time zone names a model writes ("Europe/Paris", "paris", "UTC+2").

The IANA database comes from the system (``/usr/share/zoneinfo``) or, where there is
none (Windows, slim images), from the ``tzdata`` package that ``zoneinfo`` falls back to.
Unknown names fail with a few close matches so the model can correct itself.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import UTC, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_UTC_NAMES = {"utc", "gmt", "z", "zulu", "universal", "etc/utc"}
_OFFSET_RE = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


class TimezoneError(ValueError):
    """Unknown time zone, with suggestions."""


@functools.lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


@functools.lru_cache(maxsize=1)
def _by_folded_name() -> dict[str, str]:
    """Lower-cased full names and unique city names ("new_york") to canonical names."""
    names: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    for zone in _zones():
        names[zone.casefold()] = zone
        cities.setdefault(zone.rsplit("/", 1)[-1].casefold(), []).append(zone)
    for city, zones in cities.items():
        if city not in names:
            canonical = [z for z in zones if not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))]
            if len(canonical) == 1 or len(zones) == 1:
                names[city] = (canonical or zones)[0]
    return names


def resolve_timezone(name: str) -> tuple[str, tzinfo]:
    """Return the canonical name and ``tzinfo`` for ``name``; raise ``TimezoneError``."""
    name = str(name)
    text = " ".join(name.split())
    folded = text.casefold()
    if not folded or folded in _UTC_NAMES:
        return "UTC", UTC
    offset = _OFFSET_RE.match(text)
    if offset:
        sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
        if hours > 14 or minutes >= 60:
            raise TimezoneError(f"UTC offset out of range: {name}")
        delta = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
        label = f"UTC{sign}{hours:02d}:{minutes:02d}"
        return label, timezone(delta, label)
    canonical = _by_folded_name().get(folded.replace(" ", "_"))
    if canonical:
        try:
            return canonical, ZoneInfo(canonical)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise TimezoneError(_unknown_message(name))


def _unknown_message(name: str) -> str:
    shown = name if len(name) <= 60 else name[:57] + "..."
    if not _zones():
        return f"Unknown timezone '{shown}' (no time zone database here: install the 'tzdata' package)"
    key = str(name).strip().replace(" ", "_")[:64]
    hints = difflib.get_close_matches(key, _zones(), n=5, cutoff=0.5)
    if len(hints) < 3:  # "Pari" -> "Europe/Paris": also match against city names alone
        cities = {z.rsplit("/", 1)[-1].casefold(): z for z in _zones()}
        for city in difflib.get_close_matches(key.casefold(), list(cities), n=5, cutoff=0.6):
            hints.append(cities[city])
    hints = list(dict.fromkeys(hints))[:5]
    suggestion = f" Did you mean: {', '.join(hints)}?" if hints else " Use an IANA name such as Europe/Paris."
    return f"Unknown timezone '{shown}'.{suggestion}"


__all__ = ["TimezoneError", "resolve_timezone"]
