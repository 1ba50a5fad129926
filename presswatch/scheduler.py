"""The long-running service behind `presswatch run`, wired with APScheduler.

Jobs: one per source (its `every` or `cron`; an adaptive source at the interval its last crawl
stored, rescheduled after each crawl: presswatch.polling), one that sends due alerts and
retries every minute, one per digest topic at its `digest_cron`, and one that re-checks the
clippings due for it every minute (presswatch.corrections), in a thread of its own. Crawls
run in one crawl process kept by a CrawlHost (Scrapy's reactor cannot be restarted, so it
never runs here).
Nothing about the schedule is kept apart from the database: when a source is due follows from
its last crawl run (and an adaptive source's stored interval), so a restarted service picks up
where it was, and a run missed while it was down happens once, spread with jitter over a short
window so that a restart does not fire every source at once.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from presswatch.alerts.channels.base import Channel
from presswatch.clock import now_utc
from presswatch.config import Config, SourceConfig, channel_problems, load_config
from presswatch.counts import CrawlSummary
from presswatch.crawler.run import CrawlHost
from presswatch.cron import cron_trigger
from presswatch.errors import ConfigError, CrawlError, PresswatchError
from presswatch.next_run import DEFAULT_INTERVAL_S, due_at
from presswatch.polling import current_interval_s, format_interval, poll_bounds_s
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository

if TYPE_CHECKING:
    from presswatch.distributed import CrawlQueue, Worker

log = logging.getLogger("presswatch.service")
Role = Literal["both", "scheduler"]


class Crawler(Protocol):
    """Where crawls run: here (CrawlHost) or on the workers (CrawlQueue)."""

    def crawl(
        self,
        config: Config,
        sources: Sequence[SourceConfig],
        on_progress: Any = None,
        timeout_s: float | None = None,
        *,
        release_after_s: float | None,
    ) -> CrawlSummary: ...

    def close(self, timeout_s: float = 30.0) -> None: ...


DELIVER_EVERY_S = 60.0
RECHECK_EVERY_S = 60.0
CONFIG_CHECK_S = 2.0  # how often the config file is checked for edits
MAX_SPREAD_S = 60.0  # sources overdue at start are spread over at most this long
QUEUE_WAITERS = 256  # sources whose crawls may be on the queue at once (distributed mode)


# when a source first runs (when it is due is presswatch.next_run's rule)


def first_run(
    source: SourceConfig,
    last_started: datetime | None,
    now: datetime,
    rng: Callable[[], float] = random.random,
    interval_s: float | None = None,
) -> datetime:
    """The first run after the service starts (or the source's schedule changes): when due,
    or, if overdue, once soon, at a random point of a short window. `interval_s`: an adaptive
    source's interval now (else its `every` counts)."""
    due = due_at(source, last_started, now, interval_s)
    if due > now:
        return due
    return now + timedelta(seconds=rng() * spread_s(source, interval_s))


def spread_s(source: SourceConfig, interval_s: float | None = None) -> float:
    """Overdue sources start within this window; each run is also delayed by up to a tenth of
    it, so that sources on the same schedule do not all hit the network at the same second."""
    interval = interval_s or source.interval_s or DEFAULT_INTERVAL_S
    return min(interval / 2, MAX_SPREAD_S)


def _source_trigger(
    source: SourceConfig, start: datetime, interval_s: float | None = None
) -> BaseTrigger:
    jitter = spread_s(source, interval_s) / 10 or None
    if source.cron:
        return cron_trigger(source.cron, jitter)
    return IntervalTrigger(
        seconds=interval_s or source.interval_s or DEFAULT_INTERVAL_S,
        start_date=start,
        jitter=jitter,
    )


# the service


@dataclass(frozen=True, slots=True)
class _Job:
    """What a scheduled job does and on what schedule; a changed spec reschedules it."""

    kind: str  # crawl, digest
    name: str
    schedule: str

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.name}"


