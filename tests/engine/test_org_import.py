"""Importing a college whose codes and names share nothing with the demo school's: preview, confirm,
re-import, full rosters, bad files."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from engine.core.errors import InvalidInput
from engine.documents import service as documents
from engine.models import (
    AuditEntry,
    Document,
    HumanTask,
    ImportRun,
    OrgUnit,
    PositionTerm,
    RoleAssignment,
    SchoolClass,
    Subject,
    SubjectMember,
    TaskCandidate,
    User,
)  # fmt: skip
from engine.org import importing, people, positions
from engine.org.importing import BadFile, error_text
from engine.workflow import runtime
from tests.conftest import NOW, filled, user

COLLEGE = Path(__file__).resolve().parent.parent / "fixtures" / "college"


def data(kind: str) -> bytes:
    return (COLLEGE / f"{kind}.csv").read_bytes()


def import_college(session, actor=None, kinds=importing.ORDER):
    runs = {}
    for kind in kinds:
        runs[kind] = importing.import_file(session, actor, kind, f"{kind}.csv", data(kind), NOW)
    session.flush()
    return runs


def unit(session, code):
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def counts(session) -> dict:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (OrgUnit, User, Subject, SubjectMember, SchoolClass, RoleAssignment, PositionTerm)
    }


def test_the_college_is_imported_as_a_tree_with_people_subjects_classes_and_positions(session):
    admin = user(session, "admin")
    runs = import_college(session, admin)
    assert {k: r.summary["result"]["created"] for k, r in runs.items()} == {
        "units": 11, "staff": 9, "majors": 2, "courses": 2, "classes": 2, "students": 3, "positions": 7,
    }  # fmt: skip
    school, college = unit(session, "JT00"), unit(session, "JT10")
    assert school.kind == "school" and school.parent_id is None
    assert college.parent_id == school.id and unit(session, "JT1001").parent_id == college.id
    assert unit(session, "JT1002").kind == "training_centre"
    teacher = user(session, "91001")
    assert (teacher.kind, teacher.display_name, teacher.org_unit_id) == ("teacher", "林汽检", college.id)
    assert user(session, "92001").kind == "counselor"
    student = user(session, "2025100001")
    klass = session.get(SchoolClass, student.class_id)
    assert (klass.code, klass.year, student.entry_year, student.org_unit_id) == ("QJ2501", 2025, 2025, college.id)
    major = session.get(Subject, klass.major_subject_id)
    assert (major.type, major.code, major.name) == ("major", "600201", "汽车检测与维修技术")
    team = session.execute(select(User.username, SubjectMember.role).join(SubjectMember).where(
        SubjectMember.subject_id == major.id).order_by(User.username)).all()  # fmt: skip
    assert [tuple(t) for t in team] == [("91001", "leader"), ("91002", "member")]
    # the reviewer's position is in force, and its term starts on the file's date
    term = session.scalar(select(PositionTerm).where(PositionTerm.user_id == user(session, "90010").id,
                                                     PositionTerm.role == "reviewer"))  # fmt: skip
    assert (term.starts_on, term.ends_on, term.scope_id) == (date(2025, 9, 1), None, college.id)
    assert session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == term.user_id,
                                                       RoleAssignment.role == "reviewer"))  # fmt: skip
    # the counselor holds both classes; 办公室人员 write the college's own subjects
    assert {r.scope_id for r in session.scalars(select(RoleAssignment).where(
        RoleAssignment.user_id == user(session, "92001").id, RoleAssignment.role == "counselor"))} == {
        c.id for c in session.scalars(select(SchoolClass).where(SchoolClass.code.in_(["QJ2501", "ZJ2501"])))
    }  # fmt: skip
    own_types = Subject.type.in_(["college", "faculty_team"])
    college_subjects = session.scalars(select(Subject).where(Subject.org_unit_id == college.id, own_types))
    for s in college_subjects:
        assert session.get(SubjectMember, (s.id, user(session, "90011").id)) is not None
    # 人事部 is no subject of 诊改 (诊改主体 = 否); 院长办公室 is
    assert not session.scalar(select(Subject).where(Subject.org_unit_id == unit(session, "JT03").id))
    assert (
        session.scalar(select(Subject.type).where(Subject.org_unit_id == unit(session, "JT01").id)) == "functional_dept"
    )
    audit = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "import.apply", AuditEntry.actor_id == admin.id)
    ).all()
    assert len(audit) == 7 and audit[-1].after["created"] == 7


def test_a_teacher_of_the_college_submits_targets_that_reach_the_college_s_reviewer(session):
    import_college(session)
    teacher = user(session, "91001")
    subject = session.scalar(select(Subject).where(Subject.user_id == teacher.id, Subject.type == "teacher"))
    task = documents.start_document(session, teacher, subject.id, "target", NOW)
    runtime.complete_task(
        session, teacher, task.id, {"document": filled(session.get(Document, task.document_id).data)}, NOW
    )
    review = session.scalar(
        select(HumanTask).where(HumanTask.instance_id == task.instance_id, HumanTask.state == "open")
    )
    reviewer = user(session, "90010")
    from engine import org

    candidates = set(session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == review.id)))
    assert set(org.principals_of(session, reviewer.id)) & candidates
    runtime.complete_task(session, reviewer, review.id, {"decision": "approve"}, NOW)
    assert session.get(Document, task.document_id).status == "published"


def test_a_teacher_listed_in_a_teaching_section_submits_to_the_college_s_reviewer(session):
    """A roster may list teachers by 教研室. Their own subject used to be the 教研室's, which has no reviewer, so
    their targets' 二级学院审定 fell to nobody but the monitors."""
    import_college(session)
    staff = data("staff").decode().replace("91001,林汽检,JT10,", "91001,林汽检,JT1001,")
    importing.import_file(session, None, "staff", "staff.csv", staff.encode(), NOW)
    session.flush()
    teacher = user(session, "91001")
    assert teacher.org_unit_id == unit(session, "JT1001").id  # the person is in the 教研室
    subject = session.scalar(select(Subject).where(Subject.user_id == teacher.id, Subject.type == "teacher"))
    assert subject.org_unit_id == unit(session, "JT10").id  # their subject of 诊改 is the college's
    task = documents.start_document(session, teacher, subject.id, "target", NOW)
    runtime.complete_task(
        session, teacher, task.id, {"document": filled(session.get(Document, task.document_id).data)}, NOW
    )
    review = session.scalar(
        select(HumanTask).where(HumanTask.instance_id == task.instance_id, HumanTask.state == "open")
    )
    candidates = set(session.scalars(select(TaskCandidate.principal).where(TaskCandidate.task_id == review.id)))
    assert candidates == {f"g:reviewer:unit:{unit(session, 'JT10').id}"}
    runtime.complete_task(session, user(session, "90010"), review.id, {"decision": "approve"}, NOW)
    assert session.get(Document, task.document_id).status == "published"


