"""full-text search on PostgreSQL: a tsvector column over title and text, with a GIN index

SQLite keeps the FTS5 index of 0001; on SQLite this revision changes nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# kept in step with presswatch.storage.search (a migration must not change when code does)
_CONFIG = "presswatch_search"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # 'simple' (no stemming, no stop words, like the topic queries), plus unaccent when the
    # server has it, so that `resume` finds "résumé" as FTS5's remove_diacritics does
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {_CONFIG} (COPY = pg_catalog.simple)")
    if _has_unaccent(bind):
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {_CONFIG} ALTER MAPPING FOR hword, hword_part, word"
            " WITH unaccent, simple"
        )
    # the title weighs more than the text in the ranking (A over B)
    op.execute(
        "ALTER TABLE clippings ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('{_CONFIG}'::regconfig, title), 'A') || "
        f"setweight(to_tsvector('{_CONFIG}'::regconfig, text), 'B')) STORED"
    )
    op.execute("CREATE INDEX ix_clippings_search_vector ON clippings USING gin (search_vector)")


def _has_unaccent(bind: sa.Connection) -> bool:
    available = bind.scalar(
        sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'unaccent'")
    )
    if not available:
        log.warning("PostgreSQL has no unaccent extension: search will be accent-sensitive")
        return False
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except DBAPIError as exc:
        savepoint.rollback()
        log.warning(
            "cannot create the unaccent extension (%s): search will be accent-sensitive;"
            " a superuser can run CREATE EXTENSION unaccent in this database, before the"
            " first start",
            exc.orig,
        )
        return False
    savepoint.commit()
    return True


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_clippings_search_vector")
    op.execute("ALTER TABLE clippings DROP COLUMN search_vector")
    op.execute(f"DROP TEXT SEARCH CONFIGURATION {_CONFIG}")
