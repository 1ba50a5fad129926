"""Sources as the database knows them: a name and an id, created on first use, and the interval
an adaptive source is polled at now."""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from presswatch.clock import now_utc
from presswatch.storage.db import conflict_insert, reading, writing
from presswatch.storage.models import Source


class SourceStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def source_id(self, name: str) -> int:
        """The id of the source called `name`, created on first use."""
        with writing(self.engine) as connection:
            found = connection.scalar(select(Source.id).where(Source.name == name))
            if found is not None:
                return found
            stmt = conflict_insert(connection, Source).values(name=name, created_at=now_utc())
            connection.execute(stmt.on_conflict_do_nothing())
            return int(connection.scalar(select(Source.id).where(Source.name == name)) or 0)

    def source_names(self) -> list[str]:
        with reading(self.engine) as connection:
            return list(connection.scalars(select(Source.name).order_by(Source.name)))

    def poll_interval(self, name: str) -> float | None:
        """The interval adaptive polling last stored for the source (None: none yet)."""
        with reading(self.engine) as connection:
            return connection.scalar(select(Source.poll_interval_s).where(Source.name == name))

    def poll_intervals(self) -> dict[str, float]:
        """Every source's stored interval, by name (sources with none are left out)."""
        with reading(self.engine) as connection:
            rows = connection.execute(select(Source.name, Source.poll_interval_s))
            return {name: interval_s for name, interval_s in rows if interval_s is not None}

    def set_poll_interval(self, name: str, interval_s: float) -> None:
        """Store the interval the source is polled at from now (the source exists: it was
        crawled)."""
        with writing(self.engine) as connection:
            connection.execute(
                update(Source).where(Source.name == name).values(poll_interval_s=interval_s)
            )
