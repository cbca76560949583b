"""Service requests (table 38) and the service-level due time of a catalogue entry

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def _fk(column: str, target: str, nullable: bool = False) -> sa.Column:
    table = target.split(".")[0]
    return sa.Column(column, sa.Integer(), sa.ForeignKey(target, name=op.f(f"fk_service_request_{column}_{table}")),
                     nullable=nullable)  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("registry_entry") as batch:
        batch.add_column(sa.Column("service_hours", sa.Integer(), nullable=True))
    op.create_table(
        "service_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("instance_id", "process_instance.id", nullable=True),
        _fk("entry_id", "registry_entry.id"),
        sa.Column("service_key", sa.String(64), nullable=False),
        sa.Column("service_title", sa.String(120), nullable=False),
        _fk("provider_unit_id", "org_unit.id"),
        _fk("requester_id", "app_user.id"),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("contact", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("service_hours", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("escalated_at", UTCDateTime(), nullable=True),
        sa.Column("unresolved_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
    )
    op.create_index(op.f("ix_service_request_instance_id"), "service_request", ["instance_id"])
    op.create_index(op.f("ix_service_request_requester_id"), "service_request", ["requester_id"])
    op.create_index(op.f("ix_service_request_status"), "service_request", ["status"])
    op.create_index("ix_service_request_provider_status", "service_request", ["provider_unit_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_service_request_provider_status", table_name="service_request")
    op.drop_index(op.f("ix_service_request_status"), table_name="service_request")
    op.drop_index(op.f("ix_service_request_requester_id"), table_name="service_request")
    op.drop_index(op.f("ix_service_request_instance_id"), table_name="service_request")
    op.drop_table("service_request")
    with op.batch_alter_table("registry_entry") as batch:
        batch.drop_column("service_hours")
