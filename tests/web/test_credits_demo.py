"""Quality credits in the demo year and where other pages read them: the hub's card per role, the counselor's
class standing with the graduating class's one student below 10 and its warning at 教务处, the 学分达标 /
学分达标率 items of the student documents, and the leaders' summary (`standing_by_unit`)."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.credits import figures, ledger, summary
from engine.models import Document, OrgUnit, QualityWarning, Subject
from tests.conftest import login, open_task, page, user


def client_of(app, username):
    return login(app.test_client(), username)


def test_the_hub_card_leads_each_role_to_its_pages(demo_year_app):
    student = client_of(demo_year_app, "s01")
    hub = page(student, "/quality/")
    assert 'data-testid="card-credits"' in hub and "我的学分：10 / 10" in hub
    mine = page(student, re.search(r'href="([^"]+)" data-testid="card-credits-mine"', hub).group(1))
    assert "已达标" in mine and "校园歌手大赛三等奖" in mine  # recognised entries and a pending claim
    counselor = page(client_of(demo_year_app, "c02"), "/quality/")
    assert 'data-testid="card-credits-classes"' in counselor and 'data-testid="card-credits-audit"' not in counselor
    xgb = page(client_of(demo_year_app, "xgb_reviewer"), "/quality/")
    for link in ("items", "audit", "graduation", "classes"):
        assert f'data-testid="card-credits-{link}"' in xgb
    assert 'data-testid="card-credits"' not in page(client_of(demo_year_app, "t01"), "/quality/")


def test_the_counselor_sees_the_graduating_class_with_one_student_below(demo_year_app, demo_year_session):
    c02 = client_of(demo_year_app, "c02")
    classes = page(c02, "/credits/classes")
    assert "软件技术2025级1班" in classes and "物联网应用技术2025级1班" not in classes  # c01's classes
    link = re.search(r'href="([^"]+)" data-testid="class-link">软件技术2025级1班', classes).group(1)
    standing = page(c02, link)
    assert standing.count('data-testid="standing-row"') == 10 and standing.count('data-testid="not-met"') == 1
    assert "9 / 10 名学生达到毕业标准" in standing
    s27 = user(demo_year_session, "s27")
    ledger_page = page(c02, f"/credits/students/{s27.id}")
    assert "2.5" in ledger_page and 'data-testid="deduct-form"' in ledger_page
    warnings = demo_year_session.scalars(select(QualityWarning).where(QualityWarning.type_key == "graduation")).all()
    assert [w.responsible_user_id for w in warnings] == [s27.id]
    assert page(client_of(demo_year_app, "jwc_staff"), f"/warnings/{warnings[0].id}").count(s27.display_name) >= 1


def test_student_affairs_audits_every_claim(demo_year_app):
    xgb = client_of(demo_year_app, "xgb_reviewer")
    audit = page(xgb, "/credits/audit")
    for state in ("待辅导员认定", "已退回，待修改", "不予认定", "认定已撤销", "已认定"):
        assert state in audit, state
    returned = page(xgb, "/credits/audit?status=returned")
    assert returned.count('data-testid="claim-row"') == 1
    claim = page(xgb, re.search(r'href="(/credits/claims/\d+)" data-testid="claim-link"', returned).group(1))
    assert "证书扫描件不清晰" in claim and "证明材料.pdf" in claim
    graduation = page(xgb, "/credits/graduation")
    assert graduation.count('data-testid="below-row"') == 1


def test_the_student_document_items_show_the_ledger_s_values(demo_year_app, demo_year_session):
    task = open_task(demo_year_session, "s01", kind="edit")  # s01's standard, 10 days late with a draft
    html = page(client_of(demo_year_app, "s01"), f"/tasks/{task.id}")
    assert "学分达标" in html and "学分账户：10 / 10 分" in html
    s27 = demo_year_session.scalar(select(Subject).where(Subject.user_id == user(demo_year_session, "s27").id))
    assert figures.for_subject(demo_year_session, s27) == {"kind": "student", "total": 2.5, "standard": 10.0,
                                                           "met": False}  # fmt: skip
    cultivation = demo_year_session.scalar(
        select(Subject).where(Subject.type == "student_cultivation", Subject.name.startswith("软件技术"))
    )
    assert figures.for_subject(demo_year_session, cultivation) == {"kind": "rate", "students": 10, "met": 9,
                                                                   "rate": 0.9, "standard": 10.0}  # fmt: skip
    standard = demo_year_session.scalar(
        select(Document).where(Document.subject_id == cultivation.id, Document.doc_type == "standard")
    )
    html = page(client_of(demo_year_app, "c02"), f"/documents/{standard.id}")  # the counselors write it
    assert "学分达标率：90.0%（9 / 10 人）" in html


def test_standing_by_unit_for_the_leaders_view(demo_year_session):
    out = summary.standing_by_unit(demo_year_session, 2026)
    names = dict(demo_year_session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(out))).all())
    by_name = {names[k]: v for k, v in out.items()}
    software = by_name["软件与信息技术学院"]
    assert software["students"] == 20 and software["met"] == 9 and software["graduating_below"] == 1
    assert software["rate"] == 0.45
    electronics = by_name["电子与物联网学院"]
    assert electronics["students"] == 20 and electronics["met"] == 1 and electronics["graduating_below"] == 0
    assert summary.standing_by_unit(demo_year_session, 2024) == {}  # no class had started
    s33 = user(demo_year_session, "s33").id  # 2 + 0.5 + 2 recognised, the 2 of a competition reversed
    assert ledger.totals(demo_year_session, [s33]) == {s33: 2.5}
