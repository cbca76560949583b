"""Drop the unused `section` table and `app_user.section_id`: a 科室 / 教研室 / 实训中心 is a unit of the tree
(`org_unit.kind` office, teaching_section, training_centre) and a person belongs to it by `org_unit_id`; the first
schema's second way of saying so was never read or written

Revision ID: 0035
Revises: 0034
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint("fk_app_user_section_id_section", type_="foreignkey")
        batch.drop_column("section_id")
    with op.batch_alter_table("section") as batch:
        batch.drop_index("ix_section_org_unit_id")
    op.drop_table("section")


def downgrade() -> None:
    op.create_table(
        "section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name="fk_section_org_unit_id_org_unit"),
        sa.PrimaryKeyConstraint("id", name="pk_section"),
    )
    with op.batch_alter_table("section") as batch:
        batch.create_index("ix_section_org_unit_id", ["org_unit_id"], unique=False)
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("section_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_app_user_section_id_section", "section", ["section_id"], ["id"])
