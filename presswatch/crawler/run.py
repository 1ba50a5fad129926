"""Run one crawl of some sources in a child process and report progress back.

Twisted's reactor cannot be restarted, so every crawl gets a fresh process: the caller (the
CLI now, the scheduler later) can crawl again and again. The child streams progress counts and
log records over a queue; the parent turns them into callbacks.
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
import os
import queue as queue_module
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.queues import Queue
from typing import Any

from presswatch.alerts.matching import ArticleMatcher, topics_of
from presswatch.config import Config, SourceConfig
from presswatch.counts import CrawlCounts, CrawlSummary, SourceResult
from presswatch.errors import CrawlError, PresswatchError
from presswatch.extractors.article import ExtractOptions
from presswatch.logs import quiet_third_party, record_extras

log = logging.getLogger(__name__)
_PROGRESS_INTERVAL_S = 0.25


@dataclass(frozen=True, slots=True)
class Progress:
    """Counts so far, per source name."""

    counts: dict[str, CrawlCounts]


ProgressCallback = Callable[[Progress], None]


def run_crawl(
    config: Config,
    sources: Sequence[SourceConfig],
    on_progress: ProgressCallback | None = None,
    log_level: int = logging.WARNING,
) -> CrawlSummary:
    """Crawl `sources` once, now; returns the per-source summary.

    Failed pages are counted, not raised; CrawlError when the crawl could not run at all.
    """
    context = multiprocessing.get_context("spawn")
    messages: Queue[tuple[str, Any]] = context.Queue()
    process = context.Process(
        target=_crawl_process,
        args=(config, tuple(sources), messages, log_level),
        name="presswatch-crawl",
    )
    process.start()
    try:
        return _receive(process, messages, on_progress)
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()
        process.close()
        messages.close()
        messages.join_thread()


def _receive(
    process: Any, messages: Queue[tuple[str, Any]], on_progress: ProgressCallback | None
) -> CrawlSummary:
    while True:
        try:
            kind, payload = messages.get(timeout=0.5)
        except queue_module.Empty:
            if not process.is_alive():
                raise CrawlError(
                    f"the crawl process ended unexpectedly (exit code {process.exitcode})"
                ) from None
            continue
        if kind == "log":
            logger = logging.getLogger(payload.name)
            if logger.isEnabledFor(payload.levelno):
                logger.handle(payload)
        elif kind == "progress" and on_progress is not None:
            on_progress(Progress(payload))
        elif kind == "done":
            summary: CrawlSummary = payload
            return summary
        elif kind == "failed":
            raise CrawlError(str(payload))


def _crawl_process(
    config: Config,
    sources: tuple[SourceConfig, ...],
    messages: Queue[tuple[str, Any]],
    log_level: int,
) -> None:
    """Child process entry point: everything Scrapy lives here."""
    root = logging.getLogger()
    root.handlers[:] = [_ParentLogHandler(messages)]
    root.setLevel(log_level)
    quiet_third_party()
    try:
        summary = _crawl(config, sources, messages)
    except PresswatchError as exc:
        messages.put(("failed", str(exc)))
        return
    messages.put(("done", summary))


def _crawl(
    config: Config, sources: tuple[SourceConfig, ...], messages: Queue[tuple[str, Any]]
) -> CrawlSummary:
    # imported here: the parent process never needs Scrapy or Twisted
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import task

    from presswatch.crawler.context import CrawlServices, SourceCrawl
    from presswatch.crawler.settings import scrapy_settings
    from presswatch.crawler.spiders.source import SourceSpider
    from presswatch.storage.db import open_database
    from presswatch.storage.repository import Repository

    repository = Repository(open_database(config.database.url))
    workers = config.crawl.extract_workers or os.cpu_count() or 1
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_warm_extractor,
    ) as pool:
        services = CrawlServices(
            repository=repository,
            extract_pool=pool,
            extract_options=ExtractOptions(
                min_words=config.extract.min_words, drop_lines=config.extract.drop_lines
            ),
            matcher=ArticleMatcher(topics_of(config)),
        )
        process = CrawlerProcess(scrapy_settings(config.crawl))
        quiet_third_party()  # Scrapy re-applies its own log levels when it starts
        crawls: list[SourceCrawl] = []
        started: dict[str, float] = {}
        failures: dict[str, str] = {}
        for source in sources:
            crawl = SourceCrawl(
                source, repository.source_id(source.name), repository.start_run(source.name)
            )
            crawls.append(crawl)
            started[source.name] = time.monotonic()
            deferred = process.crawl(SourceSpider, crawl=crawl, services=services)
            deferred.addErrback(_remember_failure, failures, source.name)

        def send_progress() -> None:
            messages.put(("progress", {c.source.name: _copy(c.counts) for c in crawls}))

        ticker = task.LoopingCall(send_progress)
        ticker.start(_PROGRESS_INTERVAL_S)
        process.start(stop_after_crawl=True, install_signal_handlers=True)
        if ticker.running:
            ticker.stop()
        send_progress()

    results = []
    for crawl in crawls:
        name = crawl.source.name
        failed = name in failures
        if failed:
            repository.record_error(crawl.run_id, "", "crawl", failures[name])
            crawl.counts.errors += 1
        status = "failed" if failed else "finished"
        repository.finish_run(crawl.run_id, crawl.counts, status)
        results.append(
            SourceResult(name, crawl.run_id, status, time.monotonic() - started[name], crawl.counts)
        )
    errors = repository.run_errors([c.run_id for c in crawls])
    return CrawlSummary(tuple(results), tuple(errors))


class _ParentLogHandler(logging.handlers.QueueHandler):
    """Sends records to the parent as ("log", record), with extras made picklable."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        record = super().prepare(record)
        for key, value in record_extras(record).items():
            if not isinstance(value, str | int | float | bool | type(None)):
                setattr(record, key, str(value))
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        self.queue.put_nowait(("log", record))


def _remember_failure(failure: Any, failures: dict[str, str], name: str) -> None:
    failures[name] = f"the crawl failed: {failure.getErrorMessage()}"
    log.error("crawl of %s failed: %s", name, failure.getErrorMessage())


def _copy(counts: CrawlCounts) -> CrawlCounts:
    return CrawlCounts(**counts.as_dict())


def _warm_extractor() -> None:
    """Import trafilatura in each pool worker before the first page arrives."""
    import trafilatura  # noqa: F401

    quiet_third_party()
