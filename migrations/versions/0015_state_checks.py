"""CHECK constraints on the enum columns: task state, instance status, document status, warning status
and level, the role and scope of a position

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-01

The values are written out here rather than imported from engine/models/enums.py: a migration states
what the schema was at its revision, and a later member of an enum comes with a migration of its own.
On SQLite each table is rebuilt (batch mode) with foreign keys off (migrations/env.py), then the
foreign keys are checked before the commit.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

CHECKS = {
    "human_task": {"state": ("open", "completed", "cancelled", "suspended")},
    "process_instance": {"status": ("running", "completed", "error", "suspended", "terminated", "cancelled")},
    "document": {"status": ("draft", "in_review", "returned", "published")},
    "quality_warning": {"status": ("raised", "acknowledged", "resolved"), "level": ("red", "yellow", "blue")},
    "role_assignment": {
        "role": ("reviewer", "head", "leader_in_charge", "liaison_leader", "counselor", "monitor", "school_leader",
                 "process_owner"),
        "scope_type": ("school", "unit", "class", "subject"),
    },
}  # fmt: skip


def condition(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def unknown_values(execute) -> list[str]:
    """Stored values the constraints would refuse, as "table.column = 'value' (n rows)"."""
    out = []
    for table, columns in CHECKS.items():
        t = sa.table(table, *(sa.column(c, sa.String) for c in columns))
        for column, values in columns.items():
            col = t.c[column]
            rows = execute(
                sa.select(col, sa.func.count()).where(col.is_not(None), col.not_in(values)).group_by(col)
            ).all()
            out += [f"{table}.{column} = {value!r} ({n} rows)" for value, n in rows]
    return out


def upgrade() -> None:
    bind = op.get_bind()
    if bad := unknown_values(bind.execute):
        raise RuntimeError("stored values outside the allowed states, correct them first: " + "; ".join(bad))
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for column, values in columns.items():
                batch_op.create_check_constraint(batch_op.f(f"ck_{table}_{column}"), condition(column, values))
    if bind.dialect.name == "sqlite" and (broken := bind.exec_driver_sql("PRAGMA foreign_key_check").all()):
        raise RuntimeError(f"foreign keys broken by the table rebuild: {broken[:5]}")


def downgrade() -> None:
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.drop_constraint(batch_op.f(f"ck_{table}_{column}"), type_="check")
