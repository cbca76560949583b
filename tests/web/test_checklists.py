"""制度与标准 › 诊断指标体系: the review checklists loaded for every school (figure 12), their versions, and the
draft a lead department edits and publishes; refused drafts name the field and save nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from engine.diagnosis import checklists
from engine.models import AuditEntry, ChecklistVersion, ReviewChecklist
from forms import diagnosis as modes
from tests.conftest import BROKEN, NOW, page


def link(html: str, testid: str) -> str:
    found = re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', html)
    assert found, testid
    return found.group(1).replace("&amp;", "&")


def checklist(session, subject_type) -> ReviewChecklist:
    return session.scalar(select(ReviewChecklist).where(ReviewChecklist.subject_type == subject_type))


def versions(session, c) -> list[tuple[int, str]]:
    session.expire_all()
    return [(v.version, v.status) for v in checklists.versions(session, c)]


def form_of(items, scale) -> dict:
    data = {}
    for n, (key, indicator, label, weight) in enumerate(items, 1):
        data |= {f"item-{n}-key": key, f"item-{n}-indicator": indicator, f"item-{n}-label": label,
                 f"item-{n}-weight": str(weight), f"item-{n}-order": str(n)}  # fmt: skip
    for n, (label, score) in enumerate(scale, 1):
        data |= {f"scale-{n}-label": label, f"scale-{n}-score": str(score)}
    return data


def test_every_subject_type_has_figure_12s_checklist_in_force(session):
    rows = session.scalars(select(ReviewChecklist)).all()
    assert {c.subject_type: c.mode for c in rows} == modes.MODE_OF_TYPE
    technical = checklists.in_force(session, "teacher")
    professional = checklists.in_force(session, "major")
    assert [i["label"] for i in technical.items] == [
        "是否严格执行流程", "目标是否科学", "标准是否合理", "问题是否准确", "诊断是否一致", "措施是否可行",
        "质量是否提升",
    ]  # fmt: skip
    assert {i["indicator"] for i in technical.items} == {"流程是否完整", "环节是否落实"}
    assert [i["label"] for i in professional.items][-2:] == ["设计是否科学", "表达是否规范"]
    assert {i["indicator"] for i in professional.items} == {"流程是否完整", "环节是否落实", "内容是否科学"}
    assert sum(i["weight"] for i in technical.items) == sum(i["weight"] for i in professional.items) == 100
    assert [s["label"] for s in technical.scale] == ["符合", "基本符合", "不符合"]
    assert checklists.load_defaults(session, NOW) == 0  # loading again adds nothing


def test_teachers_read_the_checklists_from_the_standards_tab_bar_students_do_not(login_as):
    t01 = login_as("t01")
    html = page(t01, link(page(t01, "/standards"), "tab-checklists"))
    assert html.count('data-testid="checklist-') >= 8 and "技术性诊断" in html and "专业性诊断" in html
    teacher = page(t01, re.search(r'data-testid="checklist-teacher">\s*<td[^>]*><a href="([^"]+)"', html).group(1))
    assert "是否严格执行流程" in teacher and "人力资源处" in teacher and 'data-testid="edit-draft"' not in teacher
    page(login_as("s01"), "/checklists", 404)


def test_the_lead_department_edits_a_draft_publishes_it_and_the_old_version_stays_readable(session, login_as):
    major = checklist(session, "major")
    v1 = checklists.in_force(session, "major")
    jwc = login_as("jwc_staff")
    shown = page(jwc, f"/checklists/{major.id}")
    edit_url = link(shown, "edit-draft")
    form = page(jwc, edit_url)
    assert 'name="item-1-label" value="是否严格执行流程"' in form
    assert 'name="item-10-label" value=""' in form  # blank rows to add items
    items = [(i["key"], i["indicator"], i["label"], i["weight"]) for i in v1.items]
    # remove 表达是否规范 (10), add 课程思政是否融入 (10) and move it first
    items = [i for i in items if i[2] != "表达是否规范"]
    data = form_of(items, [("符合", 100), ("基本符合", 60), ("不符合", 0)])
    data |= {"item-20-indicator": "内容是否科学", "item-20-label": "课程思政是否融入", "item-20-weight": "10",
             "item-20-order": "0"}  # fmt: skip
    saved = jwc.post(edit_url, data=data)
    assert saved.status_code == 302
    assert versions(session, major) == [(2, "draft"), (1, "published")]
    assert checklists.in_force(session, "major").version == 1  # a draft is not in force
    draft = checklists.draft_of(session, major)
    assert draft.items[0]["label"] == "课程思政是否融入" and draft.items[0]["key"] not in {i["key"] for i in v1.items}
    assert "表达是否规范" not in [i["label"] for i in draft.items]
    # publish with a change note: v2 in force, v1 still readable as it was
    edit_page = page(jwc, edit_url)
    assert 'data-testid="publish"' in edit_page
    refused = jwc.post(f"/checklists/{major.id}/publish", data={"note": ""})
    assert refused.status_code == 400 and 'data-testid="error-note"' in refused.get_data(as_text=True)
    assert jwc.post(f"/checklists/{major.id}/publish", data={"note": "增加课程思政"}).status_code == 302
    assert versions(session, major) == [(2, "published"), (1, "published")]
    assert checklists.in_force(session, "major").items[0]["label"] == "课程思政是否融入"
    listing = page(jwc, f"/checklists/{major.id}")
    assert "课程思政是否融入" in listing and "增加课程思政" in listing
    old_url = re.search(r'data-testid="checklist-version-1">\s*<td[^>]*><a href="([^"]+)"', listing).group(1)
    old = page(jwc, old_url)
    assert "表达是否规范" in old and "课程思政是否融入" not in old
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "checklist")
                               .order_by(AuditEntry.id)).all()
    assert actions == ["checklist.save", "checklist.publish"]


def test_a_refused_draft_names_its_field_and_saves_nothing(session, login_as):
    major = checklist(session, "major")
    jwc = login_as("jwc_staff")
    v1 = checklists.in_force(session, "major")
    items = [(i["key"], i["indicator"], i["label"], i["weight"]) for i in v1.items]
    cases = {
        "error-weights": form_of(
            [*items[:-1], (items[-1][0], items[-1][1], items[-1][2], 5)], [("符合", 100), ("不符合", 0)]
        ),  # 95
        "error-item-2-label": form_of(
            [items[0], (items[1][0], items[1][1], "", items[1][3]), *items[2:]], [("符合", 100), ("不符合", 0)]
        ),  # fmt: skip
        "error-item-1-weight": form_of(
            [(items[0][0], items[0][1], items[0][2], "十"), *items[1:]], [("符合", 100), ("不符合", 0)]
        ),  # fmt: skip
        "error-scale": form_of(items, [("符合", 100)]),
        "error-scale-2-score": form_of(items, [("符合", 100), ("不符合", 200)]),
    }
    for testid, data in cases.items():
        response = jwc.post(f"/checklists/{major.id}/draft", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and f'data-testid="{testid}"' in html, testid
        assert not BROKEN.search(html)
    sum_refused = jwc.post(f"/checklists/{major.id}/draft", data=cases["error-weights"])
    assert "权重合计须为 100（当前 95）" in sum_refused.get_data(as_text=True)
    assert versions(session, major) == [(1, "published")]
    assert session.scalar(select(func.count()).select_from(ChecklistVersion).where(
        ChecklistVersion.status == "draft")) == 0  # fmt: skip
    # nothing to publish without a draft
    response = jwc.post(f"/checklists/{major.id}/publish", data={"note": "x"}, follow_redirects=True)
    assert "没有可发布的草稿" in response.get_data(as_text=True)


def test_another_lead_department_reads_but_cannot_edit(session, login_as):
    major = checklist(session, "major")
    rsc = login_as("rsc_reviewer")
    assert 'data-testid="edit-draft"' not in page(rsc, f"/checklists/{major.id}")
    page(rsc, f"/checklists/{major.id}/draft", 404)
    assert rsc.post(f"/checklists/{major.id}/draft", data={}).status_code == 404
    # 质量管理处 edits every checklist
    zlc = login_as("zlc_admin")
    assert 'data-testid="edit-draft"' in page(zlc, f"/checklists/{major.id}")
    page(zlc, f"/checklists/{major.id}/draft")


def test_a_new_school_gets_the_default_checklists(new_school):
    from sqlalchemy.orm import Session

    _url, _app, eng = new_school
    with Session(eng) as s:
        loaded = s.scalars(select(ChecklistVersion)).all()
        assert len(loaded) == len(modes.MODE_OF_TYPE) and {v.status for v in loaded} == {"published"}


def test_a_draft_can_be_thrown_away_and_the_version_in_force_stays(session, login_as):
    course = checklist(session, "course")
    v1 = checklists.in_force(session, "course")
    jwc = login_as("jwc_reviewer")
    items = [(i["key"], i["indicator"], i["label"], i["weight"]) for i in v1.items]
    assert jwc.post(f"/checklists/{course.id}/draft", data=form_of(items, [("是", 100), ("否", 0)])).status_code == 302
    assert 'data-testid="discard-draft"' in page(jwc, f"/checklists/{course.id}/draft")
    assert versions(session, course) == [(2, "draft"), (1, "published")]
    done = jwc.post(f"/checklists/{course.id}/discard", follow_redirects=True)
    assert "草稿已删除" in done.get_data(as_text=True)
    assert versions(session, course) == [(1, "published")] and checklists.in_force(session, "course").id == v1.id
