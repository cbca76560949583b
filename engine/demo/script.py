"""The demo year's script (engine/demo/year.py): when each subject moves, who acts, and what people write.

Days count back from `now` (54: 54 days ago). Texts are plausible and short: every cell gets a sentence
built from its row's label, so a reviewer opening a demo document reads something that belongs there.
"""

from __future__ import annotations

import copy

START = 92  # days before now: the annual task table is generated
YEAR_START = 54  # 质量管理处 starts the cycle
STEP_DUES = {  # days from today (negative: past) of each step's date
    "target": -40, "basic_standard": -40, "templates": -20, "standard": -10, "plan": -2, "implementation": 5,
    "diagnosis": 21, "report": 31, "upper_review": 35, "school_review": 38, "quality_report": 45, "feedback": 60,
}  # fmt: skip


# Steps 2 and 3 at school level (the year's cycle_school): (day, task, who, decision, what was revised or why
# not). 人力资源处 and 党委学生工作部 have not confirmed their basic standards yet (overdue on the progress page).
SCHOOL_STEPS = [
    (50, "basic_quality_office", "zlc_admin", "revised",
     "修订《人才培养监督控制基本标准》：课堂教学督导覆盖率不低于 95%。"),
    (48, "basic_academic_affairs", "jwc_reviewer", "revised",
     "修订专业设置、课程分级建设等 10 项基本标准，阈值按最新省级标准调整。"),
    (47, "templates_quality_office", "zlc_admin", "unchanged", "自我诊断报告模板上年已修订，本年沿用，无需修订。"),
    (45, "basic_party_office", "dzb_reviewer", "revised",
     "职员负面清单新增 3 条；教职工安全标准（保卫处配合）补充应急演练要求。"),
    (44, "basic_cooperation", "hzc_reviewer", "unchanged",
     "专业校企合作基本标准去年已修订，三年修订周期未到，本年无需修订。"),
    (42, "templates_academic_affairs", "jwc_reviewer", "revised", "专业建设质量标准模板新增“产教融合”项目。"),
]  # fmt: skip


def _chain(submit: int, *approvals: int, by: str | None = None) -> list[tuple]:
    """The author submits, then every review step approves on the given days."""
    return [(submit, "submit", None, "")] + [(d, "approve", by, "") for d in approvals]


def _steps(*days: int) -> list[tuple]:
    """Cycle steps 6, 7, 8 (and 10 for colleges) submitted by the subject on these days."""
    return [(d, "submit", None, "") for d in days]


def _upper(day: int) -> list[tuple]:
    """Step 9 上一级复核性诊断: the subject type's reviewer (党政办公室, 教务处, 人力资源处, 学工部, 教研室, 辅导员)."""
    return [(day, "submit", None, "")]


def _sampled(expert: int, feedback: int | None = None, verdict: str = "") -> list[tuple]:
    """Step 9 学校抽样复核 of a sampled subject by the expert committee's 刘老师 (t01; "below": the first item
    misses its basic standard), then step 11: 质量管理处 writes and issues the written conclusion."""
    out = [(expert, "submit", "t01", verdict)]
    return out + ([(feedback, "submit", "zlc_admin", "")] if feedback else [])


def _onwards(*days: int) -> list[tuple]:
    """Whatever the subject's cycle asks next, on each day (a sampled subject has more steps than the others)."""
    return [(d, "next", None, "") for d in days]


def _published(t: tuple, s: tuple, p: tuple) -> list[tuple]:
    """Target, standard and plan each through the whole chain (submit day first)."""
    return _chain(*t) + _chain(*s) + _chain(*p)


RETURN_TARGET_T01 = (
    "“个人发展定位目标”过于笼统，请结合物联网应用技术专业建设写出三年内可检验的目标；"
    "“职称发展目标”请写明计划申报的年度。"
)
RETURN_PLAN_T06 = "改进措施与目标对应不上：“教学发展目标”缺少具体措施，请逐项补充完成时间和佐证材料。"
RETURN_STANDARD_JWC = "“教学运行管理”的考核标准不够具体，请补充量化指标后重新报送。"
RETURN_TARGET_S12 = "目标写得太空泛，请写出本学年能做到、能检验的具体事情。"

