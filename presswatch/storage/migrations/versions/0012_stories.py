"""stories: a story per clipping, the stories, and the index their candidates are looked up in

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from presswatch.storage.models import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin_id", sa.Integer(), nullable=True),
        sa.Column("wire", sa.String(length=20), nullable=True),
        sa.Column("first_seen", UtcDateTime(), nullable=False),
        sa.Column("last_seen", UtcDateTime(), nullable=False),
        sa.Column("clippings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    op.create_index(op.f("ix_stories_last_seen"), "stories", ["last_seen"], unique=False)
    fk = op.f("fk_clippings_story_id_stories")
    if op.get_bind().dialect.name == "sqlite":  # Alembic adds no constraint there: SQL does
        op.execute(
            f"ALTER TABLE clippings ADD COLUMN story_id INTEGER CONSTRAINT {fk}"
            " REFERENCES stories (id)"
        )
    else:
        op.add_column("clippings", sa.Column("story_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, "clippings", "stories", ["story_id"], ["id"])
    op.create_index(op.f("ix_clippings_story_id"), "clippings", ["story_id"], unique=False)
    op.create_table(
        "story_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"], ["clippings.id"], name=op.f("fk_story_keys_clipping_id_clippings")
        ),
        sa.PrimaryKeyConstraint("key", "at", "clipping_id", name=op.f("pk_story_keys")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "story_members",
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("sample", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("wire", sa.String(length=20), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"], ["clippings.id"], name=op.f("fk_story_members_clipping_id_clippings")
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_story_members_story_id_stories")
        ),
        sa.PrimaryKeyConstraint("clipping_id", name=op.f("pk_story_members")),
    )
    op.create_table(
        "story_terms",
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_story_terms")),
    )


def downgrade() -> None:
    op.drop_table("story_terms")
    op.drop_table("story_members")
    op.drop_table("story_keys")
    op.drop_index(op.f("ix_clippings_story_id"), table_name="clippings")
    if op.get_bind().dialect.name == "sqlite":
        op.drop_column("clippings", "story_id")
    else:
        op.drop_constraint(op.f("fk_clippings_story_id_stories"), "clippings")
        op.drop_column("clippings", "story_id")
    op.drop_index(op.f("ix_stories_last_seen"), table_name="stories")
    op.drop_table("stories")
