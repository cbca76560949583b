"""Table 39's warning types: a warning's type (its row of table 39) and the providers a school sets for the rows
the seed leaves blank

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quality_warning") as batch:
        batch.add_column(sa.Column("type_key", sa.String(32), nullable=True))
    op.create_table(
        "warning_type_provider",
        sa.Column("type_key", sa.String(32), primary_key=True),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column(
            "updated_by_id",
            sa.Integer(),
            sa.ForeignKey("app_user.id", name=op.f("fk_warning_type_provider_updated_by_id_app_user")),
            nullable=True,
        ),  # fmt: skip
    )


def downgrade() -> None:
    op.drop_table("warning_type_provider")
    with op.batch_alter_table("quality_warning") as batch:
        batch.drop_column("type_key")
