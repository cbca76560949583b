"""batch runs: results of batch actions shown after a redirect

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from engine.models.base import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "batch_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("results", JSON, nullable=False),
        sa.Column("context", JSON, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_batch_run_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_run")),
    )
    op.create_index("ix_batch_run_user", "batch_run", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_batch_run_user", table_name="batch_run")
    op.drop_table("batch_run")
