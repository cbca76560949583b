"""Developmental assessment (table 40): indicator systems, campaigns, targets, scorers' assignments

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, nullable: bool = True) -> sa.Column:
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.Column(column, sa.Integer(), sa.ForeignKey(f"{target}.id", name=name), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "assessment_system",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("due", sa.String(16), nullable=False),
        sa.Column("definition", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("assessment_system", "updated_by_id", "app_user"),
        sa.Column("frozen_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("kind", "version", name="uq_assessment_system_kind_version"),
    )
    op.create_table(
        "assessment_campaign",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("assessment_campaign", "system_id", "assessment_system", nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("target_kinds", JSONType, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("settings", JSONType, nullable=False),
        _fk("assessment_campaign", "instance_id", "process_instance"),
        sa.Column("scoring_due", UTCDateTime(), nullable=False),
        _fk("assessment_campaign", "created_by_id", "app_user"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
    )
    for column in ("system_id", "year", "status", "instance_id"):
        op.create_index(op.f(f"ix_assessment_campaign_{column}"), "assessment_campaign", [column])
    op.create_table(
        "assessment_target",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("assessment_target", "campaign_id", "assessment_campaign", nullable=False),
        _fk("assessment_target", "org_unit_id", "org_unit", nullable=False),
        sa.Column("unit_kind", sa.String(16), nullable=False),
        _fk("assessment_target", "subject_id", "subject"),
        sa.Column("veto_reason", sa.Text(), nullable=True),
        sa.Column("outstanding_reason", sa.Text(), nullable=True),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("grade", sa.String(16), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("parts", JSONType, nullable=False),
        sa.Column("detail", JSONType, nullable=False),
        sa.UniqueConstraint("campaign_id", "org_unit_id", name="uq_assessment_target_unit"),
    )
    for column in ("campaign_id", "org_unit_id"):
        op.create_index(op.f(f"ix_assessment_target_{column}"), "assessment_target", [column])
    op.create_table(
        "assessment_assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("assessment_assignment", "campaign_id", "assessment_campaign", nullable=False),
        _fk("assessment_assignment", "target_id", "assessment_target", nullable=False),
        _fk("assessment_assignment", "scorer_id", "app_user", nullable=False),
        sa.Column("group_key", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("scores", JSONType, nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("target_id", "scorer_id", "group_key", name="uq_assessment_assignment_scorer"),
    )
    for column in ("campaign_id", "target_id", "scorer_id"):
        op.create_index(op.f(f"ix_assessment_assignment_{column}"), "assessment_assignment", [column])


def downgrade() -> None:
    op.drop_table("assessment_assignment")
    op.drop_table("assessment_target")
    op.drop_table("assessment_campaign")
    op.drop_table("assessment_system")
