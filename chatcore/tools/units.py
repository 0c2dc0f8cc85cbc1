"""Unit conversion tables for the ``convert_units`` tool.

Every unit is a factor to its category's base unit (metre, kilogram, litre, m/s, byte,
second); temperature, which has offsets, is converted through kelvin. Models write units
in many ways ("km", "kilometres", "°C", "celsius"), so lookups accept common aliases,
plurals and any letter case, while case still separates "Mb" (megabit) from "MB".
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


class UnitError(ValueError):
    """Unknown or incompatible units, in words a user understands."""


@dataclass(frozen=True)
class Unit:
    symbol: str
    category: str
    factor: float = 1.0  # base units per one of this unit (unused for temperature)


def _table() -> dict[str, Unit]:
    units: dict[str, Unit] = {}

    def add(category: str, symbol: str, factor: float, *aliases: str) -> None:
        unit = Unit(symbol, category, factor)
        for name in (symbol, *aliases):
            units[name] = unit

    add("length", "mm", 1e-3, "millimeter", "millimetre")
    add("length", "cm", 1e-2, "centimeter", "centimetre")
    add("length", "m", 1.0, "meter", "metre", "meters", "metres")
    add("length", "km", 1e3, "kilometer", "kilometre", "kms")
    add("length", "µm", 1e-6, "um", "micrometer", "micrometre", "micron")
    add("length", "nm", 1e-9, "nanometer", "nanometre")
    add("length", "in", 0.0254, "inch", "inches", '"')
    add("length", "ft", 0.3048, "foot", "feet", "'")
    add("length", "yd", 0.9144, "yard")
    add("length", "mi", 1609.344, "mile")
    add("length", "nmi", 1852.0, "nautical mile")
    add("mass", "mg", 1e-6, "milligram", "milligramme")
    add("mass", "g", 1e-3, "gram", "gramme")
    add("mass", "kg", 1.0, "kilogram", "kilogramme", "kilo", "kgs")
    add("mass", "t", 1e3, "tonne", "metric ton", "ton")
    add("mass", "oz", 0.028349523125, "ounce")
    add("mass", "lb", 0.45359237, "pound", "lbs")
    add("mass", "st", 6.35029318, "stone")
    add("volume", "ml", 1e-3, "mL", "milliliter", "millilitre")
    add("volume", "cl", 1e-2, "cL", "centiliter", "centilitre")
    add("volume", "l", 1.0, "L", "liter", "litre")
    add("volume", "m³", 1e3, "m3", "cubic meter", "cubic metre")
    add("volume", "gal", 3.785411784, "gallon", "us gallon")
    add("volume", "imp gal", 4.54609, "imperial gallon", "uk gallon")
    add("volume", "qt", 0.946352946, "quart")
    add("volume", "pt", 0.473176473, "pint")
    add("volume", "cup", 0.2365882365, "cups")
    add("volume", "fl oz", 0.0295735295625, "fluid ounce", "floz")
    add("volume", "tbsp", 0.01478676478125, "tablespoon")
    add("volume", "tsp", 0.00492892159375, "teaspoon")
    add("speed", "m/s", 1.0, "mps", "meters per second", "metres per second")
    add("speed", "km/h", 1 / 3.6, "kmh", "kph", "kmph", "kilometers per hour", "kilometres per hour")
    add("speed", "mph", 0.44704, "mi/h", "miles per hour")
    add("speed", "kn", 1852 / 3600, "knot", "kt", "kts")
    add("speed", "ft/s", 0.3048, "fps", "feet per second")
    add("data", "bit", 1 / 8, "b")
    add("data", "B", 1.0, "byte")
    for i, prefix in enumerate("KMGTP", start=1):
        word = {"K": "kilo", "M": "mega", "G": "giga", "T": "tera", "P": "peta"}[prefix]
        add("data", f"{prefix}B", 1000.0**i, f"{word}byte")
        add("data", f"{prefix}iB", 1024.0**i, f"{word[:2]}bibyte")
        add("data", f"{prefix}bit", 1000.0**i / 8, f"{prefix}b", f"{word}bit")
    add("time", "ms", 1e-3, "millisecond", "msec")
    add("time", "s", 1.0, "second", "sec", "secs")
    add("time", "min", 60.0, "minute", "mins")
    add("time", "h", 3600.0, "hour", "hr", "hrs")
    add("time", "day", 86400.0, "d")
    add("time", "week", 604800.0, "wk")
    add("time", "month", 2629746.0, "mo")  # an average Gregorian month
    add("time", "year", 31556952.0, "yr", "y")  # an average Gregorian year
    add("temperature", "°C", 1.0, "C", "celsius", "centigrade", "degC", "deg C", "degrees celsius")
    add("temperature", "°F", 1.0, "F", "fahrenheit", "degF", "deg F", "degrees fahrenheit")
    add("temperature", "K", 1.0, "kelvin", "kelvins")
    return units


_UNITS = _table()


def _fold(units: dict[str, Unit]) -> dict[str, Unit]:
    folded: dict[str, Unit] = {}
    for name, unit in units.items():
        folded.setdefault(name.casefold(), unit)  # first spelling wins: "mb" -> MB, not Mbit
    return folded


_FOLDED = _fold(_UNITS)


def find_unit(name: str) -> Unit:
    """Look a unit up by symbol, name, plural or alias; raise ``UnitError`` with suggestions."""
    text = " ".join(str(name).strip().rstrip(".").split())
    for candidate in (text, text.replace("° ", "°"), text.removeprefix("°")):
        for key in (candidate, candidate[:-1] if candidate.endswith("s") else candidate):
            unit = _UNITS.get(key) or _FOLDED.get(key.casefold())
            if unit is not None:
                return unit
    hints = difflib.get_close_matches(text.casefold()[:40], list(_FOLDED), n=4, cutoff=0.6)
    extra = f" Did you mean: {', '.join(dict.fromkeys(_FOLDED[h].symbol for h in hints))}?" if hints else ""
    shown = text if len(text) <= 40 else text[:37] + "..."
    raise UnitError(f"Unknown unit '{shown}'.{extra}")


def convert(value: float, from_unit: str, to_unit: str) -> tuple[float, Unit, Unit]:
    """Convert ``value`` and return it with the two resolved units."""
    source, target = find_unit(from_unit), find_unit(to_unit)
    if source.category != target.category:
        raise UnitError(
            f"Cannot convert {source.symbol} ({source.category}) to {target.symbol} ({target.category})"
        )
    if source.category == "temperature":
        return _from_kelvin(_to_kelvin(value, source.symbol), target.symbol), source, target
    return value * source.factor / target.factor, source, target


def _to_kelvin(value: float, symbol: str) -> float:
    kelvin = {"°C": value + 273.15, "°F": (value - 32) * 5 / 9 + 273.15, "K": value}[symbol]
    if kelvin < -1e-9:
        raise UnitError(f"{value:g} {symbol} is below absolute zero")
    return kelvin


def _from_kelvin(kelvin: float, symbol: str) -> float:
    return {"°C": kelvin - 273.15, "°F": (kelvin - 273.15) * 9 / 5 + 32, "K": kelvin}[symbol]


def categories() -> dict[str, list[str]]:
    """Unit symbols by category, for documentation and error messages."""
    out: dict[str, list[str]] = {}
    for unit in _UNITS.values():
        if unit.symbol not in out.setdefault(unit.category, []):
            out[unit.category].append(unit.symbol)
    return out


__all__ = ["Unit", "UnitError", "categories", "convert", "find_unit"]
