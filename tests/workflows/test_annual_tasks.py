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
# lines 10654-11698: 2017, the first full year and the template of every later year
SEED_2017 = {
    "工作标准制定": 7, "基本标准制定": 27, "机制建设": 15, "服务优化及建设": 14, "监督控制制度建设": 10,
    "发展性考核制度制定": 1, "目标、标准、诊改计划制定": 8, "诊改实施": 1, "诊改信息采集": 1, "诊断信息反馈": 1,
    "诊改信息预警": 1, "质量督导": 1, "上一级复核性诊断": 8, "学校抽样复核": 1, "学校抽样复核结论反馈": 1,
    "发展性考核": 1, "第三方满意度调查": 2,
}  # fmt: skip
UNDATED_2017 = {"服务优化及建设", "监督控制制度建设", "诊断信息反馈", "诊改信息预警"}  # blank in the seed


def test_2017_rows_per_category():
    rows = annual.seed_table()["years"]["2017"]
    assert len(rows) == 100
    assert Counter(r["category"] for r in rows) == SEED_2017
    assert {r["category"] for r in rows if not r["due_text"]} == UNDATED_2017


# lines 11699-12786: 2018, the "optimisation" year
SEED_2018 = {
    "工作标准优化": 7, "基本标准优化": 27, "机制建设优化": 15, "服务建设优化": 14, "监督控制制度优化": 10,
    "发展性考核制度健全与优化": 2, "目标优化、标准、诊改计划制定": 8, "诊改实施": 1, "诊改信息平台建设": 1,
    "诊改信息采集优化": 1, "诊断信息反馈优化": 1, "诊改信息预警优化": 1, "质量督导完善": 3, "上一级复核性诊断": 8,
    "学校抽样复核": 1, "学校抽样复核结论反馈": 1, "发展性考核完善": 2, "第三方满意度调查": 2,
}  # fmt: skip


def test_2018_rows_per_category():
    rows = annual.seed_table()["years"]["2018"]
    assert len(rows) == 105
    assert Counter(r["category"] for r in rows) == SEED_2018
    undated = {r["category"] for r in rows if not r["due_text"]}
    assert undated == {"服务建设优化", "监督控制制度优化", "诊断信息反馈优化", "诊改信息预警优化"}
    assert next(r for r in rows if r["task"] == "毕业生满意度调查")["due_text"] == "2019年6月"


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
            if r["due_text"]:
                assert parsed.kind != "unknown", r
            else:  # a blank date cell in the seed: kept, flagged for an administrator
                assert parsed.problem == "未填写完成时间"
    flagged = [r["task"] for r in annual.seed_table()["years"]["2016"] if parse_due(r["due_text"], 2016).problem]
    assert flagged == ["制定学校学生综合素质发展基本标准"]  # the seed's "2月31日"


def test_the_2016_table_can_be_instantiated(session):
    from tests.conftest import NOW

    rows = annual.instantiate(session, 2016, None, NOW)
    assert len(rows) == 40 and sum(1 for r in rows if r.problem) == 1
    assert annual.available(2016)


def test_a_normal_year_is_made_from_2017(session):
    from tests.conftest import NOW

    rows = {r.no: r for r in annual.instantiate(session, 2026, None, NOW)}
    assert len(rows) == 100
    assert rows[1].due_date.isoformat() == "2026-05-30"
    sampling = next(r for r in rows.values() if r.category == "学校抽样复核结论反馈")
    assert sampling.due_text == "2027年2月28日" and sampling.due_date.isoformat() == "2027-02-28"
    assert sum(1 for r in rows.values() if r.problem) == 26  # the undated groups, flagged
