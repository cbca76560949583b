"""Student quality credits (综合素质学分): the 认定标准 catalogue, claims, the ledger, classes' graduation years

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

POINTS = sa.Numeric(6, 1, asdecimal=False)


def _fk(table: str, column: str, target: str, nullable: bool = True, **kw) -> sa.Column:
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.Column(column, sa.Integer(), sa.ForeignKey(f"{target}.id", name=name), nullable=nullable, **kw)


def upgrade() -> None:
    op.create_table(
        "credit_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("points", POINTS, nullable=False),
        sa.Column("evidence_required", sa.Boolean(), nullable=False),
        sa.Column("evidence_note", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        _fk("credit_item", "updated_by_id", "app_user"),
        sa.UniqueConstraint("code", name=op.f("uq_credit_item_code")),
    )
    op.create_table(
        "credit_claim",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("credit_claim", "item_id", "credit_item", nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("points", POINTS, nullable=False),
        _fk("credit_claim", "student_id", "app_user", nullable=False),
        _fk("credit_claim", "claimant_id", "app_user", nullable=False),
        _fk("credit_claim", "class_id", "school_class"),
        _fk("credit_claim", "instance_id", "process_instance"),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("evidence_name", sa.String(200), nullable=True),
        sa.Column("evidence_type", sa.String(100), nullable=True),
        sa.Column("evidence_content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        _fk("credit_claim", "decided_by_id", "app_user"),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index(op.f("ix_credit_claim_student_id"), "credit_claim", ["student_id"])
    op.create_index(op.f("ix_credit_claim_instance_id"), "credit_claim", ["instance_id"])
    op.create_index(op.f("ix_credit_claim_status"), "credit_claim", ["status"])
    op.create_index("ix_credit_claim_class_status", "credit_claim", ["class_id", "status"])
    op.create_table(
        "credit_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("credit_entry", "student_id", "app_user", nullable=False),
        _fk("credit_entry", "item_id", "credit_item", nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("points", POINTS, nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        _fk("credit_entry", "claim_id", "credit_claim"),
        _fk("credit_entry", "reverses_id", "credit_entry"),
        _fk("credit_entry", "recorded_by_id", "app_user"),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_credit_entry_reverses_id")),
    )
    op.create_index(op.f("ix_credit_entry_student_id"), "credit_entry", ["student_id"])
    op.create_table(
        "credit_graduation",
        sa.Column(
            "class_id",
            sa.Integer(),
            sa.ForeignKey("school_class.id", name=op.f("fk_credit_graduation_class_id_school_class")),
            primary_key=True,
        ),  # fmt: skip
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("credit_graduation", "updated_by_id", "app_user"),
    )


def downgrade() -> None:
    op.drop_table("credit_graduation")
    op.drop_index(op.f("ix_credit_entry_student_id"), table_name="credit_entry")
    op.drop_table("credit_entry")
    op.drop_index("ix_credit_claim_class_status", table_name="credit_claim")
    op.drop_index(op.f("ix_credit_claim_status"), table_name="credit_claim")
    op.drop_index(op.f("ix_credit_claim_instance_id"), table_name="credit_claim")
    op.drop_index(op.f("ix_credit_claim_student_id"), table_name="credit_claim")
    op.drop_table("credit_claim")
    op.drop_table("credit_item")