def test_importing_the_same_files_again_changes_nothing(session):
    import_college(session)
    before = counts(session)
    runs = import_college(session)
    assert counts(session) == before
    for kind, run in runs.items():
        result = run.summary["result"]
        assert (result["created"], result["updated"]) == (0, 0), kind


def test_a_changed_row_updates_the_person_and_their_own_subject(session):
    import_college(session)
    changed = data("staff").decode().replace("林汽检,JT10", "林汽检改,JT11").encode()
    run = importing.import_file(session, None, "staff", "staff.csv", changed, NOW)
    assert run.summary["result"] == {"created": 0, "updated": 1, "unchanged": 8, "deactivated": 0}
    teacher = user(session, "91001")
    session.refresh(teacher)
    assert (teacher.display_name, teacher.org_unit_id) == ("林汽检改", unit(session, "JT11").id)
    own = session.scalar(select(Subject).where(Subject.user_id == teacher.id, Subject.type == "teacher"))
    assert (own.name, own.org_unit_id) == ("林汽检改", unit(session, "JT11").id)


def test_the_preview_changes_nothing_and_names_every_bad_row(session):
    before = counts(session)
    bad = ("单位代码,单位名称,单位类型,上级单位代码\nZZ00,某学院,学校,\nZZ01,办公室,职能部门,NOPE\n"
           "ZZ01,重复,职能部门,ZZ00\nZZ02,,学院,ZZ00\n").encode()  # fmt: skip
    run = importing.preview(session, None, "units", "units.csv", bad, NOW)
    assert counts(session) == before
    errors = {r["line"]: [error_text(e) for e in r["errors"]] for r in run.rows if r["errors"]}
    assert errors == {
        3: ["未知上级单位“NOPE”"],
        4: ["单位代码“ZZ01”与第 3 行重复"],
        5: ["“单位名称”不能为空"],
    }
    with pytest.raises(InvalidInput):
        importing.apply(session, None, run.id, NOW)
    assert counts(session) == before