# Where every subject of the demo stands at `now`: (day, action, actor or None for the default, text).
PATHS: dict[str, list[tuple]] = {
    # 职能部门 / 二级学院 (chain: author -> 党政办公室 -> 分管/联系领导)
    "DZB": _published((52, 51, 50), (46, 45, 44), (40, 39, 38)) + _steps(32, 26, 20) + _upper(14),  # at 9 or 11
    "JWC": _chain(49, 48, 47)
    + [(22, "submit", None, ""), (20, "return", None, RETURN_STANDARD_JWC)]
    + _chain(18, 17, 16)
    + [(5, "draft", None, "")],  # at 5, plan 2 days late, drafted
    "XXH": _chain(6),  # at 1, waiting for 党政办公室
    "DZXY": _published((50, 49, 48), (44, 43, 42), (38, 37, 36)) + _steps(28, 22, 16) + _upper(10),  # at 9 or 10
    "RJXY": _published((51, 50, 49), (45, 44, 43), (39, 38, 37)) + _steps(27, 20, 11),  # at 9 (党政办公室)
    # 专业 / 课程 (team -> 二级学院 -> 教务处)
    "510102": _chain(30, 27, 24) + [(15, "draft", "t02", "")],  # at 4, 10 days late; t02 drafted, t01 submits
    "510101": _chain(45, 44, 43) + _chain(20, 18, 16),  # at 5, 2 days late
    "510203": _published((50, 49, 48), (44, 43, 42), (36, 35, 34)) + [(2, "attach", None, "")],  # at 6
    "510205": _chain(8, 3),  # at 1, waiting for 教务处
    "DZ1001": _chain(9, 5, by="dzxy_reviewer2"),  # at 1, waiting for 教务处
    "DZ1002": _chain(48, 47, 46) + [(6, "submit", None, ""), (4, "claim", "dzxy_reviewer2", "")],  # at 4, claimed
    "DZ2001": _published((52, 51, 50), (46, 45, 44), (40, 39, 38)) + _steps(24),  # at 7
    # RJ1001 and RJ1002 are courses of a 诊改试点 major: always sampled (engine/demo/year.py `start_year`)
    "RJ1001": _published((51, 50, 49), (45, 44, 43), (39, 38, 37)) + _steps(25, 18, 15) + _upper(12),  # at 9 (专家)
    "RJ1002": _published((52, 51, 50), (46, 45, 44), (40, 39, 38))
    + _steps(30, 23, 17)
    + _upper(12)
    + _sampled(9, 6, "below"),  # at 11: the written conclusion waits for its acknowledgement
    "RJ2001": _published((53, 52, 51), (47, 46, 45), (41, 40, 39)) + _steps(30, 23, 17),  # at 9 (教务处)
    # 师资队伍 (-> 人力资源处 -> 分管领导) / 专业学生综合素质培养 (-> 学院审阅 -> 学工部 -> 分管领导)
    "DZXY-SZ": _chain(47, 46, 45) + _chain(5),  # at 4, waiting for 人力资源处
    "RJXY-SZ": _chain(12, 9),  # at 1, waiting for 分管领导 (2 days late)
    "510102-XS": _chain(49, 48, 47, 46) + _chain(40, 39, 38, 37) + _chain(5, 3),  # at 5, waiting for 学工部
    "510101-XS": [],  # at 1, 40 days late; extended by 质量管理处
    "510203-XS": _published((50, 49, 48, 47), (44, 43, 42, 41), (37, 36, 35, 34)),  # at 6
    "510205-XS": _chain(46, 45, 44, 43) + _chain(4),  # at 4, reassigned to 郑院审
    # 教师 (-> 二级学院)
    "t01": [(12, "submit", None, ""), (6, "return", "dzxy_reviewer", RETURN_TARGET_T01)],  # at 1, returned
    "t02": _chain(4),  # at 1, in the college's group
    "t03": _chain(33, 30, by="dzxy_reviewer2") + [(8, "submit", None, ""), (7, "claim", "dzxy_reviewer", "")],
    "t04": _chain(35, 32) + _chain(5),  # at 4, in the group
    "t05": _chain(28, 24) + [(12, "draft", None, "")],  # at 4, 10 days late, drafted
    "t06": _chain(48, 46) + _chain(40, 38) + [(8, "submit", None, ""), (3, "return", None, RETURN_PLAN_T06)],
    "t07": _published((50, 47), (44, 42), (38, 36)),  # at 6; the revision of the target errs (below)
    "t08": _published((49, 47), (43, 41), (37, 35)) + _steps(21),  # at 7
    "t09": _published((51, 49), (45, 43), (39, 37)) + _steps(26, 19),  # at 8
    "t10": _published((52, 50), (46, 44), (40, 38)) + _steps(28, 22, 13),  # at 9 (their 教研室's reviewer)
    # 学生 (-> 辅导员)
    "s01": _chain(30, 24) + [(10, "draft", None, "")],  # at 4, 10 days late, drafted
    **{f"s{n:02d}": _chain(8 - n + 1) for n in range(2, 7)},  # at 1, waiting for 郑辅导 (batch approve)
    "s07": _published((50, 48), (44, 42), (38, 36))
    + _steps(28, 24, 20)
    + _upper(16)
    + _onwards(14, 12, 10, 8),  # done: the written conclusion acknowledged
    "s08": _published((49, 47), (43, 41), (37, 35)),  # at 6
    "s12": [(20, "submit", None, ""), (18, "return", None, RETURN_TARGET_S12)],  # at 1, returned
    **{f"s{n}": _chain(50 - n, 24) for n in range(21, 26)},  # at 4, 10 days late
    **{f"s{n}": _chain(31 - n) for n in range(26, 29)},  # at 1, waiting for 冯辅导
}
LATE_STUDENTS = [f"s{n}" for n in range(29, 41)]  # at 1 and 40 days late: reminded by 质量管理处

