"""scheduled effects, scheduler lease, notifications, annual task table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from engine.models.base import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "scheduled_effect",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("effect", sa.String(length=24), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=24), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("fire_at", UTCDateTime(), nullable=False),
        sa.Column("fired_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("params", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_effect")),
        sa.UniqueConstraint("key", name="uq_scheduled_effect_key"),
    )
    op.create_index("ix_scheduled_effect_object", "scheduled_effect", ["object_type", "object_id"], unique=False)
    op.create_index("ix_scheduled_effect_pending", "scheduled_effect", ["fired_at", "fire_at"], unique=False)
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("last_tick_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )
    op.execute("INSERT INTO scheduler_lease (name) VALUES ('scheduler')")
    op.create_table(
        "annual_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("task", sa.String(length=300), nullable=False),
        sa.Column("responsible", JSON, nullable=False),
        sa.Column("cooperating", JSON, nullable=False),
        sa.Column("responsible_unit_ids", JSON, nullable=False),
        sa.Column("due_text", sa.String(length=60), nullable=False),
        sa.Column("due_kind", sa.String(length=16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("problem", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["done_by_id"], ["app_user.id"], name=op.f("fk_annual_task_done_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_task")),
        sa.UniqueConstraint("year", "no", name="uq_annual_task"),
    )
    op.create_index("ix_annual_task_due", "annual_task", ["due_date"], unique=False)
    op.create_index(op.f("ix_annual_task_year"), "annual_task", ["year"], unique=False)
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("emailed_at", UTCDateTime(), nullable=True),
        sa.Column("effect_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_notification_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index("ix_notification_user_unread", "notification", ["user_id", "read_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notification_user_unread", table_name="notification")
    op.drop_table("notification")
    op.drop_index(op.f("ix_annual_task_year"), table_name="annual_task")
    op.drop_index("ix_annual_task_due", table_name="annual_task")
    op.drop_table("annual_task")
    op.drop_table("scheduler_lease")
    op.drop_index("ix_scheduled_effect_pending", table_name="scheduled_effect")
    op.drop_index("ix_scheduled_effect_object", table_name="scheduled_effect")
    op.drop_table("scheduled_effect")
