"""clipping_reviews: reviewed, starred and a note per clipping; indexes for the review page

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clipping_reviews",
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_clipping_reviews_clipping_id_clippings"),
        ),
        sa.PrimaryKeyConstraint("clipping_id", name=op.f("pk_clipping_reviews")),
    )
    op.create_index(op.f("ix_clipping_reviews_reviewed_at"), "clipping_reviews", ["reviewed_at"])
    op.create_index(op.f("ix_clipping_reviews_starred"), "clipping_reviews", ["starred"])
    # a clipping's alerts; the date filter (published, else fetched) over folded or one source's
    # clippings, answered from the index
    op.create_index(op.f("ix_alert_items_clipping_id"), "alert_items", ["clipping_id"])
    op.create_index(
        "ix_clippings_duplicate_of_published", "clippings", ["duplicate_of", "published", "fetched"]
    )
    op.create_index(
        "ix_clippings_source_published", "clippings", ["source_id", "published", "fetched"]
    )


def downgrade() -> None:
    op.drop_index("ix_clippings_source_published", table_name="clippings")
    op.drop_index("ix_clippings_duplicate_of_published", table_name="clippings")
    op.drop_index(op.f("ix_alert_items_clipping_id"), table_name="alert_items")
    op.drop_index(op.f("ix_clipping_reviews_starred"), table_name="clipping_reviews")
    op.drop_index(op.f("ix_clipping_reviews_reviewed_at"), table_name="clipping_reviews")
    op.drop_table("clipping_reviews")
