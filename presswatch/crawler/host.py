"""The crawl process: Scrapy's reactor and the extraction pool, running crawls on request.

The parent (presswatch.crawler.run.CrawlHost) sends commands over a pipe and reads messages
from a queue. One process serves many crawls, several at a time, so the long-running service
pays for Scrapy's start and the extraction pool once, not once per crawl; the parent replaces
the process after a number of crawls, or kills it when a crawl will not stop.

Commands:  ("crawl", id, config, sources, want_progress, release_after_s) · ("stop", id, why)
           ("shutdown",)
Messages:  ("log", record) · ("runs", id, {source: run id}) · ("progress", id, counts)
           ("done", id, summary) · ("failed", id, message) · ("closed",)
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import signal
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from typing import TYPE_CHECKING, Any

from presswatch.crawler.extract_pool import ExtractPool, init_extract_worker
from presswatch.crawler.libc import give_back_large_buffers
from presswatch.logs import ParentLogHandler, quiet_third_party

# Only light modules are imported up here: the extraction pool's workers are started first
# thing in host_main, and they import trafilatura while this process imports the rest
if TYPE_CHECKING:
    from scrapy.crawler import AsyncCrawlerRunner

    from presswatch.alerts.matching import ArticleMatcher
    from presswatch.config import Config, SourceConfig, TopicConfig
    from presswatch.counts import CrawlCounts, CrawlSummary
    from presswatch.crawler.backlog import Backlog
    from presswatch.crawler.context import CrawlServices, SourceCrawl
    from presswatch.crawler.guard import NetworkGuard
    from presswatch.storage.repository import Repository

log = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 0.25
REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def host_main(commands: Connection, messages: Queue[Any], log_level: int, workers: int) -> None:
    """Entry point of the crawl process."""
    # the parent decides when crawls stop: Ctrl-C in a terminal and a service manager's
    # SIGTERM to the whole group reach the parent, which asks this process to stop cleanly
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    gc.disable()  # while Scrapy & co. are imported: see _Host._settle
    give_back_large_buffers()  # downloaded pages: memory returned once they are stored
    root = logging.getLogger()
    root.handlers[:] = [ParentLogHandler(messages)]
    root.setLevel(log_level)
    quiet_third_party()

    # the extraction workers start first: their start (a new interpreter importing
    # trafilatura) overlaps this process importing Scrapy instead of delaying the first page
    pool = ExtractPool(workers, init_extract_worker, multiprocessing.get_context("spawn"))
    pool.start()

    from scrapy.utils.reactor import install_reactor

    install_reactor(REACTOR)
    from twisted.internet import reactor

    from presswatch.crawler.guard import NetworkGuard

    host = _Host(messages, pool, reactor, NetworkGuard.install(reactor))
    reader = threading.Thread(
        target=_read_commands, args=(commands, host, reactor), name="commands", daemon=True
    )
    reactor.callWhenRunning(reader.start)
    reactor.callWhenRunning(host.start_ticker)
    reactor.run(installSignalHandlers=False)  # type: ignore[misc, call-arg]
    pool.shutdown()
    messages.put(("closed",))
    messages.close()
    messages.join_thread()


def _read_commands(commands: Connection, host: _Host, reactor: Any) -> None:
    while True:
        try:
            command = commands.recv()
        except (EOFError, OSError):
            # the parent is gone: finish cleanly what runs, then end
            reactor.callFromThread(host.handle, ("shutdown",))
            return
        reactor.callFromThread(host.handle, command)
        if command[0] == "shutdown":
            return


@dataclass(slots=True)
class _Request:
    crawls: list[SourceCrawl]
    runner: AsyncCrawlerRunner
    want_progress: bool
    started: float = field(default_factory=time.monotonic)
    # set when the parent stopped it: the status its runs get, and the error recorded
    stopped: tuple[str, str] | None = None


class _Host:
    def __init__(
        self, messages: Queue[Any], pool: ExtractPool, reactor: Any, guard: NetworkGuard
    ) -> None:
        self.messages = messages
        self.pool = pool
        self.reactor = reactor
        self.guard = guard
        self.requests: dict[int, _Request] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.shutting_down = False
        self._repositories: dict[str, Repository] = {}
        self._matcher: tuple[tuple[TopicConfig, ...], ArticleMatcher] | None = None
        self._backlog: Backlog | None = None
        self._settled = False

    # commands

    def handle(self, command: tuple[Any, ...]) -> None:
        kind = command[0]
        if kind == "crawl":
            _, request_id, config, sources, want_progress, release_after_s = command
            if self.shutting_down:
                self.messages.put(("failed", request_id, "the crawl process is shutting down"))
                return
            self._spawn(self._crawl(request_id, config, sources, want_progress, release_after_s))
        elif kind == "stop":
            _, request_id, why = command
            request = self.requests.get(request_id)
            if request is not None:
                self._spawn(self._stop(request, ("failed", why)))
        elif kind == "shutdown" and not self.shutting_down:
            self.shutting_down = True
            self._spawn(self._shutdown())

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_event_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _stop(self, request: _Request, stopped: tuple[str, str]) -> None:
        if request.stopped is None:
            request.stopped = stopped
            await request.runner.stop()

    async def _shutdown(self) -> None:
        why = ("interrupted", "stopped: presswatch is shutting down")
        await asyncio.gather(*(self._stop(r, why) for r in list(self.requests.values())))
        while self.requests:  # their finishing touches (runs, summaries) are written
            await asyncio.sleep(0.02)
        self.reactor.stop()

    # crawling

    async def _crawl(
        self,
        request_id: int,
        config: Config,
        sources: Sequence[SourceConfig],
        progress: bool,
        release_after_s: float | None,
    ) -> None:
        from presswatch.errors import PresswatchError

        try:
            summary = await self._run(request_id, config, sources, progress, release_after_s)
        except PresswatchError as exc:
            self.messages.put(("failed", request_id, str(exc)))
        except Exception as exc:  # a bug: reported, the process goes on serving
            log.exception("crawl failed")
            self.messages.put(("failed", request_id, f"the crawl failed: {exc!r}"))
        else:
            self.messages.put(("done", request_id, summary))
        finally:
            self.requests.pop(request_id, None)
            self._settle()

    def _settle(self) -> None:
        """Once the first crawl is set up (Scrapy, SQLAlchemy, the parsers imported: objects
        that live as long as the process), move everything so far out of the garbage
        collector's sight and turn it back on (host_main turned it off). Its collections then
        walk only what crawling allocates: they had been ~9% of this process's CPU time in
        bench/crawl_throughput.py, most of it walking the same imported objects again. (The
        first crawl's runner is frozen with them: if it ends up in a reference cycle, that one
        is never freed; the process is replaced after RECYCLE_AFTER crawls anyway.)"""
        if not self._settled:
            self._settled = True
            gc.freeze()
            gc.enable()

    async def _run(
        self,
        request_id: int,
        config: Config,
        sources: Sequence[SourceConfig],
        progress: bool,
        release_after_s: float | None,
    ) -> CrawlSummary:
        """Crawl the sources; then the alerts their clippings went into are released: due
        `release_after_s` from now (None: they stay held, for whoever ordered the crawl)."""
        from scrapy.crawler import AsyncCrawlerRunner

        from presswatch.clock import now_utc
        from presswatch.counts import CrawlSummary, SourceResult
        from presswatch.crawler.context import SourceCrawl
        from presswatch.crawler.settings import scrapy_settings
        from presswatch.crawler.spiders.source import SourceSpider
        from presswatch.extractors.options import ExtractOptions
        from presswatch.health import check_source_health
        from presswatch.liveness import process_owner
        from presswatch.polling import adjust_poll_interval

        services = self._services(config)
        repository = services.repository
        owner = process_owner()
        runner = AsyncCrawlerRunner(scrapy_settings(config.crawl))
        self._settle()
        crawls = [
            SourceCrawl(
                source,
                repository.source_id(source.name),
                repository.start_run(source.name, owner),
                ExtractOptions.of(config.extract, source),
            )
            for source in sources
        ]
        for crawl in crawls:
            if crawl.source.follow_moves:
                urls = [*crawl.source.feeds, *crawl.source.sitemaps]
                crawl.moved.update(repository.health.moved_feeds(crawl.source_id, urls))
        request = _Request(crawls, runner, progress)
        self.requests[request_id] = request
        self.messages.put(("runs", request_id, {c.source.name: c.run_id for c in crawls}))
        quiet_third_party()  # Scrapy sets its own loggers' levels as a crawler starts
        outcomes = await asyncio.gather(
            *(runner.crawl(SourceSpider, crawl=c, services=services) for c in crawls),
            return_exceptions=True,
        )
        duration = time.monotonic() - request.started
        results = []
        for crawl, outcome in zip(crawls, outcomes, strict=True):
            status = "finished"
            if isinstance(outcome, BaseException):
                status = "failed"
                message = f"the crawl failed: {outcome}"
                log.error("crawl of %s failed: %s", crawl.source.name, outcome)
                repository.record_error(crawl.run_id, "", "crawl", message)
                crawl.counts.errors += 1
            elif request.stopped is not None:
                status, why = request.stopped
                repository.record_error(crawl.run_id, "", "crawl", why)
                if status == "failed":
                    crawl.counts.errors += 1
            repository.finish_run(
                crawl.run_id, crawl.counts, status, crawl.clippings, crawl.feed_fetches
            )
            adjust_poll_interval(
                repository, config.crawl, crawl.source, crawl.run_id, crawl.counts, status
            )
            try:
                check_source_health(repository, config, crawl, now_utc())
            except Exception:  # a bug or the database: the crawl's own result still stands
                log.exception("health check of %s failed", crawl.source.name)
            results.append(
                SourceResult(crawl.source.name, crawl.run_id, status, duration, crawl.counts)
            )
        run_ids = [c.run_id for c in crawls]
        if release_after_s is not None:
            repository.release_alerts(run_ids, now_utc() + timedelta(seconds=release_after_s))
        errors = repository.run_errors(run_ids)
        stages: Counter[str] = Counter()
        for crawl in crawls:
            stages.update(crawl.cpu_s)
        return CrawlSummary(tuple(results), tuple(errors), dict(stages))

    def _services(self, config: Config) -> CrawlServices:
        from presswatch.addresses import allowed_networks
        from presswatch.alerts.matching import ArticleMatcher, topics_of
        from presswatch.crawler.backlog import Backlog
        from presswatch.crawler.context import CrawlServices
        from presswatch.storage.db import open_database
        from presswatch.storage.repository import Repository

        url = config.database.url
        if url not in self._repositories:
            self._repositories[url] = Repository(open_database(url))
        if self._matcher is None or self._matcher[0] != config.topics:
            self._matcher = (config.topics, ArticleMatcher(topics_of(config)))
        # the crawls of one process share a resolver and a pool: the latest config applies
        self.guard.allowed = allowed_networks(config.crawl.allow_networks)
        self.pool.task_timeout_s = config.extract.timeout_s
        if self._backlog is None:
            self._backlog = Backlog(self.pool.size)
        # downloads under way on top of the waiting pages: what the crawls running at once
        # may have in flight
        self._backlog.in_flight = config.crawl.concurrency * config.service.parallel_crawls
        return CrawlServices(
            repository=self._repositories[url],
            extract_pool=self.pool,
            guard=self.guard,
            # an alert a crawl opens waits for the crawl to release it, at most this long
            alert_hold_s=config.service.crawl_timeout_s + config.alerts.gather_s,
            per_story=config.alerts.per_story,
            matcher=self._matcher[1],
            backlog=self._backlog,
        )

    # progress

    def start_ticker(self) -> None:
        from twisted.internet import task

        task.LoopingCall(self._send_progress).start(PROGRESS_INTERVAL_S, now=False)

    def _send_progress(self) -> None:
        for request_id, request in self.requests.items():
            if request.want_progress:
                counts = {c.source.name: _copy(c.counts) for c in request.crawls}
                self.messages.put(("progress", request_id, counts))


def _copy(counts: CrawlCounts) -> CrawlCounts:
    from presswatch.counts import CrawlCounts

    return CrawlCounts(**counts.as_dict())
