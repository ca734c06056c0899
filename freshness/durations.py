"""Durations in claims files (`180d`, `26w`, `6m`, `1y`): a claim's shelf life and the citations refresh
interval, in days; months and years are calendar ones counted from a start day (docs/claims.md)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

MAX_SHELF_LIFE_DAYS = 100 * 365
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
_DURATION = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)


def parse_duration(text: str, start: dt.date | None = None) -> int:
    """Days in a duration such as `180d`, `26w`, `6m` or `1y`; ValueError if bad. Months and years are
    calendar ones counted from `start` (a claim's date: `12m` from 2024-03-01 is 365 days, from
    2023-03-01 366); without `start`, 30 and 365 days (the bounds check)."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(
            f"{text!r} is not a duration: use a positive whole number and a unit, e.g. 180d, 26w, 6m or 1y"
        )
    count, unit = int(m[1]), m[2].lower()
    days = count * _UNIT_DAYS[unit]
    if days <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    if days > MAX_SHELF_LIFE_DAYS:
        raise ValueError(f"{text!r} is longer than 100 years")
    if start is not None and unit in ("m", "y"):
        return (add_months(start, count * (12 if unit == "y" else 1)) - start).days
    return days


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months, on the month's last day when it is shorter (Jan 31 + 1m = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))
