"""cycle runs and cycle instances

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from engine.models.base import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "cycle_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("levels", JSON, nullable=False),
        sa.Column("dues", JSON, nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["started_by_id"], ["app_user.id"], name=op.f("fk_cycle_run_started_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_run")),
    )
    op.create_table(
        "cycle_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_cycle_instance_instance_id_process_instance")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["cycle_run.id"], name=op.f("fk_cycle_instance_run_id_cycle_run")),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_cycle_instance_subject_id_subject")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_instance")),
        sa.UniqueConstraint("year", "subject_id", name="uq_cycle_instance"),
    )
    op.create_index(op.f("ix_cycle_instance_year"), "cycle_instance", ["year"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_cycle_instance_year"), table_name="cycle_instance")
    op.drop_table("cycle_instance")
    op.drop_table("cycle_run")
