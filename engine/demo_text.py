"""What the demo year's people write into their documents (engine/demo_year.py): plausible, varied, short.

Every cell gets a sentence built from the row's label, so a reviewer opening a demo document reads
something that belongs to that row. Deterministic: the same document always gets the same text.
"""

from __future__ import annotations

import copy

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
    "opinion": "{label}：达到标准，同意自我诊断结论。",
    "content": "{label}：{subject}本年度按诊改计划推进，主要指标达到预期，具体数据见诊改信息平台。",
}
BELOW = "{label}：未达到基本标准，过程佐证不足，请在一个月内整改并报质量管理处复核。"
DEFAULT = "{label}：按计划落实。"


def filled(
    data: dict, definition: dict, subject_name: str, *, year: int, header: dict | None = None,
    rows: int | None = None, below: bool = False,
) -> dict:  # fmt: skip
    """A copy of `data` with every empty cell of the first `rows` included rows written (all by default).

    `below`: the school's review finds the first item below its basic standard (engine/warning_rules.py).
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
        words = {"label": row["label"], "end": year + 2, "goal": GOALS[i % len(GOALS)], "pct": 60 + (i * 7) % 35,
                 "subject": subject_name}  # fmt: skip
        for key, value in row["cells"].items():
            if value:
                continue
            text = BELOW if (below and key == "opinion" and i == 0) else CELLS.get(key, DEFAULT)
            if text:
                row["cells"][key] = text.format(**words)
    return data
