"""fingerprint_bands: near-duplicate candidates from a narrow table instead of six band columns

Storing an article looks up the clippings that share a fingerprint band with it. With the bands
as six indexed columns of `clippings`, every candidate was a wide clipping row (its whole text),
and PostgreSQL, seeing a batch's six IN lists match a large share of the table, read all of it.
Here each clipping has one narrow row per band key (position << 16 | band bits) under a primary
key that starts with the key: a candidate is one index entry away.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# kept in step with presswatch.extractors.fingerprint.BAND_WIDTHS (a migration must not change
# when code does): band i is the fingerprint's bits from OFFSETS[i], WIDTHS[i] wide, counted
# from the lowest
_WIDTHS = (11, 11, 11, 11, 10, 10)
_OFFSETS = tuple(sum(_WIDTHS[:i]) for i in range(len(_WIDTHS)))


def upgrade() -> None:
    op.create_table(
        "fingerprint_bands",
        sa.Column("band_key", sa.Integer(), nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_fingerprint_bands_clipping_id_clippings"),
        ),
        sa.PrimaryKeyConstraint("band_key", "clipping_id", name=op.f("pk_fingerprint_bands")),
        sqlite_with_rowid=False,
    )
    for position in range(len(_WIDTHS)):
        op.execute(
            "INSERT INTO fingerprint_bands (band_key, clipping_id, fingerprint)"
            f" SELECT {position << 16} + fp_band{position}, id, fingerprint FROM clippings"
        )
    for position in range(len(_WIDTHS)):
        op.drop_index(f"ix_clippings_fp_band{position}", table_name="clippings")
        # plain ALTER TABLE on both backends (SQLite 3.35+): a batch copy of clippings would
        # drop the FTS5 triggers that keep the search index in step
        op.execute(f"ALTER TABLE clippings DROP COLUMN fp_band{position}")


def downgrade() -> None:
    for position, (offset, width) in enumerate(zip(_OFFSETS, _WIDTHS, strict=True)):
        op.execute(f"ALTER TABLE clippings ADD COLUMN fp_band{position} INTEGER NOT NULL DEFAULT 0")
        # two's complement on both backends: the low bits of an arithmetic shift are the band
        mask = (1 << width) - 1
        op.execute(f"UPDATE clippings SET fp_band{position} = (fingerprint >> {offset}) & {mask}")
        op.create_index(f"ix_clippings_fp_band{position}", "clippings", [f"fp_band{position}"])
    op.drop_table("fingerprint_bands")
