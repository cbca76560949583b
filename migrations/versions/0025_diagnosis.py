"""The three diagnosis modes: review checklists with versions, review assessments, 规定性诊断 records

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "review_checklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("lead_function", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_checklist")),
        sa.UniqueConstraint("subject_type", name="uq_review_checklist_subject_type"),
    )
    op.create_table(
        "checklist_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("items", JSONType, nullable=False),
        sa.Column("scale", JSONType, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        _fk("checklist_version", "checklist_id", "review_checklist"),
        _fk("checklist_version", "updated_by_id", "app_user"),
        _fk("checklist_version", "published_by_id", "app_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_version")),
        sa.UniqueConstraint("checklist_id", "version", name="uq_checklist_version"),
    )
    op.create_index(op.f("ix_checklist_version_checklist_id"), "checklist_version", ["checklist_id"])
    op.create_table(
        "review_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("checklist_version_id", sa.Integer(), nullable=False),
        sa.Column("verdicts", JSONType, nullable=False),
        sa.Column("methods", JSONType, nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=True),
        sa.Column("evidence_url", sa.String(length=500), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
        sa.Column("assessed_by_id", sa.Integer(), nullable=False),
        _fk("review_assessment", "document_id", "document"),
        _fk("review_assessment", "checklist_version_id", "checklist_version"),
        _fk("review_assessment", "assessed_by_id", "app_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assessment")),
        sa.UniqueConstraint("document_id", name="uq_review_assessment_document"),
    )
    op.create_table(
        "prescriptive_diagnosis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("standard_version", sa.Integer(), nullable=False),
        sa.Column("results", JSONType, nullable=False),
        sa.Column("methods", JSONType, nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=True),
        sa.Column("evidence_url", sa.String(length=500), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        _fk("prescriptive_diagnosis", "standard_id", "basic_standard"),
        _fk("prescriptive_diagnosis", "subject_id", "subject"),
        _fk("prescriptive_diagnosis", "created_by_id", "app_user"),
        _fk("prescriptive_diagnosis", "updated_by_id", "app_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescriptive_diagnosis")),
        sa.UniqueConstraint("standard_id", "subject_id", "year", name="uq_prescriptive_diagnosis"),
    )
    op.create_index(op.f("ix_prescriptive_diagnosis_standard_id"), "prescriptive_diagnosis", ["standard_id"])
    op.create_index(op.f("ix_prescriptive_diagnosis_subject_id"), "prescriptive_diagnosis", ["subject_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_prescriptive_diagnosis_subject_id"), table_name="prescriptive_diagnosis")
    op.drop_index(op.f("ix_prescriptive_diagnosis_standard_id"), table_name="prescriptive_diagnosis")
    op.drop_table("prescriptive_diagnosis")
    op.drop_table("review_assessment")
    op.drop_index(op.f("ix_checklist_version_checklist_id"), table_name="checklist_version")
    op.drop_table("checklist_version")
    op.drop_table("review_checklist")
