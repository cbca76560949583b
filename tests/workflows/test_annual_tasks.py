"""The transcription of the seed's 附件 (annual task table), checked against counts read from the seed.

workflows/annual_tasks_counts.json was counted on a second pass over the seed (the line where each task
starts, per category); the numbers written out below were checked against the seed by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from engine.cycle import annual
from engine.cycle.annual_dates import parse_due

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
COUNTS = json.loads((WORKFLOWS / "annual_tasks_counts.json").read_text(encoding="utf-8"))
TABLE = json.loads((WORKFLOWS / "annual_tasks.json").read_text(encoding="utf-8"))
YEARS = TABLE["years"]

# seed lines 10011-10653
SEED_2016 = {
    "组织机构建设": 2, "培训与学习": 2, "规划与实施方案制定": 9, "专业与课程诊改试点": 7,
    "师资队伍建设、学生综合素质发展诊改模型研制": 10, "部门诊改工作": 3, "诊改平台建设与运行": 1, "诊改培训": 2,
    "探索发展性考核": 1, "复核工作": 3,
}  # fmt: skip
# seed lines 10654-11698
SEED_2017 = {
    "工作标准制定": 7, "基本标准制定": 27, "机制建设": 15, "服务优化及建设": 14, "监督控制制度建设": 10,
    "发展性考核制度制定": 1, "目标、标准、诊改计划制定": 8, "诊改实施": 1, "诊改信息采集": 1, "诊断信息反馈": 1,
    "诊改信息预警": 1, "质量督导": 1, "上一级复核性诊断": 8, "学校抽样复核": 1, "学校抽样复核结论反馈": 1,
    "发展性考核": 1, "第三方满意度调查": 2,
}  # fmt: skip
# seed lines 11699-12786
SEED_2018 = {
    "工作标准优化": 7, "基本标准优化": 27, "机制建设优化": 15, "服务建设优化": 14, "监督控制制度优化": 10,
    "发展性考核制度健全与优化": 2, "目标优化、标准、诊改计划制定": 8, "诊改实施": 1, "诊改信息平台建设": 1,
    "诊改信息采集优化": 1, "诊断信息反馈优化": 1, "诊改信息预警优化": 1, "质量督导完善": 3, "上一级复核性诊断": 8,
    "学校抽样复核": 1, "学校抽样复核结论反馈": 1, "发展性考核完善": 2, "第三方满意度调查": 2,
}  # fmt: skip

# every distinct due text of the table and what it means
SEED_DUE_TEXTS = {
    "2016": {
        "4月30日": "date", "10月30日": "date", "11月15日": "date", "11月18日": "date", "11月30日": "date",
        "12月15日": "date", "12月30日": "date", "12月31日": "date", "2018年1月15日": "date", "2月31日": "invalid",
        "2017年上期初步投入运行": "half", "2016年下学期末": "half", "2017年第一学期开学初": "month",
        "争取2017年投入运行": "year",
    },
    "2017": {
        "3月31日": "date", "4月30日": "date", "5月30日": "date", "6月30日": "date", "11月30日": "date",
        "12月31日": "date", "2018年2月28日": "date", "2018年6月": "date", "全年常态运行": "ongoing",
    },
    "2018": {
        "3月31日": "date", "4月30日": "date", "6月30日": "date", "11月30日": "date", "12月31日": "date",
        "2018年2月28日": "date", "2019年6月": "date", "全年常态运行": "ongoing", "努力建设": "ongoing",
    },
}  # fmt: skip


def test_the_table_has_the_three_years_of_the_seed():
    assert TABLE["source"] == "附件：诊改试点工作分年度建设与运行任务一览表"
    assert list(YEARS) == ["2016", "2017", "2018"]
    assert list(COUNTS) == ["2016", "2017", "2018"]


@pytest.mark.parametrize(
    ("year", "total", "by_category"), [("2016", 40, SEED_2016), ("2017", 100, SEED_2017), ("2018", 105, SEED_2018)]
)
def test_rows_per_year_and_category(year, total, by_category):
    rows = YEARS[year]
    counted = Counter(r["category"] for r in rows)
    assert len(rows) == total == COUNTS[year]["total"] == sum(by_category.values())
    assert counted == by_category == COUNTS[year]["by_category"]
    assert [r["no"] for r in rows] == list(range(1, total + 1))
    # a category's rows are together, in the seed's order
    assert list(dict.fromkeys(r["category"] for r in rows)) == list(by_category)


def test_literal_totals():
    assert COUNTS["2016"]["total"] == 40
    assert COUNTS["2017"]["total"] == 100
    assert COUNTS["2018"]["total"] == 105
    assert len(COUNTS["2016"]["by_category"]) == 10
    assert len(COUNTS["2017"]["by_category"]) == 17
    assert len(COUNTS["2018"]["by_category"]) == 18


def test_every_row_is_complete():
    keys = {"no", "category", "task", "responsible", "cooperating", "due_text", "note"}
    for year, rows in YEARS.items():
        for r in rows:
            assert set(r) == keys, (year, r)
            assert r["task"].strip() and r["category"].strip(), (year, r)
            assert r["responsible"] and all(d.strip() for d in r["responsible"]), (year, r)
            assert isinstance(r["cooperating"], list) and all(d.strip() for d in r["cooperating"]), (year, r)
            assert r["due_text"] and isinstance(r["note"], str), (year, r)
            for text in (r["category"], r["task"], r["due_text"], *r["responsible"], *r["cooperating"]):
                assert not any(c.isspace() for c in text), (year, r)  # broken lines joined without spaces


def test_every_due_text_parses():
    failures = []
    for year, rows in YEARS.items():
        for r in rows:
            try:
                parsed = parse_due(r["due_text"], int(year))
            except Exception as exc:  # noqa: BLE001 - collect them all, then fail
                failures.append((year, r["no"], r["due_text"], repr(exc)))
                continue
            if parsed.kind == "unknown":
                failures.append((year, r["no"], r["due_text"], parsed.problem))
    assert failures == []


@pytest.mark.parametrize("year", ["2016", "2017", "2018"])
def test_the_distinct_due_texts_and_their_kinds(year):
    texts = {r["due_text"] for r in YEARS[year]}
    assert texts == set(SEED_DUE_TEXTS[year])
    assert {t: parse_due(t, int(year)).kind for t in texts} == SEED_DUE_TEXTS[year]


def test_only_the_seed_impossible_date_is_flagged():
    flagged = [(y, r["task"]) for y, rows in YEARS.items() for r in rows if parse_due(r["due_text"], int(y)).problem]
    assert flagged == [("2016", "制定学校学生综合素质发展基本标准")]  # the seed's "2月31日"


def test_rows_checked_against_the_seed():
    by_task = {(y, r["task"]): r for y, rows in YEARS.items() for r in rows}
    row = by_task["2016", "组织外出考察学习"]
    assert (row["responsible"], row["cooperating"], row["due_text"]) == (
        ["质量管理处", "职能部门", "二级学院"],
        [],
        "12月30日",
    )
    row = by_task["2016", "内部质量保证体系建设与运行方案（2016-2020）"]
    assert row["cooperating"] == ["党政办公室", "人力资源处", "教务处", "党委学生工作部"]
    row = by_task["2016", "厘清职责"]
    assert row["cooperating"] == [
        "除党政办公室、人力资源出、党委学生工作部、教务处、质量管理处、信息化处、二级学院外的其它所有部门"
    ]
    assert row["note"] == "建立完善相应的业务流程、记录及技术标准，完善制度，形成有效机制"
    assert by_task["2016", "试点专业诊改"]["note"] == "按10个流程执行"
    assert by_task["2016", "发展性考核"]["cooperating"] == ["组织统战部", "党政办公室", "质量管理处"]
    assert by_task["2017", "科研工作量基本标准"]["responsible"] == ["人力资源处"]
    assert by_task["2017", "校企合作机制"]["responsible"] == ["合作发展处", "过级学院"]  # as written
    assert by_task["2017", "学校安全保障服务"]["due_text"] == "6月30日"  # one date cell for 机制/服务/监督控制
    assert by_task["2018", "质量事故认定与处理办法"]["due_text"] == "3月31日"
    assert by_task["2017", "管理过程信息"]["due_text"] == "全年常态运行"  # 诊改信息预警: merged with 诊改信息采集
    assert by_task["2018", "毕业生满意度调查"]["due_text"] == "2019年6月"
    platform = next(r for r in YEARS["2018"] if r["category"] == "诊改信息平台建设")
    assert platform["due_text"] == "努力建设"
    assert platform["cooperating"][-1] == "党委学生工作部及其它职能部门"


def test_the_2016_table_can_be_instantiated(session):
    from tests.conftest import NOW

    rows = annual.instantiate(session, 2016, None, NOW)
    assert len(rows) == 40 and [r.no for r in rows if r.problem] == [25]
    assert annual.available(2016)


def test_a_normal_year_is_made_from_2017(session):
    from tests.conftest import NOW

    rows = {r.no: r for r in annual.instantiate(session, 2026, None, NOW)}
    assert len(rows) == 100
    assert rows[1].due_date.isoformat() == "2026-05-30"
    sampling = next(r for r in rows.values() if r.category == "学校抽样复核结论反馈")
    assert sampling.due_text == "2027年2月28日" and sampling.due_date.isoformat() == "2027-02-28"
    assert not any(r.problem for r in rows.values())
