"""Crawl runs: started, finished or ended with their process, their errors, and each source's
last run (for `presswatch status` and the review page's sources)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.orm import aliased

from presswatch.clock import now_utc
from presswatch.counts import ClippingStats, CrawlCounts, ErrorLine, FeedFetchRecord
from presswatch.storage.db import conflict_insert, reading, writing
from presswatch.storage.models import (
    Clipping,
    CrawlError,
    CrawlRun,
    FeedFetch,
    Source,
    SourceDay,
)
from presswatch.storage.records import RunRecord, as_utc
from presswatch.storage.sources import SourceStore

_ERROR_LINES = 5


@dataclass(frozen=True, slots=True)
class RunHealth:
    """A source's last crawl run."""

    started_at: datetime
    finished_at: datetime | None
    status: str
    fetched: int
    stored: int
    duplicates: int
    errors: int
    error_lines: tuple[tuple[str, str, str], ...]  # kind, url, message (the first few)


@dataclass(frozen=True, slots=True)
class SourceHealth:
    name: str
    last_run: RunHealth | None
    clippings_24h: int


class RunStore:
    def __init__(self, engine: Engine, sources: SourceStore) -> None:
        self.engine = engine
        self._sources = sources

    def start_run(self, source_name: str, owner: str | None = None) -> int:
        """A new crawl run of the source, run by process `owner` ("host:pid")."""
        source_id = self._sources.source_id(source_name)
        with writing(self.engine) as connection:
            result = connection.execute(
                insert(CrawlRun).values(
                    source_id=source_id,
                    started_at=now_utc(),
                    status="running",
                    owner=owner,
                    **CrawlCounts().as_dict(),
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def finish_run(
        self,
        run_id: int,
        counts: CrawlCounts,
        status: str,
        clippings: ClippingStats | None = None,
        feed_fetches: Sequence[FeedFetchRecord] = (),
    ) -> None:
        """The run's counts, what its new clippings were like, how its feeds and sitemaps
        answered; and the run added to its source's day (SourceDay)."""
        clippings = clippings or ClippingStats()
        now = now_utc()
        with writing(self.engine) as connection:
            source_id = connection.scalar(
                update(CrawlRun)
                .where(CrawlRun.id == run_id)
                .values(
                    finished_at=now,
                    status=status,
                    dated=clippings.dated,
                    authored=clippings.authored,
                    median_words=clippings.median_words,
                    **counts.as_dict(),
                )
                .returning(CrawlRun.source_id)
            )
            if feed_fetches:
                connection.execute(
                    insert(FeedFetch),
                    [{"crawl_run_id": run_id, **asdict(fetch)} for fetch in feed_fetches],
                )
            if source_id is not None:
                self._add_to_day(connection, source_id, now.date().isoformat(), counts)

    def _add_to_day(
        self, connection: Connection, source_id: int, day: str, counts: CrawlCounts
    ) -> None:
        added = {
            "runs": 1,
            "requests": counts.requests,
            "errors": counts.errors,
            "fetched": counts.fetched,
            "extracted": counts.extracted,
            "stored": counts.stored,
        }
        stmt = conflict_insert(connection, SourceDay).values(source_id=source_id, day=day, **added)
        table = SourceDay.__table__.c
        connection.execute(
            stmt.on_conflict_do_update(
                index_elements=["source_id", "day"],
                set_={name: table[name] + stmt.excluded[name] for name in added},
            )
        )

    def end_runs(self, run_ids: Sequence[int], status: str, message: str) -> None:
        """Runs whose crawl process ended before them (died, or was killed): `status` (failed,
        interrupted), with the reason as an error."""
        now = now_utc()
        with writing(self.engine) as connection:
            ended = connection.scalars(
                update(CrawlRun)
                .where(CrawlRun.id.in_(list(run_ids)), CrawlRun.status == "running")
                .values(status=status, finished_at=now, errors=CrawlRun.errors + 1)
                .returning(CrawlRun.id)
            ).all()
            if ended:  # a run that finished just before its process ended keeps its record
                connection.execute(
                    insert(CrawlError),
                    [
                        {"crawl_run_id": r, "url": "", "kind": "crawl", "message": message}
                        | {"at": now}
                        for r in ended
                    ],
                )

    def last_runs(self) -> dict[str, RunRecord]:
        """Each source's latest crawl run (by start time), with the time its newest clipping
        was fetched; both looked up per source on their indexes, never by aggregating a table."""
        latest_run = (
            select(CrawlRun.id)
            .where(CrawlRun.source_id == Source.id)
            .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
            .limit(1)
            .correlate(Source)
            .scalar_subquery()
        )
        newest = (
            select(func.max(Clipping.fetched))
            .where(Clipping.source_id == Source.id)
            .correlate(Source)
            .scalar_subquery()
        )
        stmt = select(
            Source.name,
            CrawlRun.started_at,
            CrawlRun.finished_at,
            CrawlRun.status,
            CrawlRun.stored,
            CrawlRun.duplicates,
            CrawlRun.errors,
            newest.label("last_clipping_at"),
        ).join(CrawlRun, CrawlRun.id == latest_run)
        with reading(self.engine) as connection:
            return {
                row.name: RunRecord(
                    row.name,
                    as_utc(row.started_at) or now_utc(),
                    as_utc(row.finished_at),
                    row.status,
                    row.stored,
                    row.duplicates,
                    row.errors,
                    as_utc(row.last_clipping_at),
                )
                for row in connection.execute(stmt)
            }

    def interrupt_stale_runs(self, started_before: datetime) -> int:
        """Runs still marked running that started before `started_before` (their process
        died without finishing them) are marked interrupted; returns how many."""
        with writing(self.engine) as connection:
            result = connection.execute(
                update(CrawlRun)
                .where(CrawlRun.status == "running", CrawlRun.started_at < started_before)
                .values(status="interrupted", finished_at=now_utc())
            )
            return int(result.rowcount or 0)

    def record_error(self, run_id: int, url: str, kind: str, message: str) -> None:
        with writing(self.engine) as connection:
            connection.execute(
                insert(CrawlError).values(
                    crawl_run_id=run_id, url=url, kind=kind, message=message[:2000], at=now_utc()
                )
            )

    def run_errors(self, run_ids: Sequence[int]) -> list[ErrorLine]:
        with reading(self.engine) as connection:
            rows = connection.execute(
                select(Source.name, CrawlError.url, CrawlError.kind, CrawlError.message)
                .join(CrawlRun, CrawlRun.id == CrawlError.crawl_run_id)
                .join(Source, Source.id == CrawlRun.source_id)
                .where(CrawlError.crawl_run_id.in_(run_ids))
                .order_by(CrawlError.id)
            )
            return [ErrorLine(*row) for row in rows]

    def running_runs(self) -> dict[int, str | None]:
        """The crawl runs marked running, with the process that runs them ("host:pid")."""
        with reading(self.engine) as connection:
            rows = connection.execute(
                select(CrawlRun.id, CrawlRun.owner).where(CrawlRun.status == "running")
            )
            return {run_id: owner for run_id, owner in rows}

    def source_health(self) -> dict[str, SourceHealth]:
        """Per source in the database: its last crawl run and the clippings of the last day."""
        runs = aliased(CrawlRun)
        last_run = (
            select(runs.id)
            .where(runs.source_id == Source.id)
            .order_by(runs.started_at.desc())
            .limit(1)
            .scalar_subquery()
        )
        day_ago = now_utc() - timedelta(days=1)
        recent = (
            select(func.count())
            .where(Clipping.source_id == Source.id, Clipping.fetched >= day_ago)
            .scalar_subquery()
        )
        stmt = (
            select(
                Source.name,
                recent.label("clippings_24h"),
                CrawlRun.id,
                CrawlRun.started_at,
                CrawlRun.finished_at,
                CrawlRun.status,
                CrawlRun.fetched,
                CrawlRun.stored,
                CrawlRun.duplicates,
                CrawlRun.errors,
            )
            .outerjoin(CrawlRun, CrawlRun.id == last_run)
            .order_by(Source.name)
        )
        with reading(self.engine) as connection:
            rows = connection.execute(stmt).mappings().all()
            run_ids = [row["id"] for row in rows if row["id"] is not None]
            errors: dict[int, list[tuple[str, str, str]]] = {}
            if run_ids:
                error_rows = connection.execute(
                    select(
                        CrawlError.crawl_run_id, CrawlError.kind, CrawlError.url, CrawlError.message
                    )
                    .where(CrawlError.crawl_run_id.in_(run_ids))
                    .order_by(CrawlError.id)
                )
                for run_id, kind, url, message in error_rows:
                    errors.setdefault(run_id, []).append((kind, url, message))
        out: dict[str, SourceHealth] = {}
        for row in rows:
            run = None
            if row["id"] is not None:
                run = RunHealth(
                    row["started_at"],
                    row["finished_at"],
                    row["status"],
                    row["fetched"],
                    row["stored"],
                    row["duplicates"],
                    row["errors"],
                    tuple(errors.get(row["id"], [])[:_ERROR_LINES]),
                )
            out[row["name"]] = SourceHealth(row["name"], run, int(row["clippings_24h"] or 0))
        return out
