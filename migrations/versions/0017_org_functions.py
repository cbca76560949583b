"""org_function: which unit holds each function of the organisation; process_definition.owner_function

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30

Lanes, process owners and the permission rules name functions (诊改办公室, the lead departments, 保卫处, ...)
instead of the demo school's unit codes; an administrator gives each function to a unit (系统管理 › 职能).
A database installed before this with the demo organisation (`--demo=org`) keeps working: each function
is given to the unit that carried the demo code the rules named, when such a unit exists, and processes
owned by such a unit keep their owner unit.
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

KEYS = (
    "quality_office", "party_office", "academic_affairs", "human_resources", "student_affairs",
    "security_office", "information_office", "logistics", "cooperation",
)  # fmt: skip
# the unit codes the rules named before functions existed (the demo organisation's)
FORMER_CODES = {
    "quality_office": "ZLC", "party_office": "DZB", "academic_affairs": "JWC", "human_resources": "RSC",
    "student_affairs": "XGB", "security_office": "BWC", "information_office": "XXH", "logistics": "JHC",
    "cooperation": "HZC",
}  # fmt: skip


def upgrade() -> None:
    listed = ", ".join(f"'{k}'" for k in KEYS)
    op.create_table(
        "org_function",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=True),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_org_function_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["app_user.id"], name=op.f("fk_org_function_assigned_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_org_function")),
        sa.CheckConstraint(f"key IN ({listed})", name=op.f("ck_org_function_key")),
    )
    op.create_index(op.f("ix_org_function_org_unit_id"), "org_function", ["org_unit_id"])
    op.add_column("process_definition", sa.Column("owner_function", sa.String(32), nullable=True))

    unit = sa.table("org_unit", sa.column("id", sa.Integer), sa.column("code", sa.String))
    function = sa.table("org_function", sa.column("key", sa.String), sa.column("org_unit_id", sa.Integer))
    bind = op.get_bind()
    for key, code in FORMER_CODES.items():
        unit_id = bind.execute(sa.select(unit.c.id).where(unit.c.code == code)).scalar()
        if unit_id is not None:
            bind.execute(sa.insert(function).values(key=key, org_unit_id=unit_id))


def downgrade() -> None:
    with op.batch_alter_table("process_definition") as batch:
        batch.drop_column("owner_function")
    op.drop_index(op.f("ix_org_function_org_unit_id"), table_name="org_function")
    op.drop_table("org_function")
