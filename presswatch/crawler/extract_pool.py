"""The extraction pool: worker processes fed from the reactor's own thread over pipes.

concurrent.futures.ProcessPoolExecutor runs two threads in the submitting process (its manager
thread and its call queue's feeder), and every page crossed both of them and the event loop's
thread-safe wake-up: the reactor thread waited for the GIL on each hand-off (the crawl process
was the bottleneck of a crawl, and the workers idled). Here the reactor thread itself writes
each task to a worker's pipe (non-blocking, the rest of a large page is written when the pipe
has room) and reads the results when the event loop says they are there: no thread, no lock.

Each worker has a task pipe and a result pipe, and at most IN_FLIGHT tasks (one running, the
next one waiting in its pipe, so that it never idles between pages); other tasks wait here. A
worker that dies fails only the task it was running (BrokenProcessPool); the tasks queued
behind it go to the other workers, and a new worker takes its place. Workers start with the
pool, not on the first page, so that their start overlaps the crawl process's own.

What many tasks need alike (a crawl's extraction options and topics) is `share`d: it crosses
to each worker once, before the first task that refers to it, and tasks carry only its
`Shared` reference, which the worker replaces with the object.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import fcntl
import logging
import multiprocessing
import os
import pickle
import struct
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from presswatch.crawler.libc import die_with_parent
from presswatch.crawler.spawning import main_module_left_out
from presswatch.errors import ExtractionTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")
IN_FLIGHT = 2  # tasks sent to one worker and not answered yet, at most
WORKER_NICENESS = 5  # added to a worker's nice value
_WATCH_EVERY_S = 0.5  # how often the deadline of running tasks is checked
_READ_CHUNK = 1 << 20
# multiprocessing.Connection's framing, so that a worker reads and writes with recv_bytes /
# send_bytes: a 4-byte signed length, or -1 and an 8-byte length for 2 GiB and more
_SHORT = struct.Struct("!i")
_LONG = struct.Struct("!Q")


@dataclass(frozen=True, slots=True)
class Shared:
    """Stands for a shared object in a task's arguments (ExtractPool.share)."""

    key: int


@dataclass(frozen=True, slots=True)
class _Task:
    blob: bytes  # (fn, args), pickled
    future: asyncio.Future[Any]  # its answer
    shared: tuple[int, ...]  # the keys of the shared objects it refers to


# the first byte of a frame says what the pickle after it is: a task (fn, args), a shared
# object (key, value), or a key to forget (written with the frame's length, never joined to
# the pickle: a page is not copied once more)
_TASK, _SHARE, _FORGET = b"t", b"s", b"f"


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    tasks_fd: int  # the write end of its task pipe (non-blocking)
    results_fd: int  # the read end of its result pipe (non-blocking)
    # the connections that own the two fds (closed with the worker)
    connections: tuple[Connection, Connection]
    # tasks written to it (kept until answered: a dead worker's queued tasks go elsewhere)
    sent: collections.deque[_Task] = field(default_factory=collections.deque)
    outgoing: bytearray = field(default_factory=bytearray)
    incoming: bytearray = field(default_factory=bytearray)
    writing: bool = False  # waiting for room in the task pipe
    holds: set[int] = field(default_factory=set)  # the shared objects it was sent
    loop: asyncio.AbstractEventLoop | None = None  # the loop watching its result pipe
    running_since: float | None = None  # when its current task (the first in `sent`) began
    timed_out: bool = False  # killed for running a task past the pool's deadline


