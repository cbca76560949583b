"""human_task.remind: a task's own reminder lead times (zhengai:task remind), kept for re-planning

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29

A task's reminders are planned from its own `remind` list (ISO durations before the due moment) when
it has one, else from the configured reminder days. Re-planning (resume, withdraw, a new due date) reads
the list from the task row. Tasks created before this have none and keep the configured days.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("human_task", sa.Column("remind", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("remind")
