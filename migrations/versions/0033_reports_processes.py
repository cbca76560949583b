"""The school's other three reports run through processes: a contribution returned by 质量管理处 once (with its
reason); the three report types' headings gain the departments that contribute them.

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from engine.models.base import JSONType, UTCDateTime

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

# type -> [(key, title, function)] as shipped (engine/reports/catalogue.py DEFAULTS): a school's heading keeps its
# title; a heading without a function gets the shipped one; a process heading the school lacks is added.
HEADINGS = {
    "school_data": [
        ("overview", "数据采集概况", "information_office"), ("students", "学生发展数据分析", "student_affairs"),
        ("teaching", "教学运行数据分析", "academic_affairs"), ("faculty", "师资队伍数据分析", "human_resources"),
    ],
    "school_diagnosis": [
        ("basics", "基本情况", "quality_office"), ("diagnosis", "诊断与改进情况", "quality_office"),
        ("functional", "职能部门诊断与改进情况", "party_office"), ("colleges", "二级学院诊断与改进情况", "party_office"),
    ],
    "school_enterprise": [
        ("overview", "校企合作基本情况", "cooperation"), ("cultivation", "协同育人举措与成效", "academic_affairs"),
        ("colleges", "二级学院校企协同育人情况", "cooperation"),
    ],
}  # fmt: skip
report_type = sa.table("report_type", sa.column("key", sa.String), sa.column("sections", JSONType))


def _merged(sections: list, shipped: list) -> list:
    out = [dict(s) for s in sections]
    have = {s.get("key"): s for s in out}
    for i, (key, title, function) in enumerate(shipped):
        if key in have:
            have[key]["function"] = have[key].get("function") or function
        else:  # after the shipped heading before it, else first
            before = [k for k, _t, _f in shipped[:i] if k in have]
            at = next((j + 1 for j, s in enumerate(out) if before and s.get("key") == before[-1]), 0)
            out.insert(at, {"key": key, "title": title, "function": function})
            have[key] = out[at]
    return out


def upgrade() -> None:
    with op.batch_alter_table("report_contribution") as batch:
        batch.add_column(sa.Column("returned_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("returned_at", UTCDateTime(), nullable=True))
    conn = op.get_bind()
    for key, shipped in HEADINGS.items():
        sections = conn.scalar(sa.select(report_type.c.sections).where(report_type.c.key == key))
        if sections is not None:
            conn.execute(report_type.update().where(report_type.c.key == key).values(
                sections=_merged(sections, shipped)))  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("report_contribution") as batch:
        batch.drop_column("returned_at")
        batch.drop_column("returned_reason")
