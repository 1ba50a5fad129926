"""Run crawls in a child process and report their progress and results back.

Twisted's reactor cannot be restarted, so Scrapy never runs in the caller's process: a
CrawlHost starts one crawl process (presswatch.crawler.host) and hands it crawl after crawl.
`presswatch crawl` uses it for one crawl; the service (presswatch.scheduler) keeps it for many,
replaces the process after RECYCLE_AFTER crawls (so nothing Scrapy or a parser holds on to
grows for weeks), and kills it when a crawl that overran its limit will not stop. A crawl that
dies with its process is counted as failed; stored clippings were written a transaction at a
time, so none is half-written.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import os
import queue as queue_module
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from types import TracebackType
from typing import Any, Self

from presswatch.config import Config, SourceConfig
from presswatch.counts import CrawlCounts, CrawlSummary
from presswatch.errors import CrawlError

log = logging.getLogger(__name__)

RECYCLE_AFTER = 100  # crawls served by one crawl process before a fresh one takes over
# A crawl asked to stop ends once its downloads in flight have (at most the download timeout);
# one that takes this much longer is stuck, and its process is killed
STOP_GRACE_S = 15.0


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
    """Crawl `sources` once, now, as one crawl: its alerts are due when it ends (one per topic
    and channel). Returns the per-source summary.

    Failed pages are counted, not raised; CrawlError when the crawl could not run at all.
    """
    with CrawlHost(log_level, workers=config.crawl.extract_workers) as host:
        return host.crawl(
            config,
            sources,
            on_progress,
            timeout_s=config.service.crawl_timeout_s,
            release_after_s=0.0,
        )


@dataclass(slots=True)
class _Pending:
    database_url: str
    on_progress: ProgressCallback | None
    future: Future[CrawlSummary] = field(default_factory=Future)
    run_ids: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Child:
    process: BaseProcess
    commands: Connection
    messages: Queue[Any]
    receiver: threading.Thread
    served: int = 0
    killed: tuple[str, str] | None = None  # (status for its unfinished runs, why)
    ended: bool = False  # set (under the host's lock) once its receiver gave up on it
    pending: dict[int, _Pending] = field(default_factory=dict)


class CrawlHost:
    """Runs crawls in a crawl process of its own; thread-safe, crawls may overlap."""

    def __init__(self, log_level: int = logging.WARNING, workers: int = 0) -> None:
        self.log_level = log_level
        self.workers = workers or os.cpu_count() or 1
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._child: _Child | None = None
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def crawl(
        self,
        config: Config,
        sources: Sequence[SourceConfig],
        on_progress: ProgressCallback | None = None,
        timeout_s: float | None = None,
        *,
        release_after_s: float | None,
    ) -> CrawlSummary:
        """Crawl `sources` once and wait for the summary. A crawl still running after
        `timeout_s` is stopped, its runs counted as failed; CrawlError if it cannot run.

        The alerts its clippings went into are due `release_after_s` after it ends (None: they
        stay held until whoever ordered the crawl releases them, or their hold runs out)."""
        pending = _Pending(config.database.url, on_progress)
        with self._lock:
            if self._closed:
                raise CrawlError("not crawling: presswatch is shutting down")
            child = self._usable_child()
            request_id = next(self._ids)
            child.pending[request_id] = pending
            child.served += 1
            command = ("crawl", request_id, config, tuple(sources), bool(on_progress))
            self._send(child, (*command, release_after_s))
        try:
            return pending.future.result(timeout=timeout_s)
        except FutureTimeout:
            why = f"stopped: still running after {timeout_s:.0f} s (the crawl_timeout)"
            log.error("%s; stopping it", why, extra={"sources": _names(sources)})
            with self._lock:
                self._send(child, ("stop", request_id, why))
        try:
            return pending.future.result(timeout=config.crawl.timeout_s + STOP_GRACE_S)
        except FutureTimeout:
            self._kill(child, "a crawl did not stop when asked")
            return pending.future.result(timeout=STOP_GRACE_S + 30)

    def start(self) -> None:
        """Start the crawl process now rather than at the first crawl (the service does, so
        that its first crawls do not wait for Scrapy to load)."""
        with self._lock:
            if not self._closed:
                self._usable_child()

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop running crawls at a clean point and end the crawl process (killed when it
        takes longer than `timeout_s`; its unfinished runs are then marked failed)."""
        with self._lock:
            child, self._child = self._child, None
            self._closed = True
        if child is not None:
            self._end(child, timeout_s)

    # the crawl process

    def _usable_child(self) -> _Child:
        child = self._child
        if child is not None and child.served >= RECYCLE_AFTER and not child.pending:
            # retired: it ends by itself, and its receiver thread reaps it; a new one serves
            self._send(child, ("shutdown",))
            child = None
        if child is None or child.ended:
            child = self._child = self._start_child()
        return child

    def _start_child(self) -> _Child:
        from presswatch.crawler.host import host_main
        from presswatch.crawler.spawning import main_module_left_out

        context = multiprocessing.get_context("spawn")
        receive_end, send_end = context.Pipe(duplex=False)
        messages: Queue[Any] = context.Queue()
        process = context.Process(
            target=host_main,
            args=(receive_end, messages, self.log_level, self.workers),
            name="presswatch-crawl",
        )
        with main_module_left_out():
            process.start()
        receive_end.close()
        child = _Child(process, send_end, messages, threading.Thread())
        child.receiver = threading.Thread(
            target=self._receive, args=(child,), name="crawl-messages", daemon=True
        )
        child.receiver.start()
        return child

    def _send(self, child: _Child, command: tuple[Any, ...]) -> None:
        # OSError: the process is gone; its receiver thread fails what was pending
        with contextlib.suppress(OSError):
            child.commands.send(command)

    # Only the receiver thread waits for the process: two threads waiting for one child
    # process race in waitpid(), and the loser never learns that the process has ended.

    def _end(self, child: _Child, timeout_s: float) -> None:
        self._send(child, ("shutdown",))
        child.receiver.join(timeout_s)
        if child.receiver.is_alive():
            why = f"stopped: the crawl process did not end within {timeout_s:.0f} s"
            self._kill(child, why, "interrupted")
            child.receiver.join(STOP_GRACE_S)
        child.commands.close()

    def _kill(self, child: _Child, why: str, status: str = "failed") -> None:
        if status == "failed":
            log.error("%s: killing the crawl process", why)
        else:
            log.info("%s: killing the crawl process", why)
        child.killed = (status, why)
        child.process.kill()  # its receiver thread sees it end and fails what was pending

    def _receive(self, child: _Child) -> None:
        """Reader thread: one per crawl process, until the process has ended."""
        while True:
            try:
                message = child.messages.get(timeout=0.5)
            except queue_module.Empty:
                if not child.process.is_alive():
                    break
                continue
            except (EOFError, OSError):
                break
            kind = message[0]
            if kind == "closed":
                break
            if kind == "log":
                record = message[1]
                logger = logging.getLogger(record.name)
                if logger.isEnabledFor(record.levelno):
                    logger.handle(record)
                continue
            pending = child.pending.get(message[1])
            if pending is None:
                continue
            if kind == "runs":
                pending.run_ids.update(message[2])
            elif kind == "progress" and pending.on_progress is not None:
                pending.on_progress(Progress(message[2]))
            elif kind == "done":
                del child.pending[message[1]]
                pending.future.set_result(message[2])
            elif kind == "failed":
                del child.pending[message[1]]
                pending.future.set_exception(CrawlError(message[2]))
        child.process.join(5.0)
        self._fail_pending(child)
        child.messages.close()
        child.messages.join_thread()
        child.commands.close()

    def _fail_pending(self, child: _Child) -> None:
        """The process ended with crawls unfinished: their runs fail, their callers hear why."""
        with self._lock:  # no crawl is added to it from now on
            child.ended = True
            unfinished = list(child.pending.values())
            child.pending.clear()
        if not unfinished:
            return
        status, why = child.killed or (
            "failed",
            f"the crawl process ended unexpectedly (exit code {child.process.exitcode})",
        )
        from presswatch.storage.db import open_database
        from presswatch.storage.repository import Repository

        for pending in unfinished:
            if pending.run_ids:
                engine = open_database(pending.database_url)
                try:
                    Repository(engine).end_runs(list(pending.run_ids.values()), status, why)
                finally:
                    engine.dispose()
            pending.future.set_exception(CrawlError(why))


def _names(sources: Sequence[SourceConfig]) -> str:
    return ",".join(s.name for s in sources)
