"""the versions of the called processes an instance runs (process_instance.bindings)

Revision ID: bindings
Revises: 0013
Create Date: 2026-12-01

A call activity used to embed the called process's spec when the caller was deployed; now an instance
binds the called processes' latest versions when it starts (engine/workflow/binding.py). Instances
started before this revision are bound to exactly what their version embedded: for each process it calls,
that process's latest version at the caller's deploy, i.e. its newest version with a smaller id.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.add_column("process_instance", sa.Column("bindings", JSON, nullable=True))
    backfill_bindings(op.get_bind())


def backfill_bindings(conn) -> None:
    """Bind the instances of every calling version to the versions it embedded (tested in
    tests/engine/test_binding.py)."""
    version = sa.table(
        "process_version", sa.column("id", sa.Integer), sa.column("definition_id", sa.Integer), sa.column("meta", JSON)
    )
    definition = sa.table("process_definition", sa.column("id", sa.Integer), sa.column("key", sa.String))
    instance = sa.table("process_instance", sa.column("version_id", sa.Integer), sa.column("bindings", JSON))
    rows = conn.execute(sa.select(version.c.id, version.c.definition_id, version.c.meta)).all()
    definitions = dict(conn.execute(sa.select(definition.c.key, definition.c.id)).all())
    versions_of: dict[int, list[int]] = {}
    for version_id, definition_id, _meta in rows:
        versions_of.setdefault(definition_id, []).append(version_id)
    called = {version_id: list((meta or {}).get("called", [])) for version_id, _d, meta in rows}
    for caller_id, keys in called.items():
        bindings: dict[str, int] = {}
        todo = list(keys)
        while todo:
            key = todo.pop()
            earlier = [v for v in versions_of.get(definitions.get(key), []) if v < caller_id]
            if key in bindings or not earlier:
                continue
            bindings[key] = max(earlier)
            todo += called[bindings[key]]
        if bindings:
            conn.execute(
                instance.update()
                .where(instance.c.version_id == caller_id, instance.c.bindings.is_(None))
                .values(bindings=bindings)
            )


def downgrade() -> None:
    # Versions deployed after the upgrade store their own spec only: their calling instances cannot run
    # on an older release.
    op.drop_column("process_instance", "bindings")
