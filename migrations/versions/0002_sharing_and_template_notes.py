"""document sharing, template version notes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("principal", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"], name=op.f("fk_document_share_created_by_id_app_user")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_document_share_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_share")),
        sa.UniqueConstraint("document_id", "principal", name="uq_document_share"),
    )
    with op.batch_alter_table("document_share") as batch_op:
        batch_op.create_index(batch_op.f("ix_document_share_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_share_principal"), ["principal"], unique=False)
    with op.batch_alter_table("form_template") as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("form_template") as batch_op:
        batch_op.drop_column("note")
    with op.batch_alter_table("document_share") as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_share_principal"))
        batch_op.drop_index(batch_op.f("ix_document_share_document_id"))
    op.drop_table("document_share")
