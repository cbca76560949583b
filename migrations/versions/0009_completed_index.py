"""index for the step latency window of /metrics

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_human_task_state_completed", "human_task", ["state", "completed_at"])


def downgrade() -> None:
    op.drop_index("ix_human_task_state_completed", table_name="human_task")
