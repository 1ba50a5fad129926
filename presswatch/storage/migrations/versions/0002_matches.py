"""matches: which topic matched which clipping, with snippets; crawl_runs.matched

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("snippets", sa.Text(), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("backfilled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"], ["clippings.id"], name=op.f("fk_matches_clipping_id_clippings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matches")),
        sa.UniqueConstraint("topic", "clipping_id", name=op.f("uq_matches_topic_clipping_id")),
    )
    op.create_index("ix_matches_topic_matched_at", "matches", ["topic", "matched_at"])
    op.create_index(op.f("ix_matches_clipping_id"), "matches", ["clipping_id"])
    with op.batch_alter_table("crawl_runs") as batch_op:
        batch_op.add_column(sa.Column("matched", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch_op:
        batch_op.drop_column("matched")
    op.drop_index(op.f("ix_matches_clipping_id"), table_name="matches")
    op.drop_index("ix_matches_topic_matched_at", table_name="matches")
    op.drop_table("matches")
