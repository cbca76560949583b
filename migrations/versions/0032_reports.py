"""The yearly reports: report types with their headings, reports, the departments' contributions; the functions
that contribute to the school's quality report (党委宣传部, 招生就业处, 科研处, 国际学院)

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

OLD_KEYS = (
    "quality_office", "party_office", "academic_affairs", "human_resources", "student_affairs",
    "security_office", "information_office", "logistics", "cooperation",
)  # fmt: skip
NEW_KEYS = OLD_KEYS + ("publicity", "admissions", "research", "international")


def _keys_check(keys) -> None:
    listed = ", ".join(f"'{k}'" for k in keys)
    with op.batch_alter_table("org_function") as batch:
        batch.drop_constraint(op.f("ck_org_function_key"), type_="check")
        batch.create_check_constraint(op.f("ck_org_function_key"), f"key IN ({listed})")


def _fk(table: str, column: str, target: str, nullable: bool = True) -> sa.Column:
    return sa.Column(column, sa.Integer(), sa.ForeignKey(target, name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}")),
                     nullable=nullable)  # fmt: skip


def upgrade() -> None:
    _keys_check(NEW_KEYS)
    op.create_table(
        "report_type",
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("unit_kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sections", JSONType, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        _fk("report_type", "updated_by_id", "app_user.id"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_report_type")),
    )
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "type_key",
            sa.String(32),
            sa.ForeignKey("report_type.key", name=op.f("fk_report_type_key_report_type")),
            nullable=False,
        ),  # fmt: skip
        sa.Column("year", sa.Integer(), nullable=False),
        _fk("report", "unit_id", "org_unit.id"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sections", JSONType, nullable=False),
        sa.Column("body", JSONType, nullable=False),
        _fk("report", "instance_id", "process_instance.id"),
        sa.Column("return_comment", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("report", "updated_by_id", "app_user.id"),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        _fk("report", "published_by_id", "app_user.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    for column in ("type_key", "year", "unit_id", "status", "instance_id"):
        op.create_index(op.f(f"ix_report_{column}"), "report", [column])
    op.create_table(
        "report_contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        _fk("report_contribution", "report_id", "report.id", nullable=False),
        sa.Column("section_key", sa.String(32), nullable=False),
        _fk("report_contribution", "unit_id", "org_unit.id"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        _fk("report_contribution", "submitted_by_id", "app_user.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_contribution")),
        sa.UniqueConstraint("report_id", "section_key", name="uq_report_contribution_section"),
    )
    op.create_index(op.f("ix_report_contribution_report_id"), "report_contribution", ["report_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_report_contribution_report_id"), table_name="report_contribution")
    op.drop_table("report_contribution")
    for column in ("type_key", "year", "unit_id", "status", "instance_id"):
        op.drop_index(op.f(f"ix_report_{column}"), table_name="report")
    op.drop_table("report")
    op.drop_table("report_type")
    op.execute(sa.text(f"DELETE FROM org_function WHERE key IN {NEW_KEYS[len(OLD_KEYS) :]!r}"))
    _keys_check(OLD_KEYS)
