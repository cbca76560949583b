"""The school-level process of a school year (cycle steps 2 and 3), one per year

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cycle_school",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "instance_id",
            sa.Integer(),
            sa.ForeignKey("process_instance.id", name=op.f("fk_cycle_school_instance_id_process_instance")),
            nullable=False,
        ),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("cycle_run.id", name=op.f("fk_cycle_school_run_id_cycle_run")),
            nullable=True,
        ),  # fmt: skip
        sa.UniqueConstraint("year", name=op.f("uq_cycle_school_year")),
    )


def downgrade() -> None:
    op.drop_table("cycle_school")
