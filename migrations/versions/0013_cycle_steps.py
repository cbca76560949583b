"""the annual-cycle step of each task; subjects a cycle run could not start

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# Tasks created before this revision: the cycle's own tasks by their BPMN id, the chain tasks a cycle
# calls by their document's type (workflows/cycle_*.bpmn: steps 1, 4, 5 call the subject's chain).
TASK_STEPS = {
    "task_implementation": 6, "task_diagnosis": 7, "task_report": 8, "task_school_review": 9,
    "task_quality_report": 10, "task_feedback": 11,
}  # fmt: skip
CHAIN_STEPS = {"target": 1, "standard": 4, "plan": 5}


def upgrade() -> None:
    op.add_column("human_task", sa.Column("step", sa.Integer(), nullable=True))
    op.add_column("cycle_run", sa.Column("skipped", JSON, nullable=True))
    op.create_index("ix_human_task_instance_step", "human_task", ["instance_id", "state", "step", "due_at"])
    backfill_steps(op.execute)


def backfill_steps(execute) -> None:
    """Give the tasks of running cycles their step (tested in tests/engine/test_cycle_dates.py)."""
    task = sa.table(
        "human_task",
        sa.column("step", sa.Integer),
        sa.column("bpmn_id", sa.String),
        sa.column("process_key", sa.String),
        sa.column("document_id", sa.Integer),
    )
    document = sa.table("document", sa.column("id", sa.Integer), sa.column("doc_type", sa.String))
    in_cycle = task.c.process_key.like("cycle%")
    execute(
        task.update()
        .where(in_cycle, task.c.bpmn_id.in_(list(TASK_STEPS)))
        .values(step=sa.case(TASK_STEPS, value=task.c.bpmn_id))
    )
    doc_step = (
        sa.select(sa.case(CHAIN_STEPS, value=document.c.doc_type))
        .where(document.c.id == task.c.document_id)
        .scalar_subquery()
    )
    execute(task.update().where(in_cycle, task.c.step.is_(None), task.c.document_id.is_not(None)).values(step=doc_step))


def downgrade() -> None:
    op.drop_index("ix_human_task_instance_step", table_name="human_task")
    op.drop_column("cycle_run", "skipped")
    op.drop_column("human_task", "step")
