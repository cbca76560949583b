"""warnings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("responsible_user_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("rule_key", sa.String(length=160), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("object_type", sa.String(length=24), nullable=True),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("details", JSONType, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since_at", UTCDateTime(), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("notes", JSONType, nullable=False),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_quality_warning_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["responsible_user_id"], ["app_user.id"], name=op.f("fk_quality_warning_responsible_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(["reporter_id"], ["app_user.id"], name=op.f("fk_quality_warning_reporter_id_app_user")),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["app_user.id"], name=op.f("fk_quality_warning_acknowledged_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["app_user.id"], name=op.f("fk_quality_warning_resolved_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_warning")),
        sa.UniqueConstraint("rule_key", name="uq_quality_warning_rule_key"),
    )
    op.create_index("ix_quality_warning_unit_status", "quality_warning", ["org_unit_id", "status"], unique=False)
    op.create_index("ix_quality_warning_status_level", "quality_warning", ["status", "level"], unique=False)
    op.create_index("ix_quality_warning_object", "quality_warning", ["object_type", "object_id"], unique=False)
    op.create_index(
        op.f("ix_quality_warning_responsible_user_id"), "quality_warning", ["responsible_user_id"], unique=False
    )
    op.create_index(op.f("ix_quality_warning_reporter_id"), "quality_warning", ["reporter_id"], unique=False)
    op.create_table(
        "warning_rule_cursor",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_warning_rule_cursor")),
    )


def downgrade() -> None:
    op.drop_table("warning_rule_cursor")
    op.drop_index(op.f("ix_quality_warning_reporter_id"), table_name="quality_warning")
    op.drop_index(op.f("ix_quality_warning_responsible_user_id"), table_name="quality_warning")
    op.drop_index("ix_quality_warning_object", table_name="quality_warning")
    op.drop_index("ix_quality_warning_status_level", table_name="quality_warning")
    op.drop_index("ix_quality_warning_unit_status", table_name="quality_warning")
    op.drop_table("quality_warning")
