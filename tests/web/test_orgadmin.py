"""系统管理: the unit tree, people, positions, majors / courses / classes, and imports, as their users see them."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from engine.models import AuditEntry, ImportRun, OrgUnit, PositionTerm, RoleAssignment, Subject, SubjectMember, User
from tests.conftest import login, user

COLLEGE = Path(__file__).resolve().parent.parent / "fixtures" / "college"


def upload(client, kind, content: bytes, filename=None, full=False):
    data = {"kind": kind, "file": (io.BytesIO(content), filename or f"{kind}.csv")}
    if full:
        data["full"] = "on"
    return client.post("/admin/imports", data=data, content_type="multipart/form-data")


def import_through_pages(client, kind):
    response = upload(client, kind, (COLLEGE / f"{kind}.csv").read_bytes())
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    preview = client.get(response.headers["Location"])
    confirm = client.post(response.headers["Location"] + "/confirm")
    assert confirm.status_code == 302, confirm.get_data(as_text=True)[:800]
    return preview.get_data(as_text=True), client.get(confirm.headers["Location"]).get_data(as_text=True)


def test_the_admin_menu_leads_to_every_page(login_as):
    admin = login_as("admin")
    home = admin.get("/inbox").get_data(as_text=True) if admin.get("/inbox").status_code == 200 else ""
    page = admin.get("/admin/units").get_data(as_text=True)
    assert 'data-testid="admin-menu"' in (home or page)
    for href in re.findall(r'href="(/admin/(?!functions)[a-z]+)"', page):
        response = admin.get(href)
        assert response.status_code == 200, href
    assert "示例职业技术学院" in page and 'data-testid="unit-DZXY"' in page


def test_others_find_no_admin_pages_and_no_menu(login_as):
    teacher = login_as("t01")
    assert 'data-testid="admin-menu"' not in teacher.get("/documents").get_data(as_text=True)
    for path in ("/admin/units", "/admin/people", "/admin/positions", "/admin/imports", "/admin/majors"):
        assert teacher.get(path).status_code == 404, path


def test_a_head_manages_positions_in_their_own_unit_only(login_as, session):
    head = login_as("dzxy_reviewer")  # head of 电子与物联网学院
    assert head.get("/admin/units").status_code == 404
    page = head.get("/admin/positions").get_data(as_text=True)
    assert "电子与物联网学院" in page and "软件与信息技术学院" not in page
    ok = head.post("/admin/positions", data={"number": "t02", "role": "reviewer", "scope_kind": "unit",
                                             "scope_code": "DZXY", "starts_on": "2026-11-24"})  # fmt: skip
    assert ok.status_code == 302
    t02 = user(session, "t02")
    assert session.scalar(
        select(RoleAssignment).where(RoleAssignment.user_id == t02.id, RoleAssignment.role == "reviewer")
    )
    refused = head.post("/admin/positions", data={"number": "t06", "role": "reviewer", "scope_kind": "unit",
                                                  "scope_code": "RJXY"})  # fmt: skip
    assert refused.status_code == 400 and "您只能在自己负责的单位内任命岗位" in refused.get_data(as_text=True)
    other = session.scalar(
        select(PositionTerm).where(
            PositionTerm.role == "reviewer", PositionTerm.user_id == user(session, "rjxy_reviewer").id
        )
    )
    if other is not None:
        assert head.post(f"/admin/positions/{other.id}/end").status_code == 404


def test_adding_and_changing_units(login_as, session):
    admin = login_as("admin")
    school = session.scalar(select(OrgUnit).where(OrgUnit.kind == "school"))
    response = admin.post("/admin/units", data={"code": "NEW1", "name": "新建实训中心", "kind": "training_centre",
                                                "parent_id": str(school.id)})  # fmt: skip
    assert response.status_code == 302
    assert "已添加单位“新建实训中心”" in admin.get("/admin/units").get_data(as_text=True)
    duplicate = admin.post("/admin/units", data={"code": "NEW1", "name": "重复", "kind": "office",
                                                 "parent_id": str(school.id)})  # fmt: skip
    assert duplicate.status_code == 400 and "单位代码已被使用" in duplicate.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.code == "NEW1")) == 1
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "NEW1"))
    loop = admin.post(f"/admin/units/{school.id}", data={"code": school.code, "name": school.name, "kind": "school",
                                                         "parent_id": str(unit.id), "active": "on"})  # fmt: skip
    assert loop.status_code == 400 and "上级单位不能是本单位或它的下级" in loop.get_data(as_text=True)
    admin.post(f"/admin/units/{unit.id}", data={"code": "NEW1", "name": "新名字", "kind": "training_centre",
                                                "parent_id": str(school.id)})  # fmt: skip
    session.refresh(unit)
    assert (unit.name, unit.active) == ("新名字", False)
    assert session.scalar(
        select(AuditEntry).where(AuditEntry.action == "unit.update", AuditEntry.object_id == str(unit.id))
    )


def test_people_search_filter_deactivate_and_reset_password(app, login_as, session):
    admin = login_as("admin")
    page = admin.get("/admin/people?kind=teacher&q=张").get_data(as_text=True)
    assert 'data-testid="person-t01"' in page and 'data-testid="person-t06"' not in page
    dzxy = session.scalar(select(OrgUnit).where(OrgUnit.code == "RJXY"))
    page = admin.get(f"/admin/people?unit={dzxy.id}&kind=teacher").get_data(as_text=True)
    assert 'data-testid="person-t06"' in page and 'data-testid="person-t01"' not in page
    t03 = user(session, "t03")
    assert admin.post(f"/admin/people/{t03.id}/active", data={"active": "no"}).status_code == 302
    assert "已停用" in admin.get(f"/admin/people/{t03.id}").get_data(as_text=True)
    refused = app.test_client().post("/login", data={"username": "t03", "password": "demo1234"})
    assert refused.status_code != 302
    admin.post(f"/admin/people/{t03.id}/active", data={"active": "yes"})
    reset = admin.post(f"/admin/people/{t03.id}/password").get_data(as_text=True)
    password = re.search(r'data-testid="new-password">.*?<code[^>]*>([^<]+)</code>', reset, re.S).group(1)
    login(app.test_client(), "t03", password)


def test_an_administrator_cannot_deactivate_themself(login_as, session):
    admin = login_as("admin")
    me = user(session, "admin")
    response = admin.post(f"/admin/people/{me.id}/active", data={"active": "no"})
    assert response.status_code == 400 and "不能停用自己的账号" in response.get_data(as_text=True)


def test_positions_with_dates_and_their_history_on_the_person_page(login_as, session):
    admin = login_as("admin")
    response = admin.post("/admin/positions", data={"number": "t04", "role": "deputy", "scope_kind": "unit",
                                                    "scope_code": "DZXY", "starts_on": "2026-09-01"})  # fmt: skip
    assert response.status_code == 302
    t04 = user(session, "t04")
    term = session.scalar(select(PositionTerm).where(PositionTerm.user_id == t04.id, PositionTerm.role == "deputy"))
    admin.post(f"/admin/positions/{term.id}/end", data={"ends_on": "2026-11-24"})
    page = admin.get(f"/admin/people/{t04.id}").get_data(as_text=True)
    assert "副职" in page and "2026-09-01" in page and "2026-11-24" in page
    bad = admin.post("/admin/positions", data={"number": "nobody", "role": "deputy", "scope_kind": "unit",
                                               "scope_code": "DZXY"})  # fmt: skip
    assert bad.status_code == 400 and "没有这个工号或学号" in bad.get_data(as_text=True)
    bad = admin.post("/admin/positions", data={"number": "t04", "role": "counselor", "scope_kind": "unit",
                                               "scope_code": "DZXY"})  # fmt: skip
    assert bad.status_code == 400 and "不能设在这个范围" in bad.get_data(as_text=True)


def test_a_major_s_team_is_changed_on_its_page(login_as, session):
    admin = login_as("admin")
    page = admin.get("/admin/majors").get_data(as_text=True)
    assert 'data-testid="subject-510102"' in page
    major = session.scalar(select(Subject).where(Subject.type == "major", Subject.code == "510102"))
    admin.post(f"/admin/subjects/{major.id}/team", data={"team": "t02 t01 t03"})
    rows = session.execute(select(User.username, SubjectMember.role).join(SubjectMember).where(
        SubjectMember.subject_id == major.id)).all()  # fmt: skip
    assert sorted(map(tuple, rows)) == [("t01", "member"), ("t02", "leader"), ("t03", "member")]
    bad = admin.post(f"/admin/subjects/{major.id}/team", data={"team": "t02 s01"})
    assert bad.status_code == 400 and "s01" in bad.get_data(as_text=True)
    assert "物联网应用技术2025级1班" in admin.get("/admin/classes").get_data(as_text=True)


def test_pilot_majors_and_courses_are_marked_on_their_pages(login_as, session):
    admin = login_as("admin")
    pilot = re.compile(r'data-testid="pilot-([^"]+)">.*?(设为试点|取消试点)', re.S)
    majors = dict(pilot.findall(admin.get("/admin/majors").get_data(as_text=True)))
    assert majors == {"510101": "设为试点", "510102": "取消试点", "510203": "取消试点", "510205": "设为试点"}
    courses = dict(pilot.findall(admin.get("/admin/courses").get_data(as_text=True)))
    assert courses["DZ1001"] == "取消试点" and courses["DZ2001"] == "设为试点"  # a pilot major's courses (the demo)
    major = session.scalar(select(Subject).where(Subject.type == "major", Subject.code == "510101"))
    done = admin.post(f"/admin/subjects/{major.id}/pilot", data={"pilot": "1"}, follow_redirects=True)
    assert "已将“电子信息工程技术”设为诊改试点" in done.get_data(as_text=True)
    session.refresh(major)
    assert dict(pilot.findall(done.get_data(as_text=True)))["510101"] == "取消试点" and major.attrs["pilot"] is True
    from engine.demo.organisation import DATA
    from engine.org import importing
    from tests.conftest import NOW

    roster = (DATA / "majors.csv").read_bytes()  # a roster re-import keeps the mark (it is not in the roster)
    importing.import_file(session, None, "majors", "majors.csv", roster, NOW)
    session.refresh(major)
    assert major.attrs["pilot"] is True
    undone = admin.post(f"/admin/subjects/{major.id}/pilot", data={"pilot": "0"}, follow_redirects=True)
    session.refresh(major)
    assert "已取消“电子信息工程技术”的诊改试点" in undone.get_data(as_text=True) and major.attrs["pilot"] is False
    teacher = session.scalar(select(Subject).where(Subject.type == "teacher"))
    assert admin.post(f"/admin/subjects/{teacher.id}/pilot", data={"pilot": "1"}).status_code == 404


def test_importing_a_college_through_the_pages_then_again_changes_nothing(login_as, session):
    admin = login_as("admin")
    previews = {}
    for kind in ("units", "staff", "majors", "courses", "classes", "students", "positions"):
        previews[kind], done = import_through_pages(admin, kind)
        assert "已导入" in done
    assert "共 11 行：新增 11，已有 0" in previews["units"]
    assert "汽车工程学院" in admin.get("/admin/units").get_data(as_text=True)
    assert "汽检2501班" in admin.get("/admin/classes").get_data(as_text=True)
    before = session.scalar(select(func.count()).select_from(User))
    _preview, done = import_through_pages(admin, "students")
    assert "新增 0，更新 0，未变 3" in done
    assert session.scalar(select(func.count()).select_from(User)) == before
    by_admin = select(AuditEntry).where(
        AuditEntry.action == "import.apply", AuditEntry.actor_id == user(session, "admin").id
    )
    assert len(session.scalars(by_admin).all()) == 8


def test_a_file_with_bad_rows_shows_them_and_cannot_be_confirmed(login_as, session):
    admin = login_as("admin")
    content = "工号,姓名,单位代码,人员类别,邮箱\nx1,甲,NOPE,教师,\nx1,乙,DZXY,讲师,\n".encode()
    response = upload(admin, "staff", content)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "未知单位“NOPE”" in page and "工号“x1”与第 2 行重复" in page and "未知人员类别“讲师”" in page
    assert 'data-testid="confirm"' not in page
    run_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert admin.post(f"/admin/imports/{run_id}/confirm").status_code == 400
    assert user(session, "x1") is None


def test_a_bad_file_is_refused_with_a_message(login_as, session):
    admin = login_as("admin")
    before = session.scalar(select(func.count()).select_from(ImportRun))
    for content, name, message in [
        (b"\x00\x01garbage" * 1000, "units.csv", "不是文本格式的 CSV"),
        ("名称\n甲\n".encode(), "units.csv", "缺少列：单位代码、单位名称、单位类型"),
        (b"%PDF", "units.pdf", "只能导入 Excel (.xlsx) 或 CSV"),
    ]:
        response = upload(admin, "units", content, name)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    response = upload(admin, "units", b"x" * (10 * 1024 * 1024 + 10), "big.csv")
    assert response.status_code in (400, 413) and ("文件超过 10 MB" in response.get_data(as_text=True)
                                                   or "上传内容过大" in response.get_data(as_text=True))  # fmt: skip
    assert session.scalar(select(func.count()).select_from(ImportRun)) == before


def test_a_gbk_file_is_read_and_the_preview_says_so(login_as):
    admin = login_as("admin")
    response = upload(admin, "units", (COLLEGE / "units.csv").read_text().encode("gbk"))
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "文件按 GBK 编码读取" in page and "院长办公室" in page


def test_a_full_roster_lists_who_will_be_deactivated_and_asks_first(login_as, session):
    admin = login_as("admin")
    for kind in ("units", "staff", "majors", "classes", "students"):
        import_through_pages(admin, kind)
    roster = (COLLEGE / "students.csv").read_text().replace("2025100003,丙三,ZJ2501,2025\n", "").encode()
    response = upload(admin, "students", roster, full=True)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "2025100003 丙三" in page and "s01" in page  # the demo school's students are missing too
    unconfirmed = admin.post(response.headers["Location"] + "/confirm")
    assert unconfirmed.status_code == 400 and user(session, "2025100003").active
    admin.post(response.headers["Location"] + "/confirm", data={"deactivate": "yes"})
    gone = user(session, "2025100003")
    session.refresh(gone)
    assert not gone.active


def test_templates_download_as_excel(login_as):
    admin = login_as("admin")
    page = admin.get("/admin/imports").get_data(as_text=True)
    for href in re.findall(r'href="(/admin/imports/template/[a-z]+\.xlsx)"', page):
        response = admin.get(href)
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(response.data))
        assert wb.worksheets[0].cell(1, 1).value.startswith("*")
    assert admin.get("/admin/imports/template/nothing.xlsx").status_code == 404


def test_discarding_a_preview_changes_nothing(login_as, session):
    admin = login_as("admin")
    response = upload(admin, "units", (COLLEGE / "units.csv").read_bytes())
    admin.post(response.headers["Location"] + "/discard")
    assert session.scalar(select(OrgUnit).where(OrgUnit.code == "JT00")) is None
    assert "这次导入已放弃" in admin.get(response.headers["Location"]).get_data(as_text=True)
