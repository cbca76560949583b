"""The school sampling draws (学校抽样复核): seed, configuration and drawn subjects per year

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sampling_draw",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("config", JSONType, nullable=False),
        sa.Column("drawn_at", UTCDateTime(), nullable=False),
        sa.Column(
            "drawn_by_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", name=op.f("fk_sampling_draw_drawn_by_id_app_user")),
            nullable=True,
        ),
        sa.Column("subjects", JSONType, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index(op.f("ix_sampling_draw_year"), "sampling_draw", ["year"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sampling_draw_year"), table_name="sampling_draw")
    op.drop_table("sampling_draw")
