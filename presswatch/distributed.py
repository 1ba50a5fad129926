"""Distributed mode (`[queue] url`): crawls and deliveries as Dramatiq messages on Redis.

The unit of work is one source's crawl. `run --role scheduler` and `crawl` put messages on the
queue; `presswatch worker` takes them: it crawls the source with its own crawl process (its own
config file's `[crawl]` settings), stores, matches and delivers. A message is acknowledged only
when its crawl is done; the messages of a worker that dies (no heartbeat for
`[queue] worker_timeout`) go back on the queue for the others. The new crawl skips every URL
already stored, so what the dead worker had in flight is fetched again, and nothing else. The
database keeps one clipping per canonical URL and alerts are claimed before sending, so
several nodes never store or send anything twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.results import Results
from dramatiq.results.backends.redis import RedisBackend

from presswatch.config import Config, SourceConfig, channel_problems
from presswatch.counts import CrawlCounts, CrawlSummary, ErrorLine, SourceResult
from presswatch.errors import CrawlError
from presswatch.redact import redacted
from presswatch.storage.repository import Repository

log = logging.getLogger(__name__)

QUEUE_NAME = "crawls"
# Each worker's redis commands run the broker's upkeep (requeueing a dead worker's messages)
# with this chance in a million: often enough that dead workers are noticed within seconds
MAINTENANCE_CHANCE = 50_000
RESULT_TTL_MS = 24 * 3600 * 1000

CrawlHandler = Callable[[str, float | None], dict[str, Any]]
DeliverHandler = Callable[[str | None, str | None], None]


class WorkerStopping(dramatiq.Retry):
    """A worker that is stopping got a crawl: the message goes back on the queue (a Retry, so
    that Dramatiq does not log a clean stop as an error)."""


def _retry_if_stopping(retries: int, exc: BaseException) -> bool:
    return isinstance(exc, WorkerStopping)


class CrawlQueue:
    """The broker and the two kinds of message; a worker passes the handlers that do the work."""

    def __init__(
        self,
        config: Config,
        crawl: CrawlHandler | None = None,
        deliver: DeliverHandler | None = None,
    ) -> None:
        queue = config.queue
        if not queue.url:
            raise CrawlError("distributed mode needs [queue] url")
        self.crawl_timeout_ms = int((config.service.crawl_timeout_s + 120) * 1000)
        self.broker = RedisBroker(
            url=queue.url,
            namespace=queue.name,
            heartbeat_timeout=int(queue.worker_timeout_s * 1000),
            maintenance_chance=MAINTENANCE_CHANCE,
        )
        self.results = RedisBackend(url=queue.url, namespace=f"{queue.name}-results")
        self.broker.add_middleware(Results(backend=self.results))
        self._closed = threading.Event()
        handlers = _Handlers(crawl, deliver)

        def crawl_source(source_name: str, release_after_s: float | None = 0.0) -> dict[str, Any]:
            return handlers.crawl(source_name, release_after_s)

        def deliver_alerts(event: str | None = None, topic: str | None = None) -> None:
            handlers.deliver(event, topic)

        self.crawl_actor: Any = dramatiq.actor(
            broker=self.broker,
            queue_name=QUEUE_NAME,
            # a failed crawl is counted and the schedule runs it again; only a crawl that a
            # stopping worker could not take goes back on the queue (after a short delay)
            retry_when=_retry_if_stopping,
            min_backoff=1000,
            time_limit=self.crawl_timeout_ms,
            store_results=True,
            result_ttl=RESULT_TTL_MS,
        )(crawl_source)
        self.deliver_actor: Any = dramatiq.actor(
            broker=self.broker, queue_name=QUEUE_NAME, max_retries=0
        )(deliver_alerts)

    def close(self, timeout_s: float = 30.0) -> None:
        self._closed.set()
        self.broker.close()
        self.broker.client.close()
        self.results.client.close()

    # the sending side

    def crawl(
        self,
        config: Config,
        sources: Sequence[SourceConfig],
        on_progress: Any = None,
        timeout_s: float | None = None,
        *,
        release_after_s: float | None,
    ) -> CrawlSummary:
        """Put one message per source on the queue and wait for the workers' summaries. The
        alerts of each source's crawl are due `release_after_s` after it ends (None: held
        until the caller releases them)."""
        try:
            messages = [self.crawl_actor.send(s.name, release_after_s) for s in sources]
        except redis.RedisError as exc:
            where = redacted(config.queue.url or "")
            raise CrawlError(f"the queue at {where} is not reachable: {exc}") from exc
        # each crawl may take its limit after the one before it came back: crawls wait in the
        # queue for a free worker
        limit = (timeout_s or config.service.crawl_timeout_s) + 120
        results: list[SourceResult] = []
        errors: list[ErrorLine] = []
        for source, message in zip(sources, messages, strict=True):
            deadline = time.monotonic() + limit
            summary = summary_from_dict(self._result(source.name, message, deadline))
            results.extend(summary.results)
            errors.extend(summary.errors)
        return CrawlSummary(tuple(results), tuple(errors))

    def _result(self, source: str, message: Any, deadline: float) -> dict[str, Any]:
        """Wait for a crawl's summary a second at a time, so that close() ends the wait."""
        while not self._closed.is_set():
            try:
                data: dict[str, Any] = message.get_result(
                    backend=self.results, block=True, timeout=1000
                )
                return data
            except dramatiq.results.ResultTimeout:
                if time.monotonic() > deadline:
                    raise CrawlError(
                        f"no worker finished the crawl of {source} in time"
                        " (are `presswatch worker` processes running?)"
                    ) from None
            except dramatiq.results.ResultFailure as exc:
                raise CrawlError(f"the crawl of {source} failed on its worker: {exc}") from exc
            except redis.RedisError as exc:
                raise CrawlError(f"the queue is not reachable: {exc}") from exc
        raise CrawlError(f"stopped waiting for the crawl of {source}: shutting down")

    def request_delivery(
        self, event: str | None = None, topic: str | None = None, delay_s: float = 0.0
    ) -> None:
        """A worker delivers what is due (`delay_s` from now)."""
        try:
            self.deliver_actor.send_with_options(
                args=(event, topic), delay=int(delay_s * 1000) or None
            )
        except redis.RedisError as exc:
            log.error("could not queue an alert delivery: the queue is not reachable: %s", exc)


