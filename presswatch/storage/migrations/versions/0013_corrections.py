"""corrections: clippings that matched a topic are re-checked (tracked_pages), their changes
kept as revisions (clipping_revisions), and "update" alerts name the revision they tell of

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from presswatch.storage.models import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracked_pages",
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("next_check_at", UtcDateTime(), nullable=True),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("checked_at", UtcDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("removed_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clipping_id"], ["clippings.id"], name=op.f("fk_tracked_pages_clipping_id_clippings")
        ),
        sa.PrimaryKeyConstraint("clipping_id", name=op.f("pk_tracked_pages")),
    )
    op.create_index(
        "ix_tracked_pages_status_next_check",
        "tracked_pages",
        ["status", "next_check_at"],
        unique=False,
    )
    op.create_table(
        "clipping_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("old_title", sa.Text(), nullable=False),
        sa.Column("new_title", sa.Text(), nullable=False),
        sa.Column("old_text", sa.Text(), nullable=False),
        sa.Column("text_diff", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_clipping_revisions_clipping_id_clippings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clipping_revisions")),
    )
    op.create_index(
        op.f("ix_clipping_revisions_clipping_id"),
        "clipping_revisions",
        ["clipping_id"],
        unique=False,
    )
    fk = op.f("fk_alerts_revision_id_clipping_revisions")
    if op.get_bind().dialect.name == "sqlite":  # Alembic adds no constraint there: SQL does
        op.execute(
            f"ALTER TABLE alerts ADD COLUMN revision_id INTEGER CONSTRAINT {fk}"
            " REFERENCES clipping_revisions (id)"
        )
    else:
        op.add_column("alerts", sa.Column("revision_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, "alerts", "clipping_revisions", ["revision_id"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_alerts_revision_id_clipping_revisions"), "alerts")
    op.drop_column("alerts", "revision_id")
    op.drop_index(op.f("ix_clipping_revisions_clipping_id"), table_name="clipping_revisions")
    op.drop_table("clipping_revisions")
    op.drop_index("ix_tracked_pages_status_next_check", table_name="tracked_pages")
    op.drop_table("tracked_pages")
