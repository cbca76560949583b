"""notifications: digests, the return mark on tasks, annual rows late at generation

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_key", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("details", JSONType, nullable=True))
        batch_op.create_index("ix_notification_user_created", ["user_id", "created_at"], unique=False)
        batch_op.create_unique_constraint("uq_notification_digest", ["digest_key", "user_id"])
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("return_comment", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_human_task_returned_by_id_app_user"), "app_user", ["returned_by_id"], ["id"]
        )
    with op.batch_alter_table("annual_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("generated_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("late_at_generation", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("annual_task", schema=None) as batch_op:
        batch_op.drop_column("late_at_generation")
        batch_op.drop_column("generated_at")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_human_task_returned_by_id_app_user"), type_="foreignkey")
        batch_op.drop_column("return_comment")
        batch_op.drop_column("returned_by_id")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notification_digest", type_="unique")
        batch_op.drop_index("ix_notification_user_created")
        batch_op.drop_column("details")
        batch_op.drop_column("digest_key")
