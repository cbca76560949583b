"""The registries of tables 27, 28 and the second 28: mechanisms, support services, supervision systems

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

KINDS = ("mechanism", "service", "supervision")
STATUSES = ("planned", "drafting", "in_force", "revising", "retired")


def condition(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "registry_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("lead", sa.String(100), nullable=False),
        sa.Column("lead_unit_id", sa.Integer(),
                  sa.ForeignKey("org_unit.id", name=op.f("fk_registry_entry_lead_unit_id_org_unit")), nullable=True),
        sa.Column("cooperating", JSONType, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("document_text", sa.Text(), nullable=True),
        sa.Column("document_url", sa.String(500), nullable=True),
        sa.Column("document_date", sa.Date(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(120), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(),
                  sa.ForeignKey("app_user.id", name=op.f("fk_registry_entry_updated_by_id_app_user")), nullable=True),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_registry_entry_key")),
        sa.CheckConstraint(condition("kind", KINDS), name=op.f("ck_registry_entry_kind")),
        sa.CheckConstraint(condition("status", STATUSES), name=op.f("ck_registry_entry_status")),
    )  # fmt: skip
    op.create_index("ix_registry_entry_kind", "registry_entry", ["kind"])
    op.create_index("ix_registry_entry_lead_unit_id", "registry_entry", ["lead_unit_id"])


def downgrade() -> None:
    op.drop_index("ix_registry_entry_lead_unit_id", "registry_entry")
    op.drop_index("ix_registry_entry_kind", "registry_entry")
    op.drop_table("registry_entry")
