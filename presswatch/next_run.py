"""When a source is crawled next: the rule the service schedules by, and that `presswatch
status` and the review page show, with nothing of the service (nor APScheduler's scheduler).

A source is due one interval (`every`, or for an adaptive source the interval it is polled at
now: presswatch.polling) after its last crawl started, or at the first cron time after it;
never crawled, it is due now. A cron time is computed with APScheduler's cron trigger
(presswatch.cron), imported only for a source that has one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from presswatch.config import SourceConfig

DEFAULT_INTERVAL_S = 3600.0


def due_at(
    source: SourceConfig,
    last_started: datetime | None,
    now: datetime,
    interval_s: float | None = None,
) -> datetime:
    """When `source` is due after a crawl that started at `last_started` (None: never
    crawled); a time before `now` means it is overdue. `interval_s`: the interval an adaptive
    source is polled at now (presswatch.polling.current_interval_s), else its `every` counts."""
    if source.cron:
        from presswatch.cron import cron_trigger

        trigger = cron_trigger(source.cron)
        since = last_started or now
        fire = trigger.get_next_fire_time(None, since)
        return fire if fire is not None else now
    interval = timedelta(seconds=interval_s or source.interval_s or DEFAULT_INTERVAL_S)
    return now if last_started is None else last_started + interval


def next_run(
    source: SourceConfig | None,
    last_started: datetime | None,
    now: datetime,
    interval_s: float | None = None,
) -> datetime | None:
    """When `source` is crawled next as far as anyone outside the service can tell: `now` when
    it is due or overdue; None when it is not scheduled (disabled, or not configured).
    `interval_s` as for due_at."""
    if source is None or not source.enabled:
        return None
    return max(now, due_at(source, last_started, now, interval_s))
