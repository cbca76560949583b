"""process drafts for the modeler

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "process_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("base_version_id", sa.Integer(), nullable=True),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("problems", JSONType, nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["definition_id"], ["process_definition.id"]),
        sa.ForeignKeyConstraint(["base_version_id"], ["process_version.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("definition_id"),
    )


def downgrade() -> None:
    op.drop_table("process_draft")
