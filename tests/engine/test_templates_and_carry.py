"""Template versions, and targets carried into standards and plans item by item."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.errors import InvalidInput, NotFound
from engine.documents import service as documents
from engine.documents import templates
from engine.models import AuditEntry, Document
from forms.documents import validate_document
from tests.conftest import NOW, own_subject, publish_document, user


def publish(session, username, doc_type, edit=None):
    return publish_document(session, username, doc_type, edit)


def items_text(definition):
    return {s["key"]: "\n".join(i["label"] for i in s["items"]) for s in definition["sections"]}


def test_owner_publishes_v2_and_documents_on_v1_stay_valid(session):
    v1_doc = publish(session, "t01", "target")
    assert v1_doc.template_version == 1
    owner = user(session, "rsc_reviewer")  # 人力资源处 owns the teacher templates
    latest = templates.get_editable(session, owner, "teacher_target")[0]
    text = items_text(latest.definition)
    text["t"] = text["t"].replace("学历发展目标\n", "") + "\n师德师风建设目标"
    v2 = templates.publish_version(session, owner, "teacher_target", text, [], "按 2026 年人事制度调整", NOW)
    assert v2.version == 2
    labels = [i["label"] for i in v2.definition["sections"][0]["items"]]
    assert "学历发展目标" not in labels and labels[-1] == "师德师风建设目标"
    old_keys = {i["label"]: i["key"] for i in latest.definition["sections"][0]["items"]}
    new_keys = {i["label"]: i["key"] for i in v2.definition["sections"][0]["items"]}
    assert all(new_keys[label] == old_keys[label] for label in new_keys if label in old_keys)
    assert new_keys["师德师风建设目标"] not in old_keys.values()

    # the v1 document is still valid against its own version and readable
    assert documents.template_of(session, v1_doc).version == 1
    validate_document(documents.template_of(session, v1_doc).definition, v1_doc.data, submit=True)
    # a new document uses v2
    other = user(session, "t02")
    task = documents.start_document(session, other, own_subject(session, "t02").id, "target", NOW)
    doc = session.get(Document, task.document_id)
    assert doc.template_version == 2 and [r["label"] for r in doc.data["rows"]][-1] == "师德师风建设目标"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "template.publish"))
    assert entry.note == "按 2026 年人事制度调整" and entry.actor_id == owner.id


def test_only_owners_edit_templates(session):
    for outsider in ("jwc_reviewer", "t01", "dzxy_reviewer"):
        with pytest.raises(NotFound):
            templates.get_editable(session, user(session, outsider), "teacher_target")
    assert templates.get_editable(session, user(session, "zlc_admin"), "teacher_target")


def test_template_edit_validation(session):
    owner = user(session, "rsc_reviewer")
    latest = templates.get_editable(session, owner, "teacher_target")[0]
    with pytest.raises(InvalidInput) as err:
        templates.publish_version(session, owner, "teacher_target", {"t": "甲\n甲"}, [], "", NOW)
    assert set(err.value.fields) == {"items.t", "note"}
    with pytest.raises(InvalidInput):
        templates.publish_version(session, owner, "teacher_target", {"t": ""}, [], "清空", NOW)
    assert templates.get_editable(session, owner, "teacher_target")[0].version == latest.version


def test_standard_is_made_from_the_published_target(session):
    def drop_degree_add_own(data):
        for row in data["rows"]:
            if row["id"] == "t_degree":
                row["included"] = False
        data["rows"].append({"id": "cmentor", "section": "t", "label": "青年教师导师目标", "included": True,
                             "cells": {"description": "指导两名青年教师"}})  # fmt: skip

    publish(session, "t01", "target", drop_degree_add_own)
    teacher = user(session, "t01")
    task = documents.start_document(session, teacher, own_subject(session, "t01").id, "standard", NOW)
    std = session.get(Document, task.document_id)
    sections = {r["section"] for r in std.data["rows"]}
    assert "t_degree" not in sections and {"t_quality", "t_teaching", "t_research"} <= sections
    # target items without a standard group in table 16 (and the teacher's own item) become own groups
    assert std.data["sections"] == [
        {"key": "ct_position", "label": "个人发展定位目标"},
        {"key": "cmentor", "label": "青年教师导师目标"},
    ]
    validate_document(documents.template_of(session, std).definition, std.data, submit=False)
    create = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "document.create", AuditEntry.object_id == str(std.id))
    )
    assert create.after["from"] == "教师发展目标 v1"


def test_plan_carries_the_standard_item_by_item(session):
    publish(session, "t01", "target")

    def write_standard(data):
        for row in data["rows"]:
            row["cells"]["performance"] = f"绩效：{row['label']}"

    std = publish(session, "t01", "standard", write_standard)
    teacher = user(session, "t01")
    task = documents.start_document(session, teacher, own_subject(session, "t01").id, "plan", NOW)
    plan = session.get(Document, task.document_id)
    std_rows = {r["id"]: r for r in std.data["rows"] if r["included"]}
    plan_rows = {r["id"]: r for r in plan.data["rows"]}
    assert set(plan_rows) == set(std_rows)
    for rid, row in plan_rows.items():
        assert row["cells"]["performance"] == std_rows[rid]["cells"]["performance"]
        assert row["cells"]["measures"] == ""