class _Handlers:
    """What a worker does with a message; a queue that only sends has none."""

    def __init__(self, crawl: CrawlHandler | None, deliver: DeliverHandler | None) -> None:
        self._crawl = crawl
        self._deliver = deliver

    def crawl(self, source_name: str, release_after_s: float | None) -> dict[str, Any]:
        if self._crawl is None:
            raise CrawlError("this process only sends crawls; run `presswatch worker`")
        return self._crawl(source_name, release_after_s)

    def deliver(self, event: str | None, topic: str | None) -> None:
        if self._deliver is not None:
            self._deliver(event, topic)


def summary_to_dict(summary: CrawlSummary) -> dict[str, Any]:
    return {
        "results": [{**asdict(r), "counts": r.counts.as_dict()} for r in summary.results],
        "errors": [asdict(e) for e in summary.errors],
    }


def summary_from_dict(data: dict[str, Any]) -> CrawlSummary:
    results = tuple(
        SourceResult(
            r["source"], r["run_id"], r["status"], r["duration_s"], CrawlCounts(**r["counts"])
        )
        for r in data["results"]
    )
    errors = tuple(ErrorLine(**e) for e in data["errors"])
    return CrawlSummary(results, errors)


class Worker:
    """`presswatch worker`: takes crawls and deliveries off the queue until stopped."""

    def __init__(self, config: Config, log_level: int = logging.INFO) -> None:
        from presswatch.crawler.run import CrawlHost

        self.config = config
        self.host = CrawlHost(log_level, workers=config.crawl.extract_workers)
        self.queue = CrawlQueue(config, crawl=self._crawl, deliver=self._deliver)
        self._stop = threading.Event()
        self._deliver_lock = threading.Lock()
        self._repository: Repository | None = None

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        threads = self.config.service.parallel_crawls
        # a crawl is long: a worker holds no more messages than it is crawling, so that a
        # message never waits behind a busy worker while another one is idle
        worker = dramatiq.Worker(self.queue.broker, queues={QUEUE_NAME}, worker_threads=threads)
        worker.queue_prefetch = threads
        self.host.start()
        worker.start()
        for problem in channel_problems(self.config):  # said once, not at every delivery
            log.warning("%s", problem)
        log.info(
            "worker: taking crawls from %s (queue %s)",
            redacted(self.config.queue.url or ""),
            self.config.queue.name,
        )
        self._stop.wait()
        log.info("worker: stopping")
        self.host.close(self.config.service.stop_timeout_s)
        worker.stop(timeout=int(self.config.service.stop_timeout_s * 1000) + 5000)
        self.queue.close()
        if self._repository is not None:
            self._repository.engine.dispose()
        log.info("worker: stopped")

    def _crawl(self, source_name: str, release_after_s: float | None) -> dict[str, Any]:
        source = next((s for s in self.config.sources if s.name == source_name), None)
        if source is None:
            raise CrawlError(f"this worker's config has no source {source_name!r}")
        if self._stop.is_set():
            raise WorkerStopping(source_name)
        log.info("crawl %s started", source_name)
        try:
            summary = self.host.crawl(
                self.config,
                [source],
                timeout_s=self.config.service.crawl_timeout_s,
                release_after_s=release_after_s,
            )
        except CrawlError:
            if self._stop.is_set():
                raise WorkerStopping(source_name) from None
            raise
        for result in summary.results:
            log.info("%s", result)
        if self._stop.is_set() or release_after_s is None:  # held for whoever sent the crawl
            return summary_to_dict(summary)
        if release_after_s > 0:  # once crawls ending meanwhile have added their clippings
            self.queue.request_delivery(delay_s=release_after_s)
        else:
            self._deliver(None, None)
        return summary_to_dict(summary)

    def _deliver(self, event: str | None, topic: str | None) -> None:
        from presswatch.alerts.deliver import build_channels, deliver

        if not self.config.channels or self._stop.is_set():
            return
        options: dict[str, Any] = {}
        if event == "digest":
            options = {"event": "digest", "topic": topic, "ignore_schedule": True}
        with self._deliver_lock:
            report = deliver(
                self._opened_repository(), self.config, build_channels(self.config), **options
            )
        if report:
            log.info("%s", report)

    def _opened_repository(self) -> Repository:
        from presswatch.storage.db import open_database

        if self._repository is None:
            self._repository = Repository(open_database(self.config.database.url))
        return self._repository
