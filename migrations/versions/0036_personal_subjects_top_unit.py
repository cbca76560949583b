"""A teacher's or student's own subject belongs to their 二级学院 or 职能部门, also when a roster put the person in a
科室 / 教研室 / 实训中心 of it: the chains ask the subject's unit for its reviewers, and a sub-unit has none (the
import now writes it so; this moves the subjects written before)

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-30
"""

from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

SUB_UNITS = "('office', 'teaching_section', 'training_centre')"


def upgrade() -> None:
    op.execute(
        "UPDATE subject SET org_unit_id = (SELECT parent_id FROM org_unit WHERE org_unit.id = subject.org_unit_id) "
        "WHERE type IN ('teacher', 'student') AND org_unit_id IN "
        f"(SELECT id FROM org_unit WHERE kind IN {SUB_UNITS} AND parent_id IS NOT NULL)"
    )


def downgrade() -> None:
    pass  # the subjects stay with the unit above: nothing in the older schema depends on where they were
