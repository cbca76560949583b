"""The 2018 extension of developmental assessment: a campaign's targets may be subjects (专业, 课程, people), many of
them in one unit, so a target is unique by campaign, unit and subject

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-30
"""

from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_target") as batch:
        batch.drop_constraint("uq_assessment_target_unit", type_="unique")
        batch.create_unique_constraint("uq_assessment_target_subject", ["campaign_id", "org_unit_id", "subject_id"])


def downgrade() -> None:
    op.execute("DELETE FROM assessment_assignment WHERE target_id IN (SELECT id FROM assessment_target "
               "WHERE unit_kind NOT IN ('functional', 'college'))")  # fmt: skip
    op.execute("DELETE FROM assessment_target WHERE unit_kind NOT IN ('functional', 'college')")
    with op.batch_alter_table("assessment_target") as batch:
        batch.drop_constraint("uq_assessment_target_subject", type_="unique")
        batch.create_unique_constraint("uq_assessment_target_unit", ["campaign_id", "org_unit_id"])