def test_bad_dates_unknown_people_and_scopes_are_row_errors(session):
    import_college(session, kinds=["units", "staff"])
    text = ("工号,岗位,范围,范围代码,开始日期,结束日期\n90010,审核人,单位,JT10,2025-13-01,\n"
            "99999,审核人,单位,JT10,,\n90010,辅导员,单位,JT10,,\n"
            "90010,审核人,单位,JT10,2026-01-01,2025-01-01\n")  # fmt: skip
    run = importing.preview(session, None, "positions", "p.csv", text.encode(), NOW)
    assert [[error_text(e) for e in r["errors"]] for r in run.rows] == [
        ["开始日期“2025-13-01”不是有效日期（应如 2026-09-01）"],
        ["未知工号“99999”"],
        ["岗位“辅导员”不能设在“单位”范围"],
        ["结束日期早于开始日期"],
    ]


def test_a_full_roster_deactivates_who_is_missing_after_listing_them(session):
    import_college(session)
    counselor = user(session, "92001")
    roster = data("staff").decode().replace("92001,马辅导,JT10,辅导员,\n", "").encode()
    run = importing.preview(session, None, "staff", "staff.csv", roster, NOW, full=True)
    missing = {p["number"] for p in run.summary["missing"]}
    assert "92001" in missing and "admin" not in missing  # the demo school's people are missing too
    session.refresh(counselor)
    assert counselor.active
    importing.apply(session, None, run.id, NOW)
    session.refresh(counselor)
    assert not counselor.active and counselor.deactivated_at is not None
    # their positions ended today and are no longer in force
    assert not session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == counselor.id))
    assert {t.ends_on for t in session.scalars(select(PositionTerm).where(PositionTerm.user_id == counselor.id))} == {
        date(2026, 11, 24)}  # fmt: skip
    # they come back when a later roster lists them again
    importing.import_file(session, None, "staff", "staff.csv", data("staff"), NOW)
    session.refresh(counselor)
    assert counselor.active


def test_a_deactivated_reviewer_s_claimed_task_goes_back_to_the_position(session):
    reviewer = user(session, "dzxy_reviewer")
    task = session.scalar(select(HumanTask).where(HumanTask.state == "open"))
    if task is None:
        from tests.conftest import own_subject

        author = user(session, "t01")
        t = documents.start_document(session, author, own_subject(session, "t01").id, "target", NOW)
        runtime.complete_task(
            session, author, t.id, {"document": filled(session.get(Document, t.document_id).data)}, NOW
        )
        task = session.scalar(
            select(HumanTask).where(HumanTask.instance_id == t.instance_id, HumanTask.state == "open")
        )
    task.claimant_id, task.claimed_at = reviewer.id, NOW
    session.flush()
    people.deactivate(session, None, [reviewer.id], NOW)
    session.refresh(task)
    assert task.claimant_id is None and task.state == "open"


def test_history_answers_who_held_a_position_on_a_day(session):
    import_college(session, kinds=["units", "staff"])
    a, b = user(session, "90010"), user(session, "90002")
    college = unit(session, "JT10")
    first = positions.assign(session, None, a, "head", "unit", college.id, NOW, starts_on=date(2024, 9, 1))
    positions.end(session, None, first.id, NOW, ends_on=date(2025, 8, 31))
    positions.assign(session, None, b, "head", "unit", college.id, NOW, starts_on=date(2025, 9, 1))
    assert positions.holders_on(session, "head", "unit", college.id, date(2025, 1, 1)) == [a]
    assert positions.holders_on(session, "head", "unit", college.id, date(2026, 1, 1)) == [b]
    in_force = {r.user_id for r in session.scalars(select(RoleAssignment).where(
        RoleAssignment.role == "head", RoleAssignment.scope_type == "unit",
        RoleAssignment.scope_id == college.id))}  # fmt: skip
    assert in_force == {b.id}


def test_a_term_starting_later_takes_effect_on_its_day(session):
    import_college(session, kinds=["units", "staff"])
    a, college = user(session, "90002"), unit(session, "JT10")
    positions.assign(session, None, a, "deputy", "unit", college.id, NOW, starts_on=date(2026, 12, 1))
    held = select(RoleAssignment).where(RoleAssignment.user_id == a.id, RoleAssignment.role == "deputy")
    assert session.scalar(held) is None
    assert positions.sync_positions(session, NOW + timedelta(days=7)) == 1
    assert session.scalar(held) is not None


