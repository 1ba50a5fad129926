"""When a source is crawled next, from its `every` or `cron` and its last crawl.

TODO(#6): use presswatch.scheduler's own answer once the scheduled service lands; this is the
one function to swap.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from presswatch.config import SourceConfig

_NAMES = {
    name: number
    for names in (
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        ("sun", "mon", "tue", "wed", "thu", "fri", "sat"),
    )
    for number, name in enumerate(names, start=1 if names[0] == "jan" else 0)
}
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))  # minute hour day month weekday
_SEARCH_DAYS = 4 * 366  # "29 2 * *" waits up to four years


def next_run(
    source: SourceConfig | None, last_started: datetime | None, now: datetime
) -> datetime | None:
    """When the source is crawled next (UTC), `now` when it is due; None when it has no
    schedule (not configured any more, or disabled)."""
    if source is None or not source.enabled:
        return None
    if source.cron:
        return next_cron_time(source.cron, now)
    interval_s = source.interval_s or 0.0
    if last_started is None:
        return now
    return max(now, last_started + timedelta(seconds=interval_s))


def next_cron_time(expression: str, after: datetime) -> datetime | None:
    """The first minute after `after` that the five-field cron expression names (a day of the
    month and a weekday both given: either will do, as in cron); None if none in four years
    or the expression is not understood."""
    try:
        minutes, hours, days, months, weekdays = (
            _field(text, low, high)
            for text, (low, high) in zip(expression.split(), _RANGES, strict=True)
        )
    except ValueError:
        return None
    weekdays = {d % 7 for d in weekdays}
    any_day = expression.split()[2] == "*"
    any_weekday = expression.split()[4] == "*"
    start = (after + timedelta(minutes=1)).replace(second=0, microsecond=0)
    day = start.replace(hour=0, minute=0)
    for _ in range(_SEARCH_DAYS):
        weekday = (day.weekday() + 1) % 7  # cron: 0 is Sunday
        if any_day or any_weekday:
            day_ok = day.day in days and weekday in weekdays
        else:
            day_ok = day.day in days or weekday in weekdays
        if day.month in months and day_ok:
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    moment = day.replace(hour=hour, minute=minute)
                    if moment >= start:
                        return moment
        day += timedelta(days=1)
    return None


def _field(text: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body == "*":
            first, last = low, high
        elif "-" in body:
            first_text, last_text = body.split("-", 1)
            first, last = _value(first_text), _value(last_text)
        else:
            first = _value(body)
            last = high if step_text else first
        if not (low <= first <= last <= high) or step < 1:
            raise ValueError(part)
        values.update(range(first, last + 1, step))
    return values


def _value(text: str) -> int:
    return _NAMES[text] if text in _NAMES else int(text)
