"""Committees of 诊改 with their members, and the basic standards (seed table 10)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "committee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("term_start", sa.Date(), nullable=True),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_committee_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["app_user.id"], name=op.f("fk_committee_updated_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee")),
    )
    op.create_index(op.f("ix_committee_kind"), "committee", ["kind"])
    op.create_table(
        "committee_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("external_name", sa.String(length=64), nullable=True),
        sa.Column("external_employer", sa.String(length=100), nullable=True),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committee.id"], name=op.f("fk_committee_member_committee_id_committee")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_committee_member_user_id_app_user")),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_unit.id"], name=op.f("fk_committee_member_org_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_member")),
    )
    op.create_index(op.f("ix_committee_member_committee_id"), "committee_member", ["committee_id"])
    op.create_index(op.f("ix_committee_member_user_id"), "committee_member", ["user_id"])
    op.create_table(
        "basic_standard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("lead_function", sa.String(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=24), nullable=True),
        sa.Column("levels", sa.String(length=200), nullable=True),
        sa.Column("revision_years", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_basic_standard_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basic_standard")),
        sa.UniqueConstraint("key", name="uq_basic_standard_key"),
    )


def downgrade() -> None:
    op.drop_table("basic_standard")
    op.drop_index(op.f("ix_committee_member_user_id"), table_name="committee_member")
    op.drop_index(op.f("ix_committee_member_committee_id"), table_name="committee_member")
    op.drop_table("committee_member")
    op.drop_index(op.f("ix_committee_kind"), table_name="committee")
    op.drop_table("committee")