def _xlsx(rows, merge=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_files_are_read_like_csv(session):
    rows = [["单位代码", "单位名称", "单位类型", "上级单位代码"], ["YY00", "另一所学院", "学校", None],
            ["YY01", "办公室", "职能部门", "YY00"]]  # fmt: skip
    run = importing.preview(session, None, "units", "units.xlsx", _xlsx(rows), NOW)
    assert run.summary["errors"] == 0 and run.summary["new"] == 2


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            "units.xlsx",
            _xlsx(
                [
                    ["单位代码", "单位名称", "单位类型", "上级单位代码"],
                    ["A", "B", "学校", ""],
                    ["", "", "职能部门", "A"],
                ],
                merge="A2:A3",
            ),
            "合并单元格（A2:A3）",
        ),  # fmt: skip
        ("units.csv", "代码,名称\nA,B\n".encode(), "缺少列：单位代码、单位名称、单位类型"),
        ("units.csv", bytes(range(256)) * 41000, "文件超过 10 MB"),
        ("units.csv", b"\x81\x00\xff\xfe" * 1000, "不是文本格式的 CSV"),
        ("units.xlsx", b"PK\x03\x04 not really a zip", "不是有效的 Excel"),
        ("units.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 Excel"),
        ("units.pdf", b"%PDF-1.4", "只能导入 Excel (.xlsx) 或 CSV"),
        ("units.csv", b"", "文件是空的"),
        ("units.csv", "单位代码,单位名称,单位类型\n".encode(), "只有表头"),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(session, filename, content, message):
    before = session.scalar(select(func.count()).select_from(ImportRun))
    with pytest.raises(BadFile) as caught:
        importing.preview(session, None, "units", filename, content, NOW)
    assert message in str(caught.value)
    assert session.scalar(select(func.count()).select_from(ImportRun)) == before


def test_a_gbk_csv_is_read_and_says_so(session):
    run = importing.preview(session, None, "units", "units.csv", data("units").decode().encode("gbk"), NOW)
    assert run.summary["errors"] == 0 and run.rows[1]["values"]["单位名称"] == "院长办公室"
    assert "文件按 GBK 编码读取" in [error_text(n) for n in run.summary["notes"]]


def test_the_template_has_the_kind_s_columns(session):
    for kind, spec in importing.KINDS.items():
        wb = load_workbook(io.BytesIO(importing.template(kind)))
        header = [c.value.lstrip("*") for c in wb.worksheets[0][1]]
        assert header == spec.columns
        # an empty template filled with the fixture's rows is accepted
    ws_rows = [c.split(",") for c in data("units").decode().splitlines()]
    run = importing.preview(session, None, "units", "u.xlsx", _xlsx(ws_rows), NOW)
    assert run.summary["errors"] == 0


def test_the_scheduler_s_tick_brings_a_term_into_force_on_its_day(session):
    from engine import scheduler

    import_college(session, kinds=["units", "staff"])
    a, college = user(session, "90002"), unit(session, "JT10")
    positions.assign(session, None, a, "deputy", "unit", college.id, NOW, starts_on=date(2026, 11, 26))
    held = select(RoleAssignment).where(RoleAssignment.user_id == a.id, RoleAssignment.role == "deputy")
    assert "positions" not in scheduler.tick(session, NOW + timedelta(days=1))
    assert session.scalar(held) is None
    assert scheduler.tick(session, NOW + timedelta(days=2))["positions"] == 1
    assert session.scalar(held) is not None


def test_a_task_only_a_deactivated_person_could_do_shows_in_the_problems(session):
    from engine.oversight.problems import list_problems
    from tests.conftest import own_subject

    author = user(session, "t05")
    task = documents.start_document(session, author, own_subject(session, "t05").id, "target", NOW)
    assert task.instance_id not in {p["instance_id"] for p in list_problems(session, NOW)}
    people.deactivate(session, None, [author.id], NOW)
    session.flush()
    stuck = [p for p in list_problems(session, NOW) if p["instance_id"] == task.instance_id]
    assert [p["kind"] for p in stuck] == ["stuck"]