class ExtractPool:
    """Runs picklable functions in `workers` processes; `run` is awaited in the event loop
    thread (the only thread that may use the pool)."""

    def __init__(
        self,
        workers: int,
        initializer: Callable[[], None] | None = None,
        context: Any = None,
        task_timeout_s: float | None = None,
    ) -> None:
        self.size = workers
        self.initializer = initializer
        # a task running longer fails with ExtractionTimeout, and its worker is replaced
        self.task_timeout_s = task_timeout_s
        self._watching = False
        self._context = context or multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self._waiting: collections.deque[_Task] = collections.deque()
        self._shared: dict[int, bytes] = {}  # key -> the pickled frame that shares it
        self._next_key = 0
        self._closed = False

    def start(self) -> None:
        """Start every worker now (each one is a new interpreter importing the extractor)."""
        while len(self._workers) < self.size:
            self._workers.append(self._start_worker())

    def _start_worker(self) -> _Worker:
        task_reader, task_writer = self._context.Pipe(duplex=False)
        result_reader, result_writer = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_worker_main,
            args=(task_reader, result_writer, self.initializer),
            name="presswatch-extract",
            daemon=True,
        )
        with main_module_left_out():
            process.start()
        task_reader.close()
        result_writer.close()
        for connection in (task_writer, result_reader):
            _widen_pipe(connection.fileno())
        os.set_blocking(task_writer.fileno(), False)
        os.set_blocking(result_reader.fileno(), False)
        return _Worker(
            process, task_writer.fileno(), result_reader.fileno(), (task_writer, result_reader)
        )

    def share(self, value: Any) -> Shared:
        """A reference to `value` for tasks' arguments: `value` is pickled now, and sent to
        a worker once, before the first task of it that refers to it. `forget` ends it."""
        self._next_key += 1
        key = self._next_key
        self._shared[key] = pickle.dumps((key, value), pickle.HIGHEST_PROTOCOL)
        return Shared(key)

    def forget(self, shared: Shared) -> None:
        """The workers drop a shared object (no task refers to it any more)."""
        if self._shared.pop(shared.key, None) is None:
            return
        blob = pickle.dumps(shared.key, pickle.HIGHEST_PROTOCOL)
        for worker in self._workers:
            if shared.key in worker.holds and worker.loop is not None:
                worker.holds.discard(shared.key)
                self._write(worker.loop, worker, _FORGET, blob)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a worker process; its exception is raised here. BrokenProcessPool when
        the worker died running it (the page crashed the parser, or it was killed);
        ExtractionTimeout when it ran past `task_timeout_s` (the worker is killed). A
        `Shared` argument reaches fn as the object it stands for."""
        if self._closed:
            raise RuntimeError("the extraction pool is shut down")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        shared = tuple(a.key for a in args if isinstance(a, Shared))
        blob = pickle.dumps((fn, args), pickle.HIGHEST_PROTOCOL)
        self._waiting.append(_Task(blob, future, shared))
        self._dispatch(loop)
        return await future

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        self.start()
        while self._waiting:
            worker = min(self._workers, key=lambda w: len(w.sent))
            if len(worker.sent) >= IN_FLIGHT:
                return
            task = self._waiting.popleft()
            if task.future.done():  # cancelled while it waited
                continue
            self._send(loop, worker, task)

    def _send(self, loop: asyncio.AbstractEventLoop, worker: _Worker, task: _Task) -> None:
        if worker.loop is None:
            worker.loop = loop
            loop.add_reader(worker.results_fd, self._on_results, worker)
        if not worker.sent:
            worker.running_since = time.monotonic()
        if not self._watching and self.task_timeout_s:
            self._watching = True
            loop.call_later(_WATCH_EVERY_S, self._watch, loop)
        for key in task.shared:
            if key not in worker.holds and key in self._shared:
                worker.holds.add(key)
                self._write(loop, worker, _SHARE, self._shared[key])
        worker.sent.append(task)
        self._write(loop, worker, _TASK, task.blob)

    def _write(
        self, loop: asyncio.AbstractEventLoop, worker: _Worker, kind: bytes, blob: bytes
    ) -> None:
        """One frame (its kind, then the pickle) to the worker's task pipe: written now as far
        as the pipe has room, the rest when it has more."""
        size = len(blob) + len(kind)
        header = (
            _SHORT.pack(size) if size < 0x7FFFFFFF else _SHORT.pack(-1) + _LONG.pack(size)
        ) + kind
        if worker.outgoing:
            worker.outgoing += header
            worker.outgoing += blob
            return
        try:  # header and page in one system call, without joining them first
            written = os.writev(worker.tasks_fd, (header, blob))
        except BlockingIOError:
            written = 0
        except BrokenPipeError:
            return  # the worker is gone: its result pipe says so, and the task goes elsewhere
        if written < len(header) + len(blob):
            if written < len(header):
                worker.outgoing += header[written:]
                worker.outgoing += blob
            else:
                worker.outgoing += memoryview(blob)[written - len(header) :]
            worker.writing = True
            loop.add_writer(worker.tasks_fd, self._on_writable, worker)

    def _on_writable(self, worker: _Worker) -> None:
        try:
            written = os.write(worker.tasks_fd, worker.outgoing)
        except BlockingIOError:
            return
        except BrokenPipeError:
            written = len(worker.outgoing)
        del worker.outgoing[:written]
        if not worker.outgoing and worker.loop is not None:
            worker.writing = False
            worker.loop.remove_writer(worker.tasks_fd)

    def _on_results(self, worker: _Worker) -> None:
        try:
            data = os.read(worker.results_fd, _READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._worker_died(worker)
            return
        buffer = worker.incoming
        buffer += data
        start = 0
        while len(buffer) - start >= _SHORT.size:
            size = _SHORT.unpack_from(buffer, start)[0]
            offset = start + _SHORT.size
            if size == -1:
                if len(buffer) - offset < _LONG.size:
                    break
                size = _LONG.unpack_from(buffer, offset)[0]
                offset += _LONG.size
            if len(buffer) - offset < size:
                break
            ok, value = pickle.loads(memoryview(buffer)[offset : offset + size])
            start = offset + size
            future = worker.sent.popleft().future
            worker.running_since = time.monotonic() if worker.sent else None
            if not future.done():
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        del buffer[:start]
        if self._waiting and worker.loop is not None:
            self._dispatch(worker.loop)

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Kill the workers whose current task has run past the deadline (their result pipe
        then ends, and _worker_died fails the task and starts another worker)."""
        if self._closed:
            return
        limit = self.task_timeout_s
        now = time.monotonic()
        for worker in self._workers:
            since = worker.running_since
            if limit and since is not None and not worker.timed_out and now - since > limit:
                worker.timed_out = True
                worker.process.kill()
        loop.call_later(_WATCH_EVERY_S, self._watch, loop)

    def _worker_died(self, worker: _Worker) -> None:
        """The task it was running fails; those queued behind it are sent elsewhere."""
        loop = worker.loop
        self._forget(worker)
        self._workers.remove(worker)
        worker.process.join(1)  # reaped: no zombie left behind
        code = worker.process.exitcode
        if worker.timed_out:
            error: Exception = ExtractionTimeout(
                f"extraction timeout: still running after {self.task_timeout_s:g} s"
            )
            log.info("an extraction worker was stopped (%s); starting another one", error)
        else:
            why = "an extraction worker ended unexpectedly" + (
                f" (exit code {code})" if code is not None else ""
            )
            log.warning("%s; starting another one", why)
            error = BrokenProcessPool(why)
        if worker.sent:
            running = worker.sent.popleft().future
            if not running.done():
                running.set_exception(error)
        # the tasks queued behind it did not start: first in line for the other workers
        self._waiting.extendleft(reversed(worker.sent))
        worker.sent.clear()
        if self._waiting and not self._closed and loop is not None:
            self._dispatch(loop)  # starts another worker (only when there is work for it)

    def _forget(self, worker: _Worker) -> None:
        if worker.loop is not None and not worker.loop.is_closed():
            worker.loop.remove_reader(worker.results_fd)
            if worker.writing:
                worker.loop.remove_writer(worker.tasks_fd)
        for connection in worker.connections:
            connection.close()

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Tasks not answered yet are cancelled; workers end after the page they are on."""
        self._closed = True
        for task in self._waiting:
            task.future.cancel()
        self._waiting.clear()
        for worker in self._workers:
            for task in worker.sent:
                task.future.cancel()
            self._forget(worker)  # a worker reads end-of-file on its task pipe, and ends
        for worker in self._workers:
            worker.process.join(timeout_s)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        self._workers.clear()


# a pipe holds 64 KiB by default: a page of 171 KiB took three writes, and the rest waited in
# the crawl process for the worker to read the first part; this much lets a page (and the
# next one) go in one write
_PIPE_BYTES = 1 << 20


def _widen_pipe(fd: int) -> None:
    """Linux: give the pipe `_PIPE_BYTES` of buffer (as much as the system allows)."""
    setter = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setter is None:
        return
    with contextlib.suppress(OSError):  # more than the system's pipe-max-size: the default
        fcntl.fcntl(fd, setter, _PIPE_BYTES)


def _worker_main(
    tasks: Connection, results: Connection, initializer: Callable[[], None] | None
) -> None:
    """A worker: tasks in order until the task pipe ends (the crawl process closed it, or
    is gone).

    A worker runs a little below normal priority: when the cores are short, the crawl
    process, which feeds every worker (and starts first), gets them first; extraction takes
    what is left, which on a busy machine is all but the crawl process's share anyway."""
    die_with_parent()
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    if initializer is not None:
        initializer()
    dumps = pickle.dumps
    shared: dict[int, Any] = {}
    while True:
        try:
            blob = tasks.recv_bytes()
        except (EOFError, OSError):
            return
        kind, body = blob[:1], memoryview(blob)[1:]
        if kind == _SHARE:
            key, value = pickle.loads(body)
            shared[key] = value
            continue
        if kind == _FORGET:
            shared.pop(pickle.loads(body), None)
            continue
        try:
            fn, args = pickle.loads(body)
            args = tuple(shared[a.key] if isinstance(a, Shared) else a for a in args)
            answer = dumps((True, fn(*args)), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # raised to the caller, as an executor would
            try:
                answer = dumps((False, exc), pickle.HIGHEST_PROTOCOL)
            except Exception:  # an exception that cannot be pickled: its text then
                error = RuntimeError(f"{type(exc).__name__}: {exc}")
                answer = dumps((False, error), pickle.HIGHEST_PROTOCOL)
        try:
            results.send_bytes(answer)
        except OSError:  # the crawl process is gone
            return


def init_extract_worker() -> None:
    """In each extraction worker, before the first page: import what a page needs (trafilatura,
    the topic matcher) and quieten the libraries' loggers."""
    import presswatch.crawler.page_task
    import presswatch.extractors.article  # noqa: F401
    from presswatch.logs import quiet_third_party

    quiet_third_party()
