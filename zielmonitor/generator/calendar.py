"""Reporting calendar: Stichtage, event windows and the delivery stands of each month.

Stichtag rule (documented in docs/generator.md): the 15th of the month; when the 15th is a
Saturday or Sunday the Friday before. BA counting days lie mid-month, and moving off the
weekend keeps windows of uneven length, which the warehouse must handle anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

EPOCH = date(1970, 1, 1)
FINAL_AFTER_MONTHS = 3  # contract: final once stand >= stichtag + 3 months
REVISED_MONTHS = 5  # the last 5 months come with a provisional and a revised stand
PROVISIONAL_LAG_DAYS = 14  # first stand two weeks after the Stichtag
FINAL_EXTRA_DAYS = 4  # final stand a few days after stichtag + 3 months
TODAY_LAG_DAYS = 25  # simulation "today" = last Stichtag + 25 days


def month_index(text: str) -> int:
    """'2016-03' -> 12*2016 + 2 (months since year 0, January = 0)."""
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    idx = day.year * 12 + day.month - 1 + months
    first = month_start(idx)
    last = (month_start(idx + 1) - timedelta(days=1)).day
    return first.replace(day=min(day.day, last))


def stichtag(index: int) -> date:
    day = month_start(index).replace(day=15)
    return day - timedelta(days=max(0, day.weekday() - 4))  # Sat -> Fri, Sun -> Fri


def day_number(day: date) -> int:
    return (day - EPOCH).days


def to_date(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


def next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Stand:
    stand: date
    final: bool


def stand_plan(first: int, last: int) -> dict[int, list[Stand]]:
    """Stands per output month: one final stand for older months; the last REVISED_MONTHS
    months get a provisional stand and a revised one (final if already due by "today",
    otherwise a later provisional one dated "today")."""
    today = stichtag(last) + timedelta(days=TODAY_LAG_DAYS)
    plan: dict[int, list[Stand]] = {}
    for m in range(first, last + 1):
        st = stichtag(m)
        final = next_weekday(add_months(st, FINAL_AFTER_MONTHS) + timedelta(FINAL_EXTRA_DAYS))
        if m <= last - REVISED_MONTHS:
            plan[m] = [Stand(final, True)]
            continue
        provisional = next_weekday(st + timedelta(days=PROVISIONAL_LAG_DAYS))
        revised = Stand(final, True) if final <= today else Stand(today, False)
        plan[m] = [Stand(provisional, False)] + ([revised] if revised.stand > provisional else [])
    return plan
