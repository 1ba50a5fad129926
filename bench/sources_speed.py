"""`presswatch sources` speed: the command over N sources with D days of crawl history.

Issue 17's criterion: at 200 sources with 90 days of history, crawled every 15 minutes (1.7M
crawl runs, 540k clippings), `presswatch sources` answers in < 300 ms. Fills a database through
presswatch's own schema (sources_fill.py), and one with the same sources and 1 day of history,
then times (median of --repeat runs, after one warm-up each):
- source_figures(engine), in this process, on both databases (no startup, no rendering);
- `python -m presswatch --config CFG sources --format json`, and the table form, as a user
  runs them (a new process each; stdout to a file, so the table is 160 columns wide), on both;
- as baselines, `python -c pass` (the interpreter alone), `python -m presswatch --config CFG
  --version` (the same interpreter and CLI start, no config, no database, no query),
  `python -c "import ..."` of the modules the command imports before it asks the database
  (SQLAlchemy, the driver, the storage layer), and the floor: `python -c "import sqlalchemy,
  <driver>, presswatch.config"`, what any command that reads its config and the database
  must load whatever its query (the libraries the config and storage layers are built on);
- GET /sources from a running `presswatch serve` (the review page shows the same figures,
  with the server warm: no start, no imports).
presswatch's own modules are compiled to bytecode first, as installing presswatch does: with
PYTHONDONTWRITEBYTECODE set (it is, on the machines we work on) a checkout's modules would
otherwise be compiled from source on every start.
Printed beside them: the commands' peak RSS (each from its own rusage, os.wait4), the JSON
command's time split into start, imports, query and the rest, and the statements
source_figures runs (one run, each statement's time summed by its SQL).

    python bench/sources_speed.py [--database sqlite|postgresql] [--sources 200] [--days 90]
        [--every 15m] [--repeat 9] [--postgresql-url URL]

SQLite: the databases are files in a temporary directory, removed at the end.
PostgreSQL: databases pw_sources_bench and pw_sources_bench_1day on 127.0.0.1 (user postgres,
or --postgresql-url), created here and dropped at the end.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sources_fill import (
    Shape,
    error_runs,
    fill_now,
    fill_postgresql,
    fill_sqlite,
    row_counts,
    source_name,
)
from web_fill import admin, database_name
from web_speed import start_server

TARGET_MS = 300.0
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pw_sources_bench"


@dataclass(frozen=True, slots=True)
class Timed:
    label: str
    median_ms: float
    slowest_ms: float
    peak_rss_mb: float | None = None
    target: bool = False  # held to TARGET_MS


def time_sources_page(config: Path, label: str, repeat: int) -> Timed:
    """GET /sources from a running `presswatch serve` (the review page's sources, which shows
    the same figures): HTTP on loopback, the server warm."""
    import httpx

    server, base_url = start_server(config)
    try:
        with httpx.Client(base_url=base_url, headers={"Accept": "text/html"}, timeout=60) as client:

            def get() -> None:
                response = client.get("/sources")
                if response.status_code != 200:
                    raise SystemExit(f"/sources: HTTP {response.status_code}")

            median, slowest = median_ms(get, repeat)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()
    return Timed(f"review page: GET /sources (presswatch serve), {label}", median, slowest)


def median_ms(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, slowest) ms of `repeat` runs after one warm-up."""
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


# ---------------------------------------------------------------------------------------------
# the databases


@dataclass(frozen=True, slots=True)
class Database:
    label: str  # "90 days"
    url: str
    shape: Shape


