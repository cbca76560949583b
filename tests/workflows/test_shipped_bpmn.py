"""Every BPMN file in workflows/ compiles and follows the naming rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from engine.reports.catalogue import PROCESS_SECTIONS, PROCESSES, RETURNS
from engine.workflow.bpmn.compiler import compile_bpmn

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
FILES = sorted(WORKFLOWS.glob("*.bpmn"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_all_eight_chains_are_shipped():
    assert {p.stem for p in FILES} >= {
        "chain_functional_dept", "chain_college", "chain_major", "chain_course", "chain_faculty_team",
        "chain_teacher", "chain_student_cultivation", "chain_student",
    }  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_compiles_with_chinese_names_and_ascii_ids(path):
    chains = {p.stem: p.read_text(encoding="utf-8") for p in FILES if p.stem.startswith("chain_")}
    compiled = compile_bpmn(path.read_bytes(), called_xml=chains if path.stem.startswith("cycle_") else None)
    assert compiled.process_id == path.stem
    root = etree.fromstring(path.read_bytes())
    for el in root.iter():
        if not isinstance(el.tag, str) or "BPMN/20100524/MODEL" not in el.tag:
            continue
        if el.get("id"):
            assert el.get("id").isascii(), el.get("id")
        if el.get("name"):
            assert CJK.search(el.get("name")), f"{el.get('id')}: {el.get('name')}"
    kinds = [t["kind"] for t in compiled.meta["tasks"].values()]
    if path.stem.startswith("chain_"):
        assert kinds.count("edit") == 1 and "review" in kinds
    elif path.stem == "service_request":  # table 38: every step is a step of the request, the provider's timed
        assert set(kinds) == {"service"} and len(kinds) == 5
        assert compiled.meta["lanes"]["服务提供方（服务项目的牵头部门）"]["scope"] == "=provider_unit_id"
    elif path.stem == "credit_claim":  # quality credits: the counselor decides, a return goes back to the student
        assert set(kinds) == {"credit"} and len(kinds) == 2
        assert compiled.meta["lanes"]["辅导员"]["scope"] == "subject_class"
    elif path.stem == "assessment_campaign":  # table 40: 人力资源处 closes scoring (or the timer does) and publishes
        assert kinds == ["assessment"] * 2
        assert set(compiled.meta["lanes"]) == {"人力资源处（会同党政办公室、质量管理处）"}
    elif path.stem in {PROCESSES[k] for k in RETURNS}:  # the school's reports: generate_reports.py's shape
        key = next(k for k in RETURNS if PROCESSES[k] == path.stem)
        assert set(kinds) == {"report"} and len(kinds) == len(PROCESS_SECTIONS[key]) + 3  # compile, revise, approve
        scopes = {lane["scope"] for lane in compiled.meta["lanes"].values()}
        assert {s for s in scopes if s.startswith("=unit_")} == {f"=unit_{k}" for k in PROCESS_SECTIONS[key]} | {
            "=unit_returned"
        }
    elif path.stem == "cycle_school":  # steps 2 and 3: a confirmation per lead department / template owner
        assert kinds == ["confirm"] * 11 and not compiled.meta["called"]
        steps = {t["name"]: t["step"] for t in compiled.meta["tasks"].values()}
        assert sorted(steps.values()) == [2] * 6 + [3] * 5 and "2 制定基本标准（合作发展处）" in steps
    else:  # the cycle: steps 6-10 are documents, step 11 an acknowledgement; 1, 4, 5 call the chains
        assert kinds.count("ack") == 1 and kinds.count("edit") >= 4
        assert kinds.count("confirm") == 1  # 1 目标优化 in the second and third year of the target period
        assert {c.split("_", 1)[0] for c in compiled.meta["called"]} == {"chain"}


def test_the_generated_report_processes_are_what_the_generator_writes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_reports", WORKFLOWS / "generate_reports.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    for key in generator.GENERATED:
        assert (WORKFLOWS / f"{PROCESSES[key]}.bpmn").read_text(encoding="utf-8") == generator.build(key), key
