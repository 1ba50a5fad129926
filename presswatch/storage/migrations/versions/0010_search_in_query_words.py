"""the full-text index holds the topic matcher's words (presswatch.words), written by the
application: SQLite's FTS5 table becomes contentless (no triggers), PostgreSQL's search_vector
stops being generated from the database's own parser. Every stored clipping is indexed again.

Unlike other revisions this one calls application code (the tokenizer): the index must hold
the words the running code searches for.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from presswatch.storage.fulltext import FTS5_TABLE, FTS5_TOKENIZER, index_clippings

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 1000
_CONFIG = "presswatch_search"  # of revision 0005


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS clippings_fts_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {FTS5_TABLE}")
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS5_TABLE} USING fts5(title, text, content='',"
            f' tokenize="{FTS5_TOKENIZER}")'
        )
    else:
        op.execute("ALTER TABLE clippings DROP COLUMN search_vector")
        op.execute("ALTER TABLE clippings ADD COLUMN search_vector tsvector")
    _index_all(bind)
    if bind.dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_clippings_search_vector ON clippings USING gin (search_vector)")


def _index_all(bind: sa.Connection) -> None:
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, title, text FROM clippings WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": _BATCH},
        ).all()
        if not rows:
            return
        index_clippings(bind, [(int(id_), title, text) for id_, title, text in rows])
        last = int(rows[-1][0])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(f"DROP TABLE {FTS5_TABLE}")
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS5_TABLE} USING fts5(title, text, content='clippings',"
            " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER clippings_fts_insert AFTER INSERT ON clippings BEGIN"
            f" INSERT INTO {FTS5_TABLE}(rowid, title, text) VALUES (new.id, new.title, new.text);"
            " END"
        )
        op.execute(
            "CREATE TRIGGER clippings_fts_delete AFTER DELETE ON clippings BEGIN"
            f" INSERT INTO {FTS5_TABLE}({FTS5_TABLE}, rowid, title, text)"
            " VALUES ('delete', old.id, old.title, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER clippings_fts_update AFTER UPDATE OF title, text ON clippings BEGIN"
            f" INSERT INTO {FTS5_TABLE}({FTS5_TABLE}, rowid, title, text)"
            " VALUES ('delete', old.id, old.title, old.text);"
            f" INSERT INTO {FTS5_TABLE}(rowid, title, text) VALUES (new.id, new.title, new.text);"
            " END"
        )
        op.execute(f"INSERT INTO {FTS5_TABLE}({FTS5_TABLE}) VALUES ('rebuild')")
        return
    op.execute("ALTER TABLE clippings DROP COLUMN search_vector")
    op.execute(
        "ALTER TABLE clippings ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('{_CONFIG}'::regconfig, title), 'A') || "
        f"setweight(to_tsvector('{_CONFIG}'::regconfig, text), 'B')) STORED"
    )
    op.execute("CREATE INDEX ix_clippings_search_vector ON clippings USING gin (search_vector)")
