"""`presswatch status`: each source's last crawl and next one, and the alert outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from presswatch.clock import now_utc
from presswatch.config import Config
from presswatch.next_run import due_at
from presswatch.polling import current_interval_s, poll_bounds_s, schedule_text
from presswatch.storage.health import HealthEventRecord
from presswatch.storage.records import RunRecord
from presswatch.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class SourceStatus:
    name: str
    schedule: str
    last_run: RunRecord | None
    next_run: datetime
    overdue: bool  # the next run is past: the service is down, busy, or about to start it
    interval_s: float | None  # seconds between crawls now (None: cron)
    adaptive: tuple[float, float] | None  # adaptive polling's bounds: min_every, every


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    sources: tuple[SourceStatus, ...]
    outbox: dict[str, int]  # alerts by status: pending, sending, sent, failed
    health: tuple[HealthEventRecord, ...] = ()  # the sources' health events open now

    @property
    def outbox_summary(self) -> dict[str, int]:
        """Pending (an alert being sent counts as pending until it is sent), failed, sent."""
        return {
            "pending": self.outbox.get("pending", 0) + self.outbox.get("sending", 0),
            "failed": self.outbox.get("failed", 0),
            "sent": self.outbox.get("sent", 0),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": [_source_dict(s) for s in self.sources],
            "outbox": self.outbox_summary,
            "health": [
                {
                    "source": e.source,
                    "kind": e.kind,
                    "since": e.since.isoformat(),
                    "message": e.message,
                }
                for e in self.health
            ],
        }


def service_status(
    config: Config, repository: Repository, now: datetime | None = None
) -> ServiceStatus:
    now = now or now_utc()
    runs = repository.last_runs()
    stored = repository.poll_intervals()
    rows = []
    for source in config.sources:
        if not source.enabled:
            continue
        last = runs.get(source.name)
        adaptive_s = current_interval_s(source, config.crawl, stored.get(source.name))
        due = due_at(source, last.started_at if last else None, now, adaptive_s)
        rows.append(
            SourceStatus(
                source.name,
                schedule_text(source, adaptive_s),
                last,
                due,
                due <= now,
                adaptive_s or source.interval_s,
                None if adaptive_s is None else poll_bounds_s(source),
            )
        )
    return ServiceStatus(
        tuple(rows),
        repository.outbox_counts(),
        tuple(reversed(repository.health.events(open_only=True))),
    )


def _source_dict(status: SourceStatus) -> dict[str, Any]:
    run = status.last_run
    return {
        "name": status.name,
        "schedule": status.schedule,
        "interval_s": status.interval_s,
        "adaptive": None
        if status.adaptive is None
        else {"min_every_s": status.adaptive[0], "every_s": status.adaptive[1]},
        "last_run": None
        if run is None
        else {
            "started": run.started_at.isoformat(),
            "finished": run.finished_at.isoformat() if run.finished_at else None,
            "duration_s": None if run.duration_s is None else round(run.duration_s, 3),
            "status": run.status,
            "new_clippings": run.stored,
            "duplicates": run.duplicates,
            "errors": run.errors,
        },
        "last_new_clipping": run.last_clipping_at.isoformat()
        if run and run.last_clipping_at
        else None,
        "next_run": status.next_run.isoformat(),
        "overdue": status.overdue,
    }
