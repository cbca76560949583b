"""monitoring indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The overdue dashboard's aggregates walk open tasks in the order of their group keys: covering indexes.
INDEXES = {
    "ix_human_task_open_step": ["state", "process_name", "name", "due_at", "subject_id"],
    "ix_human_task_open_subject": ["state", "subject_id", "due_at"],
    "ix_human_task_open_person": ["state", "claimant_id", "candidates_label", "due_at", "subject_id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "human_task", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="human_task")
