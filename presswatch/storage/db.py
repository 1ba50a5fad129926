"""Engine creation (SQLite in WAL mode by default, or PostgreSQL), schema upgrades on first
use, and the transactions every store reads and writes in."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, Table, create_engine, event, make_url, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

from presswatch.errors import StorageError
from presswatch.redact import redacted

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# the newest migration's revision: a new migration changes it (a test holds it to Alembic's head)
HEAD_REVISION = "0014"
_SQLITE_NEEDED = (3, 35)
_PG_MIGRATION_LOCK = 7_316_274_201  # any constant; one advisory lock for schema upgrades
IN_CHUNK = 500  # bound parameters per IN (...) lookup
_T = TypeVar("_T")


def create_db_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and foreign keys, PostgreSQL
    sessions in UTC."""
    try:
        options: dict[str, Any] = {}
        if make_url(url).get_backend_name() == "postgresql":
            # dates of timestamps (matches per day) are UTC days, whatever the server's zone
            options["connect_args"] = {"options": "-c timezone=UTC"}
        engine = create_engine(url, **options)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(f"database url {redacted(url)!r} cannot be used: {exc}") from exc
    if engine.dialect.name == "sqlite":
        if sqlite3.sqlite_version_info < _SQLITE_NEEDED:
            raise StorageError(
                f"presswatch needs SQLite {'.'.join(map(str, _SQLITE_NEEDED))} or newer"
                f" (RETURNING, ALTER TABLE DROP COLUMN); this Python's sqlite3 module uses"
                f" {sqlite3.sqlite_version}: run presswatch on a Python built with a newer SQLite,"
                " or use PostgreSQL"
            )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(connection: Connection) -> None:
    # Write transactions take the write lock up front (BEGIN IMMEDIATE), so that concurrent
    # writers queue on busy_timeout instead of failing when a read upgrades to a write.
    immediate = connection.get_execution_options().get("presswatch_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection: object, _record: ConnectionPoolEntry) -> None:
    # the driver's own transaction handling is off; _sqlite_begin emits BEGIN itself
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # WAL: readers never block the crawl's writer; busy_timeout: writers wait, not fail
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_database(url: str) -> Engine:
    """Engine with the schema at the newest revision (created or upgraded as needed)."""
    engine = create_db_engine(url)
    ensure_schema(engine)
    return engine


def alembic_config(connection: Connection) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    """Alembic's configuration for presswatch's migrations, run on `connection`."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def ensure_schema(engine: Engine) -> None:
    """Run Alembic migrations to head; safe when several processes start at once. A database
    already at HEAD_REVISION costs one query: Alembic is not even imported (it is a fifth of
    a crawl process's start)."""
    if _at_head(engine):
        return
    from alembic import command

    try:
        with _migration_lock(engine), engine.connect() as connection:
            command.upgrade(alembic_config(connection), "head")
            connection.commit()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open or upgrade the database {engine.url!r}: {exc}") from exc


def _at_head(engine: Engine) -> bool:
    """Whether the database exists and its schema is at HEAD_REVISION."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:" or not Path(database).is_file():
            return False
    try:
        with engine.connect() as connection:
            version = connection.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError:
        return False
    return bool(version == HEAD_REVISION)


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            yield
            return
        path = Path(database)
        if not path.parent.is_dir():
            raise StorageError(f"cannot create the database {path}: {path.parent} does not exist")
        _create_private(path)  # SQLite then opens it as it is; its -wal and -shm files follow
        _create_private(Path(f"{path}.lock"))
        with open(f"{path}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    with engine.connect() as connection:
        _pg_lock(connection, "pg_advisory_lock")
        try:
            yield
        finally:
            _pg_lock(connection, "pg_advisory_unlock")


def _create_private(path: Path) -> None:
    """An empty file readable by this user only, unless it exists: clippings, alerts and
    channel names are nobody else's business on a shared machine."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise StorageError(f"cannot create the database {path}: {exc.strerror}") from exc


def _pg_lock(connection: Connection, function: str) -> None:
    connection.execute(text(f"SELECT {function}(:key)"), {"key": _PG_MIGRATION_LOCK})
    connection.commit()


@contextlib.contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction (on SQLite, BEGIN IMMEDIATE), committed at the end; StorageError
    when it fails."""
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(presswatch_write=True)
            with connection.begin():
                yield connection
    except SQLAlchemyError as exc:
        raise StorageError(f"database write failed: {exc}") from exc


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read transaction; StorageError when it fails."""
    try:
        with engine.connect() as connection, connection.begin():
            yield connection
    except SQLAlchemyError as exc:
        raise StorageError(f"database read failed: {exc}") from exc


def conflict_insert(
    bind: Engine | Connection, table: Table | type[Any]
) -> sqlite.Insert | postgresql.Insert:
    """An INSERT of the database's own dialect, which can say what to do ON CONFLICT."""
    if bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def in_chunks(values: list[_T]) -> Iterator[list[_T]]:
    """`values` in pieces small enough for one IN (...) list each."""
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]
