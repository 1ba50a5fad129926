"""initial schema: sources, clippings, page URLs, crawl runs and errors, feed state; FTS5

Revision ID: 0001
Revises:
Create Date: 2026-11-29 09:16:23.399651
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_states",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("children", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_feed_states")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("discovered", sa.Integer(), nullable=False),
        sa.Column("known", sa.Integer(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("not_modified", sa.Integer(), nullable=False),
        sa.Column("extracted", sa.Integer(), nullable=False),
        sa.Column("not_articles", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_crawl_runs_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_crawl_runs_source_started", ["source_id", "started_at"], unique=False
        )

    op.create_table(
        "clippings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("canonical_url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("site_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("image", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.BigInteger(), nullable=False),
        sa.Column("fp_band0", sa.Integer(), nullable=False),
        sa.Column("fp_band1", sa.Integer(), nullable=False),
        sa.Column("fp_band2", sa.Integer(), nullable=False),
        sa.Column("fp_band3", sa.Integer(), nullable=False),
        sa.Column("fp_band4", sa.Integer(), nullable=False),
        sa.Column("fp_band5", sa.Integer(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"], ["crawl_runs.id"], name=op.f("fk_clippings_crawl_run_id_crawl_runs")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"], ["clippings.id"], name=op.f("fk_clippings_duplicate_of_clippings")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_clippings_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clippings")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_clippings_canonical_url")),
    )
    with op.batch_alter_table("clippings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clippings_duplicate_of"), ["duplicate_of"], unique=False
        )
        batch_op.create_index("ix_clippings_fetched", ["fetched"], unique=False)
        batch_op.create_index("ix_clippings_fp_band0", ["fp_band0"], unique=False)
        batch_op.create_index("ix_clippings_fp_band1", ["fp_band1"], unique=False)
        batch_op.create_index("ix_clippings_fp_band2", ["fp_band2"], unique=False)
        batch_op.create_index("ix_clippings_fp_band3", ["fp_band3"], unique=False)
        batch_op.create_index("ix_clippings_fp_band4", ["fp_band4"], unique=False)
        batch_op.create_index("ix_clippings_fp_band5", ["fp_band5"], unique=False)
        batch_op.create_index("ix_clippings_published", ["published"], unique=False)
        batch_op.create_index("ix_clippings_source_fetched", ["source_id", "fetched"], unique=False)

    op.create_table(
        "crawl_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_crawl_errors_crawl_run_id_crawl_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_errors")),
    )
    with op.batch_alter_table("crawl_errors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crawl_errors_crawl_run_id"), ["crawl_run_id"], unique=False
        )

    op.create_table(
        "page_urls",
        sa.Column("url_key", sa.String(length=2000), nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"], ["clippings.id"], name=op.f("fk_page_urls_clipping_id_clippings")
        ),
        sa.PrimaryKeyConstraint("url_key", name=op.f("pk_page_urls")),
    )
    with op.batch_alter_table("page_urls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_page_urls_clipping_id"), ["clipping_id"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        _create_sqlite_fts()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS clippings_fts")
    with op.batch_alter_table("page_urls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_page_urls_clipping_id"))

    op.drop_table("page_urls")
    with op.batch_alter_table("crawl_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawl_errors_crawl_run_id"))

    op.drop_table("crawl_errors")
    with op.batch_alter_table("clippings", schema=None) as batch_op:
        batch_op.drop_index("ix_clippings_source_fetched")
        batch_op.drop_index("ix_clippings_published")
        batch_op.drop_index("ix_clippings_fp_band5")
        batch_op.drop_index("ix_clippings_fp_band4")
        batch_op.drop_index("ix_clippings_fp_band3")
        batch_op.drop_index("ix_clippings_fp_band2")
        batch_op.drop_index("ix_clippings_fp_band1")
        batch_op.drop_index("ix_clippings_fp_band0")
        batch_op.drop_index("ix_clippings_fetched")
        batch_op.drop_index(batch_op.f("ix_clippings_duplicate_of"))

    op.drop_table("clippings")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_crawl_runs_source_started")

    op.drop_table("crawl_runs")
    op.drop_table("sources")
    op.drop_table("feed_states")


_SQLITE_FTS = (
    # external-content FTS5 index over title and text, kept in step by triggers
    "CREATE VIRTUAL TABLE clippings_fts USING fts5(title, text, content='clippings',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER clippings_fts_insert AFTER INSERT ON clippings BEGIN"
    " INSERT INTO clippings_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER clippings_fts_delete AFTER DELETE ON clippings BEGIN"
    " INSERT INTO clippings_fts(clippings_fts, rowid, title, text)"
    " VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER clippings_fts_update AFTER UPDATE OF title, text ON clippings BEGIN"
    " INSERT INTO clippings_fts(clippings_fts, rowid, title, text)"
    " VALUES ('delete', old.id, old.title, old.text);"
    " INSERT INTO clippings_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
)


def _create_sqlite_fts() -> None:
    for statement in _SQLITE_FTS:
        op.execute(statement)
