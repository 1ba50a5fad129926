"""The extraction pool: results and exceptions come back to the awaiting task; a worker that
dies fails only the page it was on, and another worker takes its place."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from presswatch.crawler.extract_pool import ExtractPool
from presswatch.errors import ExtractionError


def _work(value: int) -> tuple[int, int]:
    if value == 13:
        raise ExtractionError("unlucky page")
    if value == 666:
        os._exit(3)  # a parser crash takes the whole worker down
    return value * value, os.getpid()


def _large(size: int) -> bytes:
    return b"x" * size


def _with_shared(shared: dict[str, int], value: int) -> tuple[int, int]:
    if value == 666:
        os._exit(3)
    return shared["base"] + value, os.getpid()


def test_results_exceptions_and_a_dying_worker() -> None:
    async def crawl() -> None:
        pool = ExtractPool(2)
        pool.start()
        try:
            results = await asyncio.gather(
                *(pool.run(_work, v) for v in range(12)), return_exceptions=True
            )
            assert [r[0] for r in results if isinstance(r, tuple)] == [v * v for v in range(12)]
            assert len({r[1] for r in results if isinstance(r, tuple)}) == 2  # both workers
            with pytest.raises(ExtractionError, match="unlucky page"):
                await pool.run(_work, 13)
            mixed = await asyncio.gather(
                *(pool.run(_work, v) for v in [1, 666, 2, 3, 4, 5]), return_exceptions=True
            )
            broken = [r for r in mixed if isinstance(r, BaseException)]
            assert len(broken) == 1
            assert isinstance(broken[0], BrokenProcessPool)
            assert [r[0] for r in mixed if isinstance(r, tuple)] == [1, 4, 9, 16, 25]
            assert (await pool.run(_work, 7))[0] == 49  # a new worker took the dead one's place
            # a task larger than a pipe's buffer, both ways
            assert len(await pool.run(_large, 3_000_000)) == 3_000_000
            assert (await pool.run(bytes.__len__, b"y" * 5_000_000)) == 5_000_000
        finally:
            pool.shutdown()

    asyncio.run(crawl())


def test_a_shared_object_reaches_every_worker_once_and_can_be_forgotten() -> None:
    async def crawl() -> None:
        pool = ExtractPool(2)
        pool.start()
        try:
            shared = pool.share({"base": 1000})
            results = await asyncio.gather(*(pool.run(_with_shared, shared, v) for v in range(8)))
            assert [r[0] for r in results] == [1000 + v for v in range(8)]
            assert len({r[1] for r in results}) == 2  # both workers were sent it
            # a worker that dies is replaced; the new one is sent the object before its task
            mixed = await asyncio.gather(
                *(pool.run(_with_shared, shared, v) for v in [1, 666, 2, 3]),
                return_exceptions=True,
            )
            assert [r[0] for r in mixed if isinstance(r, tuple)] == [1001, 1002, 1003]
            assert (await pool.run(_with_shared, shared, 5))[0] == 1005
            pool.forget(shared)
            with pytest.raises(KeyError):  # the workers dropped it
                await pool.run(_with_shared, shared, 6)
        finally:
            pool.shutdown()

    asyncio.run(crawl())


def test_a_worker_does_not_run_the_program_s_main_module_again(tmp_path: Path) -> None:
    """The main module (the `presswatch` command, a benchmark) is not imported again in each
    worker: it notes every process that runs it, and only the program itself does."""
    marks = tmp_path / "ran"
    script = tmp_path / "program.py"
    script.write_text(
        f"""import os
with open({str(marks)!r}, "a") as f:
    f.write(f"{{os.getpid()}}\\n")
if __name__ == "__main__":
    import asyncio
    from presswatch.crawler.extract_pool import ExtractPool

    async def work():
        pool = ExtractPool(2)
        try:
            print(await pool.run(os.getpid))
        finally:
            pool.shutdown()

    asyncio.run(work())
""",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    worker = result.stdout.strip()
    ran = marks.read_text().split()
    assert len(ran) == 1, ran  # the program itself
    assert worker not in ran
