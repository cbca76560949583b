"""The transcription of the seed's 附件 (annual task table), checked against counts read from the seed."""

from __future__ import annotations

from collections import Counter

from engine import annual
from engine.annual_dates import parse_due

# counted by reading the seed (lines 10011-10653): 2016 has 40 rows in 10 categories
SEED_2016 = {
    "组织机构建设": 2, "培训与学习": 2, "规划与实施方案制定": 9, "专业与课程诊改试点": 7,
    "师资队伍建设、学生综合素质发展诊改模型研制": 10, "部门诊改工作": 3, "诊改平台建设与运行": 1, "诊改培训": 2,
    "探索发展性考核": 1, "复核工作": 3,
}  # fmt: skip


def test_2016_rows_per_category():
    rows = annual.seed_table()["years"]["2016"]
    assert len(rows) == 40
    assert Counter(r["category"] for r in rows) == SEED_2016
    assert [r["no"] for r in rows] == list(range(1, 41))
    assert all(r["task"] and r["responsible"] for r in rows)


def test_every_due_text_parses():
    for year, rows in annual.seed_table()["years"].items():
        for r in rows:
            parsed = parse_due(r["due_text"], int(year))
            assert parsed.kind != "unknown", r
    flagged = [r["task"] for r in annual.seed_table()["years"]["2016"] if parse_due(r["due_text"], 2016).problem]
    assert flagged == ["制定学校学生综合素质发展基本标准"]  # the seed's "2月31日"


def test_the_2016_table_can_be_instantiated(session):
    from tests.conftest import NOW

    rows = annual.instantiate(session, 2016, None, NOW)
    assert len(rows) == 40 and sum(1 for r in rows if r.problem) == 1
    assert annual.available(2016)
