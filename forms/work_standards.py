"""Work standards (seed table 9, 工作标准类别): seven categories, each with its content fields as the seed lists them.

Every 职能部门 and 二级学院 writes one document per category (its 科室 / 教研室 / 实训中心 are rows of it, named
by the row's label, e.g. "教学运行科 · 科长岗位"). The templates are derived here for both subject types, so
the lead department edits and versions them at 文档模板 like every other template.
"""

from __future__ import annotations

PREFIX = "ws_"
SUBJECT_TYPES = ("functional_dept", "college")
FIELD_MAX = 2000

# category key -> (table 9's 类别, its 内容 as columns, the label of the template's first row)
CATEGORIES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "duty": ("部门职责", ("职责", "岗位", "管理标准", "场地标准", "技术标准", "流程标准", "记录标准"), "本部门"),
    "post": ("岗位标准", ("任职条件", "责任清单", "负面清单", "权利清单"), "岗位1"),
    "management": ("管理标准", ("管理目的", "管理人员职责", "工作程序与要求", "工作记录", "支持文件"), "管理事项1"),
    "venue": ("场地标准", ("场地基本信息", "场地功能", "场地配置", "场地安全要求", "场地环境要求"), "场地1"),
    "technical": ("技术标准", ("目的", "职责", "技术指标"), "技术事项1"),
    "process": ("流程标准", ("目的", "职责", "操作程序", "控制节点"), "流程1"),
    "record": ("记录标准", ("目的", "项目", "要求"), "记录1"),
}


def doc_type(category: str) -> str:
    return f"{PREFIX}{category}"


def category_of(doc_type: str) -> str | None:
    """The category a document type names, or None for any other document."""
    if doc_type.startswith(PREFIX) and doc_type[len(PREFIX) :] in CATEGORIES:
        return doc_type[len(PREFIX) :]
    return None


def is_work_standard(subject_type: str, doc_type: str) -> bool:
    return subject_type in SUBJECT_TYPES and category_of(doc_type) is not None


def work_standard_templates() -> dict[str, dict]:
    """One template per subject type and category: key `<subject type>_ws_<category>`."""
    out = {}
    for subject_type in SUBJECT_TYPES:
        unit_label = "职能部门" if subject_type == "functional_dept" else "二级学院"
        for key, (label, fields, first_row) in CATEGORIES.items():
            columns = [
                {"key": f"f{i}", "label": name, "max": FIELD_MAX, **({"required": True} if i == 1 else {})}
                for i, name in enumerate(fields, start=1)
            ]
            template_key = f"{subject_type}_{doc_type(key)}"
            out[template_key] = {
                "key": template_key, "subject_type": subject_type, "doc_type": doc_type(key),
                "title": f"工作标准·{label}", "seed_table": f"表 9 工作标准类别：{label}",
                "header": [
                    {"key": "subject_name", "label": unit_label, "source": "subject"},
                    {"key": "period", "label": "适用期", "source": "period"},
                    {"key": "approver", "label": "审定领导", "source": "input", "max": 64},
                ],
                "columns": columns,
                "sections": [{"key": doc_type(key), "label": label, "items": [{"key": f"{doc_type(key)}_1",
                                                                              "label": first_row}]}],
                "allow_custom_items": True, "allow_custom_sections": False,
            }  # fmt: skip
    return out
