"""removal alerts: a clipping's page that answers 404 or 410 on a re-check is kept as a
revision of its own (clipping_revisions.removed_status, the answer), which the "update"
alerts of the topics with on_update tell of

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("clipping_revisions", sa.Column("removed_status", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("clipping_revisions", "removed_status")