GOALS = (
    "达到省内同类院校先进水平",
    "形成可推广的做法并通过学校验收",
    "各项指标全部达到学校基本标准",
    "在全省职业院校评比中进入前列",
)
CELLS = {
    "remark": "",
    "description": "{label}：到{end}年{goal}，每学年完成阶段任务并留存佐证。",
    "assessment": "{label}：对照指标逐项考核，年度完成率不低于 90%。",
    "performance": "{label}：形成可检验的成果，年度目标达成率 100%。",
    "assurance": "{label}：明确责任人，纳入年度工作计划，保障所需经费与场地。",
    "process": "{label}：按月跟踪、按季度自查，发现偏差及时纠正。",
    "status_quo": "{label}：已有一定基础，部分指标与标准相比仍有差距。",
    "problem": "{label}：过程记录不够完整，个别指标进度滞后。",
    "measures": "{label}：细化任务分解，建立周跟踪台账，学期末前补齐。",
    "progress": "{label}：已按计划推进，完成阶段任务约 {pct}%。",
    "evidence": "诊改信息平台：{label}工作记录、会议纪要",
    "completion": "按期推进",
    "conclusion": "{label}：基本达成年度目标，个别指标仍需加强。",
    "next_measures": "{label}：下一阶段集中补齐短板，每月检查一次。",
    "expected_effect": "{label}：下一年度全部达到标准。",
    "self_conclusion": "见自我诊断",
    "rating": "met",  # 达成度 (forms/cycle_templates.py RATINGS)
    "opinion": "{label}：达到标准，同意自我诊断结论。",
    "content": "{label}：{subject}本年度按诊改计划推进，主要指标达到预期，具体数据见诊改信息平台。",
}
ACK = "已收到书面结论，将按改进要求落实。"  # the subject acknowledges the written conclusion (step 11)
# 达成度 (met / partly / unmet) each party gives the items, in turn
RATINGS = {
    "diagnosis": ("met", "met", "partly", "met", "partly"),
    "upper_review": ("met", "partly", "partly", "met", "unmet"),
    "school_review": ("met", "partly", "unmet", "met", "partly"),
}
BELOW = "{label}：未达到基本标准，过程佐证不足，请在一个月内整改并报质量管理处复核。"
DEFAULT = "{label}：按计划落实。"


def filled(
    data: dict, definition: dict, subject_name: str, *, period: str, header: dict | None = None,
    rows: int | None = None, below: bool = False,
) -> dict:  # fmt: skip
    """A copy of `data` with every empty cell of the first `rows` included rows written (all by default).

    `period` is the document's ("2025-2027", "2026"): targets are reached by its last year.

    `below`: the school's review writes that the first item misses its basic standard (text only: the warning
    comes from a structured 规定性诊断, engine/diagnosis/prescriptive.py).
    """
    data = copy.deepcopy(data)
    inputs = [h["key"] for h in definition.get("header", []) if h.get("source", "input") == "input"]
    data["header"] = {k: v for k, v in (data.get("header") or {}).items() if v} | {
        k: v for k, v in (header or {}).items() if k in inputs and not (data.get("header") or {}).get(k)
    }
    written = 0
    for i, row in enumerate(data.get("rows", [])):
        if not row.get("included", True) or (rows is not None and written >= rows):
            continue
        written += 1
        words = {"label": row["label"], "end": period[-4:], "goal": GOALS[i % len(GOALS)], "pct": 60 + (i * 7) % 35,
                 "subject": subject_name}  # fmt: skip
        for key, value in row["cells"].items():
            if value:
                continue
            if key.endswith("rating"):  # 达成度: a choice, varied by item and party so the 吻合度 varies
                ratings = RATINGS.get(definition.get("doc_type"), RATINGS["diagnosis"])
                row["cells"][key] = "unmet" if below and i == 0 else ratings[i % len(ratings)]
                continue
            text = BELOW if (below and key == "opinion" and i == 0) else CELLS.get(key, DEFAULT)
            if text:
                row["cells"][key] = text.format(**words)
    return data


# A one-page PDF (evidence file of the demo).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
