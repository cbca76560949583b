"""The organisation as data: the unit tree's active flag, class codes and years, students' entry year,
deactivation time, three more positions (副职, 办公室人员, 学习委员), position terms with dates, imports

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30

`position_term` is the history of who held a position when; `role_assignment` keeps the positions in force
today (engine/org/positions.py). Every position stored before this gets an open term starting the day
the migration runs.
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

OLD_ROLES = ("reviewer", "head", "leader_in_charge", "liaison_leader", "counselor", "monitor", "school_leader",
             "process_owner")  # fmt: skip
ROLES = (*OLD_ROLES, "deputy", "office_staff", "study_committee")
SCOPES = ("school", "unit", "class", "subject")


def condition(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("org_unit") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default="1"))
    with op.batch_alter_table("school_class") as batch:
        batch.add_column(sa.Column("code", sa.String(32), nullable=True))
        batch.add_column(sa.Column("year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default="1"))
        batch.create_unique_constraint(batch.f("uq_school_class_code"), ["code"])
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("entry_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("deactivated_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("role_assignment") as batch:
        batch.drop_constraint(batch.f("ck_role_assignment_role"), type_="check")
        batch.create_check_constraint(batch.f("ck_role_assignment_role"), condition("role", ROLES))
    op.create_table(
        "position_term",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", name=op.f("fk_position_term_user_id_app_user")),
                  nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("scope_type", sa.String(16), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(),
                  sa.ForeignKey("app_user.id", name=op.f("fk_position_term_created_by_id_app_user")), nullable=True),
        sa.CheckConstraint(condition("role", ROLES), name=op.f("ck_position_term_role")),
        sa.CheckConstraint(condition("scope_type", SCOPES), name=op.f("ck_position_term_scope_type")),
    )  # fmt: skip
    op.create_index("ix_position_term_user_id", "position_term", ["user_id"])
    op.create_index("ix_position_term_scope", "position_term", ["role", "scope_type", "scope_id"])
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rows", JSONType, nullable=False),
        sa.Column("summary", JSONType, nullable=False),
        sa.Column("created_by_id", sa.Integer(),
                  sa.ForeignKey("app_user.id", name=op.f("fk_import_run_created_by_id_app_user")), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(condition("status", ("pending", "applied", "discarded")), name=op.f("ck_import_run_status")),
    )  # fmt: skip
    op.get_bind().execute(
        sa.text(
            "INSERT INTO position_term (user_id, role, scope_type, scope_id, starts_on, created_at) "
            "SELECT user_id, role, scope_type, scope_id, CURRENT_DATE, CURRENT_TIMESTAMP FROM role_assignment"
        )
    )


def downgrade() -> None:
    op.drop_table("import_run")
    op.drop_index("ix_position_term_scope", table_name="position_term")
    op.drop_index("ix_position_term_user_id", table_name="position_term")
    op.drop_table("position_term")
    op.get_bind().execute(sa.text(f"DELETE FROM role_assignment WHERE NOT ({condition('role', OLD_ROLES)})"))
    with op.batch_alter_table("role_assignment") as batch:
        batch.drop_constraint(batch.f("ck_role_assignment_role"), type_="check")
        batch.create_check_constraint(batch.f("ck_role_assignment_role"), condition("role", OLD_ROLES))
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("deactivated_at")
        batch.drop_column("entry_year")
    with op.batch_alter_table("school_class") as batch:
        batch.drop_constraint(batch.f("uq_school_class_code"), type_="unique")
        batch.drop_column("active")
        batch.drop_column("year")
        batch.drop_column("code")
    with op.batch_alter_table("org_unit") as batch:
        batch.drop_column("active")
