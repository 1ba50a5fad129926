"""Alembic environment: runs on the connection presswatch hands over (see storage/db.py)."""

from __future__ import annotations

from alembic import context

from presswatch.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("presswatch migrations run through presswatch.storage.db.ensure_schema")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
