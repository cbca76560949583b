"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from engine.models.base import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"

    def class_fk(table):  # SQLite accepts forward references; others get the key at the end
        name = op.f(f"fk_{table}_class_id_school_class")
        return [sa.ForeignKeyConstraint(["class_id"], ["school_class.id"], name=name)] if sqlite else []

    op.create_table(
        "org_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["org_unit.id"], name=op.f("fk_org_unit_parent_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_org_unit_code")),
    )
    op.create_table(
        "process_definition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("subject_type", sa.String(length=24), nullable=True),
        sa.Column("owner_org_unit_id", sa.Integer(), nullable=True),
        sa.Column("latest_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_org_unit_id"], ["org_unit.id"], name=op.f("fk_process_definition_owner_org_unit_id_org_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_definition")),
        sa.UniqueConstraint("key", name=op.f("uq_process_definition_key")),
    )
    op.create_table(
        "section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_section_org_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section")),
    )
    with op.batch_alter_table("section", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_section_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=120), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_app_user_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(["section_id"], ["section.id"], name=op.f("fk_app_user_section_id_section")),
        *class_fk("app_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_app_user_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column(
            "before", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column(
            "after", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"], name=op.f("fk_audit_log_actor_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index("ix_audit_log_object", ["object_type", "object_id"], unique=False)

    op.create_table(
        "form_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column(
            "definition", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["app_user.id"], name=op.f("fk_form_template_published_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_template")),
        sa.UniqueConstraint("key", "version", name="uq_form_template"),
    )
    with op.batch_alter_table("form_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_template_key"), ["key"], unique=False)

    op.create_table(
        "process_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("spec_json", sa.Text(), nullable=False),
        sa.Column(
            "meta", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("deployed_at", UTCDateTime(), nullable=False),
        sa.Column("deployed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["process_definition.id"],
            name=op.f("fk_process_version_definition_id_process_definition"),
        ),
        sa.ForeignKeyConstraint(
            ["deployed_by_id"], ["app_user.id"], name=op.f("fk_process_version_deployed_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_version")),
        sa.UniqueConstraint("definition_id", "version", name="uq_process_version"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_process_version_definition_id"), ["definition_id"], unique=False)

    op.create_table(
        "role_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("scope_type", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_role_assignment_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignment")),
        sa.UniqueConstraint("user_id", "role", "scope_type", "scope_id", name="uq_role_assignment"),
    )
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.create_index("ix_role_assignment_scope", ["role", "scope_type", "scope_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_assignment_user_id"), ["user_id"], unique=False)

    op.create_table(
        "subject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "attrs", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_subject_org_unit_id_org_unit")),
        sa.ForeignKeyConstraint(["parent_id"], ["subject.id"], name=op.f("fk_subject_parent_id_subject")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_subject_user_id_app_user")),
        *class_fk("subject"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject")),
    )
    with op.batch_alter_table("subject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subject_org_unit_id"), ["org_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subject_type"), ["type"], unique=False)
        batch_op.create_index(batch_op.f("ix_subject_user_id"), ["user_id"], unique=False)

    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("template_key", sa.String(length=64), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("published_version", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_document_subject_id_subject")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["app_user.id"], name=op.f("fk_document_updated_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint("subject_id", "doc_type", "period", name="uq_document_period"),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "school_class",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("major_subject_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["major_subject_id"], ["subject.id"], name=op.f("fk_school_class_major_subject_id_subject")
        ),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_unit.id"], name=op.f("fk_school_class_org_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_class")),
    )
    with op.batch_alter_table("school_class", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_class_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "subject_member",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_subject_member_subject_id_subject")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_subject_member_user_id_app_user")),
        sa.PrimaryKeyConstraint("subject_id", "user_id", name=op.f("pk_subject_member")),
    )
    with op.batch_alter_table("subject_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subject_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("template_key", sa.String(length=64), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["app_user.id"], name=op.f("fk_document_version_approved_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_document_version_document_id_document")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_version")),
        sa.UniqueConstraint("document_id", "version", name="uq_document_version"),
    )
    with op.batch_alter_table("document_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_version_document_id"), ["document_id"], unique=False)

    op.create_table(
        "process_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("next_timer_at", UTCDateTime(), nullable=True),
        sa.Column("incident", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_process_instance_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["app_user.id"], name=op.f("fk_process_instance_started_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_process_instance_subject_id_subject")),
        sa.ForeignKeyConstraint(
            ["version_id"], ["process_version.id"], name=op.f("fk_process_instance_version_id_process_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_instance")),
    )
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_process_instance_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_process_instance_next_timer_at"), ["next_timer_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_process_instance_process_key"), ["process_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_process_instance_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_process_instance_subject_id"), ["subject_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_process_instance_version_id"), ["version_id"], unique=False)

    op.create_table(
        "human_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("spiff_task_id", sa.String(length=36), nullable=False),
        sa.Column("bpmn_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lane", sa.String(length=64), nullable=True),
        sa.Column("process_key", sa.String(length=64), nullable=False),
        sa.Column("process_name", sa.String(length=120), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("subject_name", sa.String(length=100), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("vertical", sa.String(length=24), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("claimant_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("candidates_label", sa.String(length=200), nullable=True),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True),
        sa.ForeignKeyConstraint(["claimant_id"], ["app_user.id"], name=op.f("fk_human_task_claimant_id_app_user")),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["app_user.id"], name=op.f("fk_human_task_completed_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_human_task_document_id_document")),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_human_task_instance_id_process_instance")
        ),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_human_task_subject_id_subject")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_human_task")),
        sa.UniqueConstraint("instance_id", "spiff_task_id", name="uq_human_task_spiff"),
    )
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index("ix_human_task_claimant", ["claimant_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_task_document_id"), ["document_id"], unique=False)
        batch_op.create_index("ix_human_task_done", ["completed_by_id", "completed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_human_task_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index("ix_human_task_state_due", ["state", "due_at"], unique=False)

    op.create_table(
        "task_candidate",
        sa.Column("principal", sa.String(length=80), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_task_candidate_task_id_human_task")),
        sa.PrimaryKeyConstraint("principal", "task_id", name=op.f("pk_task_candidate")),
    )
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_candidate_task_id"), ["task_id"], unique=False)

    # people and subjects point at classes, classes at their major (a subject): add after all exist
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.create_foreign_key(
            op.f("fk_app_user_class_id_school_class"), "app_user", "school_class", ["class_id"], ["id"]
        )
        op.create_foreign_key(op.f("fk_subject_class_id_school_class"), "subject", "school_class", ["class_id"], ["id"])
    for table in APPEND_ONLY:
        for statement in _append_only_sql(bind.dialect.name, table):
            op.execute(statement)


APPEND_ONLY = ("audit_log", "document_version")


def _append_only_sql(dialect: str, table: str) -> list[str]:
    """Refuse UPDATE and DELETE on tables that are records of what happened."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    return [
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
    ]


def downgrade() -> None:
    bind = op.get_bind()
    for table in APPEND_ONLY:
        if bind.dialect.name == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_subject_class_id_school_class"), "subject", type_="foreignkey")
        op.drop_constraint(op.f("fk_app_user_class_id_school_class"), "app_user", type_="foreignkey")
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_candidate_task_id"))

    op.drop_table("task_candidate")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_state_due")
        batch_op.drop_index(batch_op.f("ix_human_task_instance_id"))
        batch_op.drop_index("ix_human_task_done")
        batch_op.drop_index(batch_op.f("ix_human_task_document_id"))
        batch_op.drop_index("ix_human_task_claimant")

    op.drop_table("human_task")
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instance_version_id"))
        batch_op.drop_index(batch_op.f("ix_process_instance_subject_id"))
        batch_op.drop_index(batch_op.f("ix_process_instance_status"))
        batch_op.drop_index(batch_op.f("ix_process_instance_process_key"))
        batch_op.drop_index(batch_op.f("ix_process_instance_next_timer_at"))
        batch_op.drop_index(batch_op.f("ix_process_instance_document_id"))

    op.drop_table("process_instance")
    with op.batch_alter_table("document_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_version_document_id"))

    op.drop_table("document_version")
    with op.batch_alter_table("subject_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_member_user_id"))

    op.drop_table("subject_member")
    with op.batch_alter_table("school_class", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_class_org_unit_id"))

    op.drop_table("school_class")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_subject_id"))

    op.drop_table("document")
    with op.batch_alter_table("subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subject_user_id"))
        batch_op.drop_index(batch_op.f("ix_subject_type"))
        batch_op.drop_index(batch_op.f("ix_subject_org_unit_id"))

    op.drop_table("subject")
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_assignment_user_id"))
        batch_op.drop_index("ix_role_assignment_scope")

    op.drop_table("role_assignment")
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_version_definition_id"))

    op.drop_table("process_version")
    with op.batch_alter_table("form_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_template_key"))

    op.drop_table("form_template")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_object")
        batch_op.drop_index(batch_op.f("ix_audit_log_instance_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_app_user_class_id"))

    op.drop_table("app_user")
    with op.batch_alter_table("section", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_section_org_unit_id"))

    op.drop_table("section")
    op.drop_table("process_definition")
    op.drop_table("org_unit")
