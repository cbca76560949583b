"""Quality supervision (质量督导) plans and records; third-party satisfaction surveys and their results

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _user_fk(table: str, column: str) -> sa.Column:
    return sa.Column(column, sa.Integer(), sa.ForeignKey("app_user.id", name=op.f(f"fk_{table}_{column}_app_user")),
                     nullable=True)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "supervision_plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=False),
        sa.Column("supervisor_ids", JSONType, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _user_fk("supervision_plan", "updated_by_id"),
        sa.UniqueConstraint("year", "kind", name="uq_supervision_plan_year_kind"),
    )
    op.create_table(
        "supervision_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column(
            "subject_id",
            sa.Integer(),
            sa.ForeignKey("subject.id", name=op.f("fk_supervision_record_subject_id_subject")),
            nullable=False,
        ),  # fmt: skip
        sa.Column(
            "supervisor_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", name=op.f("fk_supervision_record_supervisor_id_app_user")),
            nullable=False,
        ),  # fmt: skip
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("activity", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        _user_fk("supervision_record", "responded_by_id"),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
    )
    op.create_index(op.f("ix_supervision_record_year"), "supervision_record", ["year"])
    op.create_index(op.f("ix_supervision_record_supervisor_id"), "supervision_record", ["supervisor_id"])
    op.create_index("ix_supervision_record_subject_year", "supervision_record", ["subject_id", "year"])
    op.create_table(
        "satisfaction_survey",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rows", JSONType, nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        _user_fk("satisfaction_survey", "imported_by_id"),
    )
    op.create_index("ix_satisfaction_survey_year_kind", "satisfaction_survey", ["year", "kind"])
    op.create_table(
        "satisfaction_result",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "survey_id",
            sa.Integer(),
            sa.ForeignKey("satisfaction_survey.id", name=op.f("fk_satisfaction_result_survey_id_satisfaction_survey")),
            nullable=False,
        ),  # fmt: skip
        sa.Column(
            "college_id",
            sa.Integer(),
            sa.ForeignKey("org_unit.id", name=op.f("fk_satisfaction_result_college_id_org_unit")),
            nullable=False,
        ),  # fmt: skip
        sa.Column(
            "major_subject_id",
            sa.Integer(),
            sa.ForeignKey("subject.id", name=op.f("fk_satisfaction_result_major_subject_id_subject")),
            nullable=True,
        ),  # fmt: skip
        sa.Column("item", sa.String(100), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
    )
    op.create_index(op.f("ix_satisfaction_result_survey_id"), "satisfaction_result", ["survey_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_satisfaction_result_survey_id"), table_name="satisfaction_result")
    op.drop_table("satisfaction_result")
    op.drop_index("ix_satisfaction_survey_year_kind", table_name="satisfaction_survey")
    op.drop_table("satisfaction_survey")
    op.drop_index("ix_supervision_record_subject_year", table_name="supervision_record")
    op.drop_index(op.f("ix_supervision_record_supervisor_id"), table_name="supervision_record")
    op.drop_index(op.f("ix_supervision_record_year"), table_name="supervision_record")
    op.drop_table("supervision_record")
    op.drop_table("supervision_plan")
