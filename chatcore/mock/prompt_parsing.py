"""Pull the facts a tool call needs out of a user's prompt.

A believable model fills tool arguments from what the user wrote (the expression, the
cities, the units, the date), so these small parsers stand in for understanding.
"""

from __future__ import annotations

import datetime as dt
import re

_EXPRESSION = re.compile(r"[-(]*\d[\d.\s]*(?:[-+*/^%×÷]\s*[-(]*\s*\d[\d.\s]*\)*\s*)+\)*")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_OPERATOR_BETWEEN = re.compile(r"[\d)]\s*[-+*/^%×÷]\s*[-(\d]")


def find_expression(prompt: str) -> str | None:
    """The longest arithmetic expression in the prompt, e.g. ``23*17+4``."""
    candidates = [m.group(0).strip() for m in _EXPRESSION.finditer(prompt)]
    candidates = [c for c in candidates if _OPERATOR_BETWEEN.search(c) and not _ISO_DATE.fullmatch(c)]
    if not candidates:
        return None
    best = max(candidates, key=len).replace("×", "*").replace("÷", "/")
    while best.count("(") > best.count(")") and best.startswith("("):
        best = best[1:]
    while best.count(")") > best.count("(") and best.endswith(")"):
        best = best[:-1]
    return best.strip()


CITY_TIMEZONES: dict[str, str] = {
    "tokyo": "Asia/Tokyo",
    "london": "Europe/London",
    "new york": "America/New_York",
    "paris": "Europe/Paris",
    "sydney": "Australia/Sydney",
    "berlin": "Europe/Berlin",
    "madrid": "Europe/Madrid",
    "rome": "Europe/Rome",
    "moscow": "Europe/Moscow",
    "dubai": "Asia/Dubai",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "singapore": "Asia/Singapore",
    "hong kong": "Asia/Hong_Kong",
    "beijing": "Asia/Shanghai",
    "shanghai": "Asia/Shanghai",
    "seoul": "Asia/Seoul",
    "los angeles": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "chicago": "America/Chicago",
    "toronto": "America/Toronto",
    "mexico city": "America/Mexico_City",
    "sao paulo": "America/Sao_Paulo",
    "são paulo": "America/Sao_Paulo",
    "cairo": "Africa/Cairo",
    "johannesburg": "Africa/Johannesburg",
    "auckland": "Pacific/Auckland",
    "utc": "UTC",
}
DEFAULT_CITIES = ("Tokyo", "London", "New York")
_IANA = re.compile(r"\b(?:Africa|America|Asia|Atlantic|Australia|Europe|Pacific)/[A-Za-z_]+(?:/[A-Za-z_]+)?\b")


def find_cities(prompt: str, limit: int = 6) -> list[tuple[str, str]]:
    """(city label, IANA timezone) pairs in order of appearance; three defaults if none."""
    lowered = prompt.lower()
    found: list[tuple[int, str, str]] = []
    for city, zone in CITY_TIMEZONES.items():
        for match in re.finditer(r"\b" + re.escape(city) + r"\b", lowered):
            label = city.upper() if city == "utc" else city.title()
            found.append((match.start(), label, zone))
    for match in _IANA.finditer(prompt):
        found.append((match.start(), match.group(0).split("/")[-1].replace("_", " "), match.group(0)))
    result: list[tuple[str, str]] = []
    for _, label, zone in sorted(found):
        if all(zone != z for _, z in result):
            result.append((label, zone))
    if not result:
        result = [(c, CITY_TIMEZONES[c.lower()]) for c in DEFAULT_CITIES]
    return result[:limit]


_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], 1)}
_MONTH_DAY = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b", re.I)
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(" + "|".join(_MONTHS) + r")(?:,?\s+(\d{4}))?\b", re.I)
_HOLIDAYS = {"christmas": (12, 25), "halloween": (10, 31), "valentine": (2, 14), "new year": (1, 1)}


def find_date(text: str) -> dt.date | None:
    """The first ISO date (YYYY-MM-DD) in ``text``, as found in tool results."""
    for match in _ISO_DATE.finditer(text):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return None


def _next(today: dt.date, month: int, day: int, year: str | None) -> dt.date | None:
    try:
        if year:
            return dt.date(int(year), month, day)
        candidate = dt.date(today.year, month, day)
        return candidate if candidate > today else dt.date(today.year + 1, month, day)
    except ValueError:
        return None


def target_date(prompt: str, today: dt.date) -> tuple[dt.date, str]:
    """The date the user counts towards, and how to name it; default next January 1."""
    explicit = find_date(prompt)
    if explicit:
        return explicit, explicit.isoformat()
    for pattern, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        match = pattern.search(prompt)
        if match:
            day = _next(today, _MONTHS[match[month_group].lower()], int(match[day_group]), match[3])
            if day:
                return day, f"{day:%B} {day.day}, {day.year}"
    lowered = prompt.lower()
    for name, (month, day_of_month) in _HOLIDAYS.items():
        if name in lowered:
            day = _next(today, month, day_of_month, None)
            if day:
                return day, f"{name.title()} ({day.isoformat()})"
    day = dt.date(today.year + 1, 1, 1)
    return day, f"New Year's Day {day.year}"


_CONVERT = re.compile(
    r"convert\s+(-?\d[\d,]*(?:\.\d+)?)\s*([a-zA-Z°µ][\w°/ ]*?)\s+(?:to|into|in)\s+([a-zA-Z°µ][\w°/]*(?:\s+[a-zA-Z]+)?)",
    re.I,
)


def find_conversion(prompt: str) -> tuple[float, str, str] | None:
    """(value, from_unit, to_unit) from prompts like "convert 10 km to miles"."""
    match = _CONVERT.search(prompt)
    if not match:
        return None
    value = float(match[1].replace(",", ""))
    to_unit = re.sub(r"\s+(please|thanks|now)$", "", match[3].strip(), flags=re.I)
    return value, match[2].strip(), to_unit.strip()


_STOPWORDS = set(
    "a an the and or but of to in on for with about into how what why when where which who is are was were be "  # noqa: SIM905 - reads best as words
    "been do does did can could should would will shall may might me my we our you your it its this that these "
    "those please explain tell give write show describe make some any all more most than then there their them "
    "they i vs versus between from by as at not no yes just like very really use using get works work working "
    "difference different best good need want know think thing things something does doing have has".split()
)


def topic_words(prompt: str, limit: int = 3) -> list[str]:
    """The most telling words of the prompt (long, not stop-words), in order of appearance."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9+#'-]{2,}", prompt)
    seen: list[str] = []
    for word in words:
        clean = word.strip("'-")
        if clean.lower() not in _STOPWORDS and clean.lower() not in (w.lower() for w in seen):
            seen.append(clean)
    ranked = sorted(seen, key=lambda w: (-len(w), seen.index(w)))[:limit]
    return sorted(ranked, key=seen.index)


def title_from(prompt: str, limit: int = 70) -> str:
    """The prompt as a one-line heading: whitespace collapsed, capitalised, shortened."""
    line = re.sub(r"\s+", " ", prompt).strip().strip("#").strip()
    line = re.sub(r"\[fault:[^\]]*\]", "", line).strip()
    if not line:
        return "Your question"
    if len(line) > limit:
        line = line[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return line[0].upper() + line[1:]


__all__ = [
    "CITY_TIMEZONES",
    "DEFAULT_CITIES",
    "find_cities",
    "find_conversion",
    "find_date",
    "find_expression",
    "target_date",
    "title_from",
    "topic_words",
]
