"""Cron expressions as users write them, turned into APScheduler triggers.

Two differences between cron and APScheduler 3 are bridged here. APScheduler reads a
day-of-week number as Monday = 0, where cron reads it as Sunday = 0 (and 7): "0 8 * * 1" would
fire on Tuesdays, so the day-of-week field is translated into day names. And when both the
day of the month and the day of the week are restricted, cron fires on either ("0 0 15 * 1":
the 15th, and every Monday), APScheduler only on both: such an expression becomes two triggers,
either of which fires. Times are the machine's local time, as with cron.
"""

from __future__ import annotations

from datetime import tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_trigger(
    expr: str, jitter_s: float | None = None, timezone: tzinfo | None = None
) -> BaseTrigger:
    """`"*/15 * * * *"` -> a trigger; ValueError saying what is wrong."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"five fields expected, found {len(fields)}")
    minute, hour, day, month, weekdays = fields
    names = cron_weekdays(weekdays)

    def trigger(day: str, day_of_week: str) -> CronTrigger:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            jitter=jitter_s,
            timezone=timezone,
        )

    if day in ("*", "?") or names == "*":
        return trigger(day, names)
    return OrTrigger([trigger(day, "*"), trigger("*", names)], jitter=jitter_s)


def cron_weekdays(field: str) -> str:
    """A cron day-of-week field (`1-5`, `0,6`, `*/2`, `mon-fri`) as APScheduler day names."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 0
        if step_text and step < 1:
            raise ValueError(f'"{part}": the step after "/" must be a whole number from 1')
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            start, _, end = span.partition("-")
            first, last = _day(start), _day(end)
        else:
            first = _day(span)
            last = 6 if step else first
        if last < first:
            raise ValueError(f'"{part}": the range runs backwards')
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    return ",".join(_DAYS[d] for d in sorted(days))


def _day(token: str) -> int:
    if token.isdigit() and int(token) <= 7:
        return int(token)
    if token[:3] in _DAYS:
        return _DAYS.index(token[:3])
    raise ValueError(f'"{token}" is not a day of the week (0-7 or sun-sat)')