class Service:
    """`presswatch run`: call run(); stop() and reload() are safe from signal handlers."""

    def __init__(
        self,
        config_path: Path,
        config: Config,
        log_level: int = logging.INFO,
        role: Role = "both",
    ) -> None:
        self._config_path = config_path
        self._config = config
        self._config_mtime = _mtime(config_path)
        self._database_url = config.database.url
        self._repository = Repository(open_database(config.database.url))
        self._channels = _channels(config)
        # crawls run here, or (with [queue] url) go to the workers through the queue; `run`
        # alone with a queue is a scheduler and a worker in one process
        self._queue: CrawlQueue | None = None
        self._worker: Worker | None = None
        self._worker_thread: threading.Thread | None = None
        self._host: Crawler
        if config.queue.url:
            from presswatch.distributed import CrawlQueue, Worker

            self._queue = CrawlQueue(config)
            self._host = self._queue
            if role == "both":
                self._worker = Worker(config, log_level)
        else:
            self._host = CrawlHost(log_level, workers=config.crawl.extract_workers)
        self._jobs: dict[str, _Job] = {}
        # adaptive sources: the interval each one's job runs at (the database has the truth)
        self._intervals: dict[str, float] = {}
        self._wake = threading.Event()
        self._stop_requested = False
        self._reload_requested = False
        self._stopping = threading.Event()
        self._deliver_lock = threading.Lock()
        self._scheduler = BackgroundScheduler(
            executors={
                # with a queue these threads only wait for the workers, who limit the crawls
                "crawl": ThreadPoolExecutor(
                    QUEUE_WAITERS if config.queue.url else config.service.parallel_crawls
                ),
                "default": ThreadPoolExecutor(2),
                # re-checks fetch pages one after another: never in the crawls' or the
                # deliveries' way
                "recheck": ThreadPoolExecutor(1),
            },
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def stop(self) -> None:
        self._stop_requested = True
        self._wake.set()

    def reload(self) -> None:
        self._reload_requested = True
        self._wake.set()

    def run(self) -> None:
        """Schedule everything and serve until stop(); then stop cleanly."""
        timeout = timedelta(seconds=self._config.service.crawl_timeout_s + 60)
        stale = self._repository.interrupt_stale_runs(now_utc() - timeout)
        if stale:
            log.info("marked %d crawl run(s) left running by an earlier process interrupted", stale)
        if isinstance(self._host, CrawlHost):
            self._host.start()
        if self._worker is not None:
            self._worker_thread = threading.Thread(target=self._worker.run, name="worker")
            self._worker_thread.start()
        self._scheduler.start()
        self._sync_jobs()
        self._scheduler.add_job(
            self._deliver,
            IntervalTrigger(seconds=DELIVER_EVERY_S),
            id="deliver",
            next_run_time=now_utc(),  # what an earlier process left pending goes out now
        )
        self._scheduler.add_job(
            self._recheck,
            IntervalTrigger(seconds=RECHECK_EVERY_S),
            id="recheck",
            executor="recheck",  # first a minute after the start, not beside the first crawls
        )
        for problem in channel_problems(self._config):  # said once, not at every delivery
            log.warning("%s", problem)
        log.info(
            "presswatch run: %d source(s), %d topic(s), %d channel(s)",
            len(self._enabled_sources()),
            len(self._config.topics),
            len(self._channels),
        )
        try:
            while not self._stop_requested:
                self._wake.wait(CONFIG_CHECK_S)
                self._wake.clear()
                if self._stop_requested:
                    break
                if self._reload_requested or _mtime(self._config_path) != self._config_mtime:
                    self._reload_requested = False
                    try:
                        self._reload()
                    except PresswatchError as exc:  # the database, say: the old jobs stay
                        log.error("config not reloaded, the running one stays: %s", exc)
        finally:
            self._shutdown()

    # jobs

    def _enabled_sources(self) -> list[SourceConfig]:
        return [s for s in self._config.sources if s.enabled]

    def _wanted_jobs(self) -> dict[str, _Job]:
        jobs = [_Job("crawl", s.name, self._schedule_of(s)) for s in self._enabled_sources()]
        jobs += [
            _Job("digest", t.name, t.digest_cron)
            for t in self._config.topics
            if t.mode == "digest" and t.digest_cron
        ]
        return {job.id: job for job in jobs}

    def _schedule_of(self, source: SourceConfig) -> str:
        """What the job's schedule depends on: an adaptive source's interval moves on its own
        (a reload leaves it be), its bounds are the config's."""
        if source.cron:
            return source.cron
        if source.is_adaptive(self._config.crawl):
            low_s, high_s = poll_bounds_s(source)
            return f"adaptive {low_s}s-{high_s}s"
        return f"every {source.interval_s}s"

    def _sync_jobs(self) -> None:
        """Bring the scheduled jobs in line with the config: add, reschedule, remove."""
        wanted = self._wanted_jobs()
        for job_id in set(self._jobs) - set(wanted):
            self._scheduler.remove_job(job_id)
            del self._jobs[job_id]
            self._intervals.pop(job_id.removeprefix("crawl:"), None)
        if not any(j.kind == "crawl" for j in wanted.values()):
            log.warning("no enabled sources: nothing will be crawled until the config has some")
        last_runs = self._repository.last_runs()
        intervals = self._repository.poll_intervals()
        now = now_utc()
        for job_id, job in wanted.items():
            if self._jobs.get(job_id) == job:
                continue
            if job_id in self._jobs:
                self._scheduler.remove_job(job_id)
            if job.kind == "crawl":
                self._add_crawl_job(job, last_runs, intervals, now)
            else:
                self._add_digest_job(job, now)
            self._jobs[job_id] = job

    def _add_crawl_job(
        self, job: _Job, last_runs: dict[str, Any], intervals: dict[str, float], now: datetime
    ) -> None:
        source = next(s for s in self._config.sources if s.name == job.name)
        last = last_runs.get(source.name)
        interval = current_interval_s(source, self._config.crawl, intervals.get(source.name))
        start = first_run(source, last.started_at if last else None, now, interval_s=interval)
        if interval is None:
            self._intervals.pop(source.name, None)
        else:
            self._intervals[source.name] = interval
        self._scheduler.add_job(
            self._crawl,
            _source_trigger(source, start, interval),
            args=(source.name,),
            id=job.id,
            name=f"crawl {source.name}",
            executor="crawl",
            next_run_time=start,
        )

    def _add_digest_job(self, job: _Job, now: datetime) -> None:
        trigger = cron_trigger(job.schedule)
        self._scheduler.add_job(
            self._send_digest, trigger, args=(job.name,), id=job.id, name=f"digest {job.name}"
        )
        opened = self._repository.collecting_digest_since(job.name)
        due = trigger.get_next_fire_time(None, opened) if opened else None
        if due is not None and due <= now:  # its time passed while the service was down
            self._scheduler.add_job(
                self._send_digest,
                args=(job.name,),
                id=f"{job.id}:missed",
                next_run_time=now,
                replace_existing=True,
            )

    def _crawl(self, name: str) -> None:
        config = self._config
        source = next((s for s in config.sources if s.name == name), None)
        if source is None or self._stopping.is_set():
            return
        gather_s = config.alerts.gather_s
        started = now_utc()
        try:
            summary = self._host.crawl(
                config, [source], timeout_s=config.service.crawl_timeout_s, release_after_s=gather_s
            )
        except CrawlError as exc:
            if self._stopping.is_set():
                log.info("crawl %s: %s", name, exc)
            else:
                log.error("crawl %s failed: %s", name, exc)
            return
        self._follow_interval(name, started)
        job = self._scheduler.get_job(f"crawl:{name}")
        next_at = _clock(job.next_run_time if job is not None else None)
        stopped = self._stopping.is_set()
        for result in summary.results:
            # a crawl cut short because the service was told to stop is what the user asked for
            expected = result.status == "finished" or (stopped and result.status == "interrupted")
            level = logging.INFO if expected else logging.WARNING
            log.log(level, "%s; next %s", result, next_at)
        if not self._stopping.is_set() and self._queue is None:  # a worker delivers its own
            self._deliver_after(gather_s)

    def _follow_interval(self, name: str, started: datetime) -> None:
        """An adaptive source's job moves to the interval its crawl (started at `started`)
        stored: its next run is one new interval after that crawl's start."""
        source = next((s for s in self._config.sources if s.name == name), None)
        was = self._intervals.get(name)
        if source is None or was is None or self._stopping.is_set():
            return
        stored = self._repository.poll_interval(name)
        interval = current_interval_s(source, self._config.crawl, stored)
        if interval is None or interval == was:
            return
        start = started + timedelta(seconds=interval)
        try:
            self._scheduler.reschedule_job(
                f"crawl:{name}", trigger=_source_trigger(source, start, interval)
            )
        except (JobLookupError, SchedulerNotRunningError):  # removed by a reload; stopping
            return
        self._intervals[name] = interval
        log.info(
            "crawl %s: polling every %s now (was %s)",
            name,
            format_interval(interval),
            format_interval(was),
        )

    def _deliver_after(self, delay_s: float) -> None:
        """Deliver now, or once crawls ending within `delay_s` have added their clippings."""
        if delay_s <= 0:
            self._deliver()
            return
        with contextlib.suppress(SchedulerNotRunningError):  # stopping
            self._scheduler.add_job(
                self._deliver,
                DateTrigger(now_utc() + timedelta(seconds=delay_s)),
                name="deliver gathered alerts",
            )

    def _recheck(self) -> None:
        from presswatch.corrections import recheck

        if self._stopping.is_set():
            return
        try:
            summary = recheck(self._repository, self._config, should_stop=self._stopping.is_set)
        except PresswatchError as exc:  # the database, say: the next pass tries again
            log.error("re-check of clippings: %s", exc)
            return
        if summary.updates and not self._stopping.is_set():
            self._deliver()

    def _send_digest(self, topic: str) -> None:
        self._deliver(event="digest", topic=topic, ignore_schedule=True)

    def _deliver(self, **options: Any) -> None:
        from presswatch.alerts.deliver import deliver

        if self._stopping.is_set() or not self._config.channels:
            return
        if self._queue is not None:
            self._queue.request_delivery(options.get("event"), options.get("topic"))
            return
        with self._deliver_lock:
            try:
                report = deliver(self._repository, self._config, self._channels, **options)
            except PresswatchError as exc:
                log.error("alert delivery: %s", exc)
                return
        if report:
            log.info("%s", report)

    # reload and stop

    def _reload(self) -> None:
        self._config_mtime = _mtime(self._config_path)
        try:
            config = load_config(self._config_path)
        except ConfigError as exc:
            log.error("config not reloaded, the running one stays: %s", exc)
            return
        if config.database.url != self._database_url:
            log.error(
                "config not reloaded: [database] url changed; restart presswatch to switch "
                "databases (the running config stays)"
            )
            return
        self._config = config
        self._channels = _channels(config)
        for problem in channel_problems(config):
            log.warning("%s", problem)
        self._sync_jobs()
        log.info(
            "config reloaded: %d source(s), %d topic(s), %d channel(s)",
            len(self._enabled_sources()),
            len(config.topics),
            len(self._channels),
        )

    def _shutdown(self) -> None:
        """No new crawls; running ones end at a clean point (or are cut at stop_timeout)."""
        started = time.monotonic()
        limit = self._config.service.stop_timeout_s
        log.info("stopping: running crawls get %.0f s to end cleanly", limit)
        self._stopping.set()
        self._scheduler.shutdown(wait=False)
        if self._worker is not None and self._worker_thread is not None:
            self._worker.stop()
            self._worker_thread.join(limit + 30)
        self._host.close(timeout_s=limit)
        self._repository.engine.dispose()
        log.info("stopped in %.1f s", time.monotonic() - started)


def _channels(config: Config) -> dict[str, Channel]:
    from presswatch.alerts.deliver import build_channels

    return build_channels(config)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _clock(when: datetime | None) -> str:
    return "-" if when is None else when.astimezone().strftime("%H:%M:%S")