def fill(backend: str, url: str, shape: Shape) -> None:
    """Fill the database at `url` and print the phases and row counts."""
    print(
        f"filling {shape.sources} sources x {shape.days} days, a crawl every {shape.every_s} s"
        f" ({shape.sources * shape.slots:,} crawl runs) ..."
    )
    if backend == "sqlite":
        phases = fill_sqlite(Path(url.removeprefix("sqlite:///")), shape)
    else:
        phases = fill_postgresql(url, shape)
    for name, seconds in phases.items():
        print(f"  {name:<30}{seconds:>8.1f} s")
    print(f"  {'total':<30}{sum(phases.values()):>8.1f} s")
    counts = row_counts(url)
    print("  rows: " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
    errors = error_runs(url)
    with_errors = errors.pop("runs with errors")
    share = 100 * with_errors / max(counts["crawl_runs"], 1)
    kinds = ", ".join(f"{kind} {n:,}" for kind, n in errors.most_common())
    print(f"  runs with errors: {with_errors:,} ({share:.1f}%); crawl_errors by kind: {kinds}")


@contextmanager
def databases(
    args: argparse.Namespace, shapes: dict[str, Shape], directory: Path
) -> Iterator[list[Database]]:
    """The filled databases (PostgreSQL: created here, dropped at the end)."""
    if args.database == "sqlite":
        out = []
        for label, shape in shapes.items():
            path = directory / f"sources-{shape.sources}x{shape.days}d-{shape.every_s}s.db"
            fill("sqlite", f"sqlite:///{path}", shape)
            out.append(Database(label, f"sqlite:///{path}", shape))
        yield out
        return
    from sqlalchemy import make_url

    base = make_url(args.postgresql_url)
    created = []
    try:
        out = []
        for n, (label, shape) in enumerate(shapes.items()):
            name = str(base.database) + ("" if n == 0 else f"_{shape.days}day")
            url = base.set(database=name).render_as_string(hide_password=False)
            admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin(url, f'CREATE DATABASE "{name}"')
            created.append(url)
            fill("postgresql", url, shape)
            out.append(Database(label, url, shape))
        yield out
    finally:
        for url in created:
            admin(url, f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def describe(database: Database) -> str:
    from sqlalchemy import text

    from presswatch.storage.db import create_db_engine

    engine = create_db_engine(database.url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            path = Path(database.url.removeprefix("sqlite:///"))
            size = path.stat().st_size
            version = f"SQLite {connection.scalar(text('SELECT sqlite_version()'))}"
        else:
            size = int(connection.scalar(text("SELECT pg_database_size(current_database())")))
            version = str(connection.scalar(text("SELECT version()"))).split(" on ")[0]
    engine.dispose()
    return f"{database.label}: {size / 1e6:,.0f} MB ({version})"


# ---------------------------------------------------------------------------------------------
# in process


def time_in_process(database: Database, repeat: int) -> Timed:
    from presswatch.storage.coverage import source_figures
    from presswatch.storage.db import create_db_engine

    engine = create_db_engine(database.url)
    try:
        figures = source_figures(engine)
        assert len(figures) == database.shape.sources, len(figures)
        median, slowest = median_ms(lambda: source_figures(engine), repeat)
    finally:
        engine.dispose()
    return Timed(f"source_figures(engine), in process, {database.label}", median, slowest)


def statements(database: Database, calls: int = 5) -> list[tuple[str, int, float, int]]:
    """The SELECT statements of a source_figures call, each run a second time on the driver's
    own cursor, in the same transaction, with its rows fetched (SQLite does its work as the
    rows are fetched): (SQL, times run per call, median ms per call over `calls` calls after
    a warm-up, rows per call), slowest first. The time SQLAlchemy takes to build, compile and
    read them is not in these figures."""
    from sqlalchemy import event

    from presswatch.storage.coverage import source_figures
    from presswatch.storage.db import create_db_engine

    engine = create_db_engine(database.url)
    calls_seen: list[dict[str, list[tuple[float, int]]]] = []  # per call, SQL: (ms, rows)s

    def again(_conn: Any, cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            return
        raw = cursor.connection.cursor()
        try:
            started = time.perf_counter()
            raw.execute(statement, parameters)
            rows = len(raw.fetchall())
            ms = (time.perf_counter() - started) * 1000
        finally:
            raw.close()
        calls_seen[-1].setdefault(" ".join(statement.split()), []).append((ms, rows))

    try:
        source_figures(engine)
        event.listen(engine, "after_cursor_execute", again)
        for _ in range(calls):
            calls_seen.append({})
            source_figures(engine)
    finally:
        engine.dispose()
    out = [
        (
            sql,
            len(runs),
            statistics.median(sum(ms for ms, _rows in seen.get(sql, [])) for seen in calls_seen),
            sum(rows for _ms, rows in runs),
        )
        for sql, runs in calls_seen[0].items()
    ]
    return sorted(out, key=lambda row: -row[2])


# ---------------------------------------------------------------------------------------------
# the command


def write_config(directory: Path, database: Database) -> Path:
    lines = [f'[database]\nurl = "{database.url}"\n']
    for number in range(1, database.shape.sources + 1):
        name = source_name(number)
        lines.append(
            f'[[sources]]\nname = "{name}"\nfeeds = ["https://{name}.example/rss.xml"]\n'
            f'every = "{database.shape.every_s}s"\n'
        )
    path = directory / f"presswatch-{database.shape.days}d.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# Runs a command N times, each from spawn to exit, and prints per run [wall ms, peak RSS KiB,
# exit code] as JSON. A process of its own: a child's peak RSS (ru_maxrss) starts from its
# parent's when it is spawned (vfork, then exec), and this process is small where the bench is
# not (the fill's page cache, SQLAlchemy).
_LAUNCHER = """
import json, os, sys, time
command, runs, output = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
unset = ("PRESSWATCH_DATABASE_URL", "PRESSWATCH_CONFIG", "COLUMNS")
environment = {k: v for k, v in os.environ.items() if k not in unset}
opened = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
files = [(os.POSIX_SPAWN_OPEN, 1, output, opened, 0o600),
         (os.POSIX_SPAWN_OPEN, 2, output + ".err", opened, 0o600)]
measured = []
for _ in range(runs):
    started = time.perf_counter()
    pid = os.posix_spawn(command[0], command, environment, file_actions=files)
    _pid, status, usage = os.wait4(pid, 0)
    measured.append([(time.perf_counter() - started) * 1000, usage.ru_maxrss,
                     os.waitstatus_to_exitcode(status)])
print(json.dumps(measured))
"""


def time_command(
    label: str, command: Sequence[str], output: Path, repeat: int, target: bool = False
) -> Timed:
    """Median and slowest wall time of `command` (stdout to `output`) after one warm-up, and
    its largest peak RSS."""
    launched = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, json.dumps(list(command)), str(repeat + 1), str(output)],
        check=True,
        capture_output=True,
        text=True,
    )
    runs = json.loads(launched.stdout)[1:]
    failed = [code for _ms, _rss, code in runs if code != 0]
    if failed:
        errors = Path(f"{output}.err").read_text(encoding="utf-8", errors="replace")
        raise SystemExit(f"{' '.join(command)}: exit code {failed[0]}\n{errors}")
    times = [ms for ms, _rss, _code in runs]
    peak_mb = max(rss for _ms, rss, _code in runs) / 1024  # Linux: KiB
    return Timed(label, statistics.median(times), max(times), peak_mb, target)


def command_imports(backend: str) -> list[str]:
    """The modules `presswatch sources` imports before it asks the database."""
    dialect = "sqlite.pysqlite" if backend == "sqlite" else "postgresql.psycopg"
    return [
        "presswatch.cli",
        "presswatch.cli.sources",
        "presswatch.storage.repository",
        f"sqlalchemy.dialects.{dialect}",
        _driver(backend),
    ]


def floor_imports(backend: str) -> list[str]:
    """What any command that reads its config and asks the database imports, whatever its
    query: SQLAlchemy, the driver and the config layer (pydantic)."""
    return ["sqlalchemy", _driver(backend), "presswatch.config"]


def _driver(backend: str) -> str:
    return "sqlite3" if backend == "sqlite" else "psycopg"


def compile_presswatch() -> int:
    """Compile presswatch's modules to bytecode (as `pip install` does); the number of files."""
    import presswatch

    package = Path(presswatch.__file__).parent
    if not compileall.compile_dir(package, quiet=1):
        raise SystemExit(f"cannot compile {package}")
    return sum(1 for _ in package.rglob("*.py"))


def check_json(output: Path, database: Database) -> None:
    """The JSON has every source, each with a last crawl and its month of daily yield."""
    rows = json.loads(output.read_text(encoding="utf-8"))
    assert len(rows) == database.shape.sources, len(rows)
    assert all(row["last_crawl"] and len(row["daily_yield"]) == 30 for row in rows)


# ---------------------------------------------------------------------------------------------


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def main(argv: Sequence[str] | None = None) -> int:
    from presswatch.config.fields import parse_duration_s

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgresql-url", default=DEFAULT_PG_URL)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--every", default="15m", help='how often each source is crawled ("15m")')
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    try:
        every_s = int(parse_duration_s(args.every))
    except ValueError as exc:
        parser.error(f"--every: {exc}")

    print(
        f"sources_speed: {args.database}, {args.sources} sources x {args.days} days, a crawl"
        f" every {args.every}; before: {load()}"
    )
    started = time.perf_counter()
    now = fill_now()
    shapes = {
        f"{args.days} days": Shape(args.sources, args.days, every_s, now),
        "1 day": Shape(args.sources, 1, every_s, now),
    }
    python = [sys.executable, "-m", "presswatch"]
    print(f"presswatch compiled to bytecode ({compile_presswatch()} modules), as installed")
    with (
        tempfile.TemporaryDirectory(prefix="presswatch-sources-bench-") as tmp,
        databases(args, shapes, Path(tmp)) as filled,
    ):
        big, small = filled
        print("; ".join(describe(database) for database in filled))
        output = Path(tmp) / "out"
        configs = {database.label: write_config(Path(tmp), database) for database in filled}
        interpreter = time_command(
            "baseline: python -c pass (the interpreter)",
            [sys.executable, "-c", "pass"],
            output,
            args.repeat,
        )
        floor = time_command(
            "floor: python -c 'import sqlalchemy, driver, config'",
            [sys.executable, "-c", f"import {', '.join(floor_imports(args.database))}"],
            output,
            args.repeat,
        )
        start = time_command(
            "baseline: presswatch --version (start only)",
            [*python, "--config", str(configs[big.label]), "--version"],
            output,
            args.repeat,
        )
        imports = time_command(
            "baseline: python -c 'import <what sources imports>'",
            [sys.executable, "-c", f"import {', '.join(command_imports(args.database))}"],
            output,
            args.repeat,
        )
        commands: dict[tuple[str, str], Timed] = {}
        for database in (small, big):
            config = str(configs[database.label])
            for form, options in (("json", ["--format", "json"]), ("table", [])):
                shown = "--format json" if options else "(table)"
                commands[database.label, form] = time_command(
                    f"presswatch sources {shown}, {database.label}",
                    [*python, "--config", config, "sources", *options],
                    output,
                    args.repeat,
                    target=database is big,
                )
                if form == "json":
                    check_json(output, database)
        in_process = {database.label: time_in_process(database, args.repeat) for database in filled}
        page = time_sources_page(configs[big.label], big.label, args.repeat)
        breakdown = statements(big)

    results = [
        interpreter,
        start,
        floor,
        imports,
        *commands.values(),
        in_process[small.label],
        in_process[big.label],
        page,
    ]
    print(f"\nmedian and slowest of {args.repeat} runs after one warm-up (ms):")
    print(f"  {'':<56}{'median':>8}{'max':>8}{'peak RSS':>10}")
    failed = []
    for timed in results:
        rss = f"{timed.peak_rss_mb:>7.0f} MB" if timed.peak_rss_mb is not None else " " * 10
        verdict = ""
        if timed.target:
            ok = timed.median_ms < TARGET_MS
            verdict = f"  < {TARGET_MS:.0f}: {'PASS' if ok else 'FAIL'}"
            if not ok:
                failed.append(timed.label)
        print(f"  {timed.label:<56}{timed.median_ms:>8.1f}{timed.slowest_ms:>8.1f}{rss}{verdict}")
    json_ms = commands[big.label, "json"].median_ms
    query_ms = in_process[big.label].median_ms
    print(
        f"\nof `sources --format json` at {big.label} ({json_ms:.0f} ms), about:"
        f" {start.median_ms:.0f} starting Python and the CLI (--version),"
        f" {imports.median_ms - start.median_ms:.0f} more imports (SQLAlchemy, its driver, the"
        f" storage layer), {query_ms:.0f} source_figures (in process), and"
        f" {json_ms - imports.median_ms - query_ms:.0f} the rest (config, connecting, JSON, exit);"
        f" the table form: {commands[big.label, 'table'].median_ms - json_ms:+.0f} (rich)"
    )
    print(
        f"the floor: {floor.median_ms:.0f} ms to start Python ({interpreter.median_ms:.0f}) and"
        f" import {', '.join(floor_imports(args.database))}, with no query and nothing printed;"
        f" {TARGET_MS - floor.median_ms:+.0f} ms left of the {TARGET_MS:.0f} ms target"
    )
    total = sum(ms for _sql, _n, ms, _rows in breakdown)
    print(
        f"\nsource_figures' statements at {big.label}, each run again on the driver's cursor with"
        f" its rows fetched, median of 5 calls ({total:.1f} ms in all):"
    )
    for sql, count, ms, rows in breakdown:
        print(f"  {ms:>7.1f} ms {count:>4} x {rows:>6,} rows  {sql[:130]}")
    print(
        f"\n`presswatch sources` at {args.sources} sources, {args.days} days: < {TARGET_MS:.0f} ms "
        + ("PASS" if not failed else f"FAIL ({'; '.join(failed)})")
    )
    print(f"{time.perf_counter() - started:.0f} s in all; after: {load()}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
