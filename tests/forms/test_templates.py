"""The shipped templates (seed tables 1-8, 11-18, 19-26): complete, and traceable target -> standard -> plan."""

from __future__ import annotations

import pytest

from forms.templates import builtin_templates, template_items

SUBJECT_TYPES = [
    "functional_dept",
    "college",
    "major",
    "course",
    "faculty_team",
    "teacher",
    "student_cultivation",
    "student",
]
# items per seed table, counted from the seed: targets (tables 1-8) and standards (tables 11-18)
TARGET_ITEMS = {"functional_dept": 5, "college": 16, "major": 11, "course": 8, "faculty_team": 7, "teacher": 9,
                "student_cultivation": 9, "student": 9}  # fmt: skip
STANDARD_ITEMS = {"functional_dept": 11, "college": 55, "major": 41, "course": 31, "faculty_team": 26,
                  "student_cultivation": 43, "student": 43}  # fmt: skip


@pytest.mark.parametrize("subject_type", SUBJECT_TYPES)
def test_three_documents_per_subject_and_traceable(subject_type):
    t = builtin_templates()
    target, standard, plan = (t[f"{subject_type}_{d}"] for d in ("target", "standard", "plan"))
    assert len(template_items(target)) == TARGET_ITEMS[subject_type]
    if subject_type in STANDARD_ITEMS:
        assert len(template_items(standard)) == STANDARD_ITEMS[subject_type]
    target_keys = set(template_items(target))
    assert {s["key"] for s in standard["sections"]} <= target_keys  # every standard group is a target item
    assert set(template_items(plan)) <= set(template_items(standard))  # every plan row is a standard item
    assert [c["key"] for c in plan["columns"]] == [
        "performance", "assurance", "process", "status_quo", "problem", "measures", "assessment",
    ]  # fmt: skip
    for d in (target, standard, plan):
        assert d["seed_table"].startswith("表 ") and d["header"] and all(h["label"] for h in d["header"])


def test_seed_labels_as_written():
    t = builtin_templates()
    college = [i["label"] for i in t["college_target"]["sections"][0]["items"]]
    assert college[:3] == ["学院发展定位目标", "招生目标", "毕业生就业质量目标"]
    course_header = [(h["label"], h["source"]) for h in t["course_target"]["header"]]
    assert ("学时", "attr:hours") in course_header and ("课程代码", "code") in course_header
    jobs = next(s for s in t["college_standard"]["sections"] if s["label"] == "实习实训建设目标")
    assert "实习基地接收顶岗实习人数" in [i["label"] for i in jobs["items"]]
