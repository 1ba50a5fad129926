"""Sources as the database knows them: a name and an id, created on first use."""

from __future__ import annotations

from sqlalchemy import Engine, select

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
