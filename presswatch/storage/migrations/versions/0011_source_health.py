"""source health: more counts per crawl run, feed and sitemap fetches per run, a daily rollup
per source, health events (and health alerts in the outbox), adaptive polling's interval

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from presswatch.storage.models import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_RUN_COUNTS = ("requests", "robots", "dated", "authored")


def upgrade() -> None:
    # plain ADD COLUMN (no batch copy of the tables: other tables' rows refer to them)
    op.add_column("sources", sa.Column("poll_interval_s", sa.Float(), nullable=True))
    for name in _RUN_COUNTS:
        op.add_column(
            "crawl_runs", sa.Column(name, sa.Integer(), nullable=False, server_default="0")
        )
    op.add_column("crawl_runs", sa.Column("median_words", sa.Integer(), nullable=True))
    op.create_table(
        "feed_fetches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("new_links", sa.Integer(), nullable=False),
        sa.Column("moved_to", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_feed_fetches_crawl_run_id_crawl_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_fetches")),
    )
    op.create_index(
        op.f("ix_feed_fetches_crawl_run_id"), "feed_fetches", ["crawl_run_id"], unique=False
    )
    op.create_table(
        "source_days",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("runs", "requests", "errors", "fetched", "extracted", "stored")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_days_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("source_id", "day", name=op.f("pk_source_days")),
    )
    op.create_table(
        "health_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("since", UtcDateTime(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("recovered_at", UtcDateTime(), nullable=True),
        sa.Column("recovery_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_health_events_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_events")),
    )
    op.create_index(
        "ix_health_events_source_kind",
        "health_events",
        ["source_id", "kind", "recovered_at"],
        unique=False,
    )
    fk = op.f("fk_alerts_health_event_id_health_events")
    if op.get_bind().dialect.name == "sqlite":  # Alembic adds no constraint there: SQL does
        op.execute(
            f"ALTER TABLE alerts ADD COLUMN health_event_id INTEGER CONSTRAINT {fk}"
            " REFERENCES health_events (id)"
        )
    else:
        op.add_column("alerts", sa.Column("health_event_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, "alerts", "health_events", ["health_event_id"], ["id"])
    op.add_column("alerts", sa.Column("health_state", sa.String(length=10), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_alerts_health_event_id_health_events"), "alerts")
    op.drop_column("alerts", "health_state")
    op.drop_column("alerts", "health_event_id")
    op.drop_index("ix_health_events_source_kind", table_name="health_events")
    op.drop_table("health_events")
    op.drop_table("source_days")
    op.drop_index(op.f("ix_feed_fetches_crawl_run_id"), table_name="feed_fetches")
    op.drop_table("feed_fetches")
    op.drop_column("crawl_runs", "median_words")
    for name in reversed(_RUN_COUNTS):
        op.drop_column("crawl_runs", name)
    op.drop_column("sources", "poll_interval_s")
