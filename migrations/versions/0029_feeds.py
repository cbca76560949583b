"""Data feeds of table 37: definitions, providers' tokens, records

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, nullable: bool = True) -> sa.Column:
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.Column(column, sa.Integer(), sa.ForeignKey(f"{target}.id", name=name), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "feed_definition",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(48), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("lead_function", sa.String(32), nullable=False),
        sa.Column("source_kind", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("fields", JSONType, nullable=False),
        sa.Column("delivery", JSONType, nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        _fk("feed_definition", "updated_by_id", "app_user"),
        sa.UniqueConstraint("key", name=op.f("uq_feed_definition_key")),
    )
    op.create_table(
        "feed_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("feed_token", "feed_id", "feed_definition", nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("hint", sa.String(8), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("feed_token", "created_by_id", "app_user"),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_token_token_hash")),
    )
    op.create_index(op.f("ix_feed_token_feed_id"), "feed_token", ["feed_id"])
    op.create_table(
        "feed_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("feed_key", sa.String(48), nullable=False),
        sa.Column("record_key", sa.String(64), nullable=False),
        _fk("feed_record", "subject_id", "subject"),
        _fk("feed_record", "user_id", "app_user"),
        _fk("feed_record", "class_id", "school_class"),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("values", JSONType, nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("received_via", sa.String(8), nullable=False),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("feed_key", "record_key", name="uq_feed_record_key"),
    )
    op.create_index("ix_feed_record_feed_occurred", "feed_record", ["feed_key", "occurred_on"])
    for column in ("subject_id", "user_id", "class_id", "batch_id"):
        op.create_index(op.f(f"ix_feed_record_{column}"), "feed_record", [column])


def downgrade() -> None:
    op.drop_table("feed_record")
    op.drop_table("feed_token")
    op.drop_table("feed_definition")
