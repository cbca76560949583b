"""Student quality credits (综合素质学分) as people use them: a student claims, the class's counselor recognises,
returns or rejects through the task page, the ledger changes; 减分 and reversals; who sees which ledger (404 for
others); the catalogue's validation; the graduation check raising table 39's warning exactly once."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from engine.credits import graduation
from engine.models import (
    AuditEntry,
    CreditClaim,
    CreditEntry,
    CreditGraduation,
    CreditItem,
    HumanTask,
    Notification,
    QualityWarning,
)
from tests.conftest import NOW, page, user

TODAY = "2026-11-20"


def item(session, code) -> CreditItem:
    return session.scalar(select(CreditItem).where(CreditItem.code == code))


def claim_as(client, session, for_user, code, description="参加校运会志愿服务", **extra):
    data = {"item": item(session, code).id, "student": user(session, for_user).id, "occurred_on": TODAY,
            "description": description, **extra}  # fmt: skip
    return client.post("/credits/claim", data=data)


def open_step(session, claim_id) -> HumanTask:
    c = session.get(CreditClaim, claim_id)
    return session.scalar(select(HumanTask).where(HumanTask.instance_id == c.instance_id, HumanTask.state == "open"))


def last_claim(session) -> CreditClaim:
    return session.scalar(select(CreditClaim).order_by(CreditClaim.id.desc()))


def status(session, claim_id) -> str:
    return session.scalar(select(CreditClaim.status).where(CreditClaim.id == claim_id))


def total_shown(html) -> str:
    return re.search(r'data-testid="credit-total">([^<]+)<', html).group(1)


def test_a_claim_walked_through_the_chain_changes_the_ledger(login_as, session):
    s01, c01 = login_as("s01"), login_as("c01")
    assert total_shown(page(s01, "/credits/")) == "0"
    form = page(s01, "/credits/claim")
    assert "参加校级文体活动" in form and "违纪" not in form  # 加分 items only: 减分 is never claimed
    response = claim_as(s01, session, "s01", "C01")
    assert response.status_code == 302
    claim = last_claim(session)
    html = page(s01, response.headers["Location"])
    assert "待辅导员认定" in html and "参加校运会志愿服务" in html
    step = open_step(session, claim.id)
    assert step.kind == "credit"
    task_page = page(c01, f"/tasks/{step.id}")
    assert 'data-testid="credit-form"' in task_page and "参加校运会志愿服务" in task_page
    done = c01.post(f"/tasks/{step.id}", data={"decision": "recognise", "comment": ""})
    assert done.status_code == 302
    assert "已认定" in page(s01, f"/credits/claims/{claim.id}")
    mine = page(s01, "/credits/")
    assert total_shown(mine) == "0.5" and "未达标，还差 9.5 分" in mine
    entry = session.scalar(select(CreditEntry).where(CreditEntry.claim_id == claim.id))
    assert entry.points == 0.5 and entry.recorded_by_id == user(session, "c01").id
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user(session, "s01").id, Notification.title.contains("已认定")))  # fmt: skip


def test_return_needs_a_reason_then_the_student_resubmits_and_the_counselor_rejects(login_as, session):
    s01, c01 = login_as("s01"), login_as("c01")
    claim_as(s01, session, "s01", "Z01", "取得证书", evidence=(open_pdf(), "zs.pdf"))
    claim = last_claim(session)
    step = open_step(session, claim.id)
    refused = c01.post(f"/tasks/{step.id}", data={"decision": "return", "comment": ""})
    assert refused.status_code == 400 and "退回时请说明需要修改什么" in refused.get_data(as_text=True)
    assert open_step(session, claim.id).id == step.id and status(session, claim.id) == "pending"
    c01.post(f"/tasks/{step.id}", data={"decision": "return", "comment": "请注明证书编号"})
    assert status(session, claim.id) == "returned"
    revise = open_step(session, claim.id)
    assert revise.bpmn_id == "student_revise"
    assert "请注明证书编号" in page(s01, f"/credits/claims/{claim.id}")
    s01.post(f"/tasks/{revise.id}", data={"decision": "resubmit", "comment": "证书编号 2026-001"})
    review = open_step(session, claim.id)
    description = session.scalar(select(CreditClaim.description).where(CreditClaim.id == claim.id))
    assert review.bpmn_id == "counselor_review" and "证书编号 2026-001" in description
    c01.post(f"/tasks/{review.id}", data={"decision": "reject", "comment": "证书不在认定范围内"})
    assert status(session, claim.id) == "rejected" and open_step(session, claim.id) is None
    assert total_shown(page(s01, "/credits/")) == "0"
    assert page(s01, f"/credits/claims/{claim.id}/evidence").startswith("%PDF")


def open_pdf():
    from io import BytesIO

    return BytesIO(b"%PDF-1.4\n%%EOF\n")


def test_a_counselor_of_another_class_cannot_recognise(login_as, session):
    s01, c02 = login_as("s01"), login_as("c02")
    claim_as(s01, session, "s01", "C01")
    claim = last_claim(session)
    step = open_step(session, claim.id)
    page(c02, f"/tasks/{step.id}", 404)
    assert c02.post(f"/tasks/{step.id}", data={"decision": "recognise"}).status_code == 404
    page(c02, f"/credits/claims/{claim.id}", 404)
    assert status(session, claim.id) == "pending"


def test_a_classmate_claims_for_a_student_who_is_told(login_as, session):
    s02, s01 = login_as("s02"), login_as("s01")
    assert claim_as(s02, session, "s01", "C01", "代同学申请").status_code == 302
    claim = last_claim(session)
    assert claim.student_id == user(session, "s01").id and claim.claimant_id == user(session, "s02").id
    assert "代同学申请" in page(s01, "/credits/")
    assert session.scalar(select(Notification.title).where(Notification.user_id == claim.student_id,
                                                            Notification.title.contains("为你申请")))  # fmt: skip
    other_class = login_as("s11")
    page(other_class, f"/credits/claims/{claim.id}", 404)
    refused = claim_as(other_class, session, "s01", "C01")
    assert refused.status_code == 400 and "只能为本班同学申请" in refused.get_data(as_text=True)


def test_bad_claims_change_nothing_and_say_why_at_the_field(login_as, session):
    s01 = login_as("s01")
    before = session.scalar(select(func.count()).select_from(CreditClaim))
    no_evidence = claim_as(s01, session, "s01", "Z01")
    assert no_evidence.status_code == 400 and "该项目需要上传佐证材料" in no_evidence.get_data(as_text=True)
    future = claim_as(s01, session, "s01", "C01", occurred_on="2099-01-01")
    assert "日期不能晚于今天" in future.get_data(as_text=True)
    deduct_item = s01.post("/credits/claim", data={"item": item(session, "D01").id, "student": user(session, "s01").id,
                                                    "occurred_on": TODAY, "description": "x"})  # fmt: skip
    assert "请选择认定项目" in deduct_item.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(CreditClaim)) == before
    page(login_as("t01"), "/credits/claim", 404)


def test_a_student_sees_only_their_own_ledger(login_as, session):
    s01_id = user(session, "s01").id
    page(login_as("s02"), f"/credits/students/{s01_id}", 404)
    page(login_as("c02"), f"/credits/students/{s01_id}", 404)
    page(login_as("t01"), f"/credits/students/{s01_id}", 404)
    assert "钱浩一" in page(login_as("c01"), f"/credits/students/{s01_id}")
    assert "钱浩一" in page(login_as("xgb_reviewer"), f"/credits/students/{s01_id}")
    page(login_as("s02"), "/credits/classes", 404)
    page(login_as("s02"), "/credits/audit", 404)


def test_a_counselor_records_a_deduction_and_student_affairs_reverses_it(login_as, session):
    c01, xgb, s01_id = login_as("c01"), login_as("xgb_reviewer"), user(session, "s01").id
    d01 = item(session, "D01").id
    bad = c01.post(f"/credits/students/{s01_id}/deduct", data={"item": d01, "occurred_on": TODAY, "reason": ""})
    assert bad.status_code == 400 and "请填写减分事由" in bad.get_data(as_text=True)
    other = login_as("c02").post(f"/credits/students/{s01_id}/deduct", data={"item": d01, "occurred_on": TODAY,
                                                                             "reason": "x"})  # fmt: skip
    assert other.status_code == 404
    c01.post(f"/credits/students/{s01_id}/deduct", data={"item": d01, "occurred_on": TODAY, "reason": "通报批评"})
    assert total_shown(page(login_as("s01"), "/credits/")) == "-1"
    entry = session.scalar(select(CreditEntry).where(CreditEntry.student_id == s01_id))
    assert c01.post(f"/credits/entries/{entry.id}/reverse", data={"reason": "x"}).status_code == 404
    no_reason = xgb.post(f"/credits/entries/{entry.id}/reverse", data={"reason": ""})
    assert no_reason.status_code == 400 and "请填写撤销认定的理由" in no_reason.get_data(as_text=True)
    assert xgb.post(f"/credits/entries/{entry.id}/reverse", data={"reason": "处分已撤销"}).status_code == 302
    assert total_shown(page(login_as("s01"), "/credits/")) == "0"
    rows = session.scalars(select(CreditEntry).where(CreditEntry.student_id == s01_id).order_by(CreditEntry.id)).all()
    assert [r.points for r in rows] == [-1.0, 1.0] and rows[1].reverses_id == rows[0].id  # reversed, not deleted
    assert xgb.post(f"/credits/entries/{entry.id}/reverse", data={"reason": "again"}).status_code == 409


def test_the_catalogue_is_edited_with_validation_and_audited(login_as, session):
    xgb = login_as("xgb_reviewer")
    items_page = page(xgb, "/credits/items")
    assert "省级及以上职业技能大赛获奖" in items_page and "严重警告及以上处分" in items_page
    k01 = item(session, "K01")
    page(xgb, f"/credits/items/{k01.id}")
    base = {"code": "K01", "title": k01.title, "category": "competition", "direction": "add", "points": "5",
            "evidence_required": "on", "evidence_note": "获奖证书", "active": "on"}  # fmt: skip
    for change, message in [
        ({"points": "abc"}, "分值请填写数字，最多一位小数"),
        ({"points": "0"}, "分值必须大于 0、不超过 20"),
        ({"code": "K02"}, "编号已被其他项目使用"),
        ({"title": ""}, "请填写项目名称"),
        ({"evidence_note": ""}, "需要佐证材料时请说明需要什么材料"),
        ({"category": "x"}, "请选择类别"),
    ]:
        refused = xgb.post(f"/credits/items/{k01.id}", data={**base, **change})
        assert refused.status_code == 400 and message in refused.get_data(as_text=True), change
    session.refresh(k01)
    assert k01.points == 4.0
    assert xgb.post(f"/credits/items/{k01.id}", data=base).status_code == 302
    session.refresh(k01)
    assert k01.points == 5.0
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "credit_item.save"))
    assert audit.before["points"] == 4.0 and audit.after["points"] == 5.0
    added = xgb.post("/credits/items/new", data={**base, "code": "S01", "title": "担任学生社团负责人", "points": "1.5"})
    assert added.status_code == 302 and item(session, "S01").points == 1.5
    teacher = login_as("t01")
    assert "省级及以上职业技能大赛获奖" in page(teacher, "/credits/items")  # everybody reads the standard
    page(teacher, f"/credits/items/{k01.id}", 404)
    assert teacher.post(f"/credits/items/{k01.id}", data=base).status_code == 404


def _book(session, username, points):
    """Ledger entries written straight away (what recognised claims leave behind)."""
    session.add(CreditEntry(student_id=user(session, username).id, item_id=item(session, "K01").id, title="技能大赛",
                            category="competition", points=points, occurred_on=NOW.date(), booked_on=NOW.date(),
                            recorded_at=NOW, note=""))  # fmt: skip
    session.flush()


def test_a_graduating_class_with_one_student_below_raises_exactly_one_warning(login_as, session, app):
    xgb, jwc = login_as("xgb_reviewer"), login_as("jwc_staff")
    klass = user(session, "s21").class_id
    for n in range(21, 31):
        _book(session, f"s{n}", 10.0 if n != 27 else 6.5)
    bad_year = xgb.post(f"/credits/graduation/classes/{klass}", data={"year": "abc", "view_year": "2026"})
    assert bad_year.status_code == 400 and "请填写正确的毕业年份" in bad_year.get_data(as_text=True)
    assert xgb.post(f"/credits/graduation/classes/{klass}", data={"year": "2026"}).status_code == 302
    html = page(jwc, "/credits/graduation?year=2026")
    assert "华欣雨" in html and "6.5 / 10" in html and html.count('data-testid="below-row"') == 1
    assert jwc.post("/credits/graduation/check", data={"year": "2026"}).status_code == 302
    raised = session.scalars(select(QualityWarning).where(QualityWarning.type_key == "graduation")).all()
    assert len(raised) == 1
    w = raised[0]
    assert w.org_unit.name == "教务处" and "华欣雨" in w.title
    assert w.rule_key == f"credits:graduation:{user(session, 's27').id}:2026"
    assert w.object_type == "subject"
    assert jwc.post("/credits/graduation/check", data={"year": "2026"}).status_code == 302  # rerun: nothing new
    assert graduation.tick(session, NOW) == 0  # nor the scheduler's
    count = select(func.count()).select_from(QualityWarning).where(QualityWarning.type_key == "graduation")
    assert session.scalar(count) == 1
    page(login_as("t01"), "/credits/graduation", 404)
    assert login_as("c01").post("/credits/graduation/check", data={"year": "2026"}).status_code == 404


def test_the_tick_checks_this_year_s_graduating_classes_from_the_check_month(session):
    klass = user(session, "s31").class_id
    session.add(CreditGraduation(class_id=klass, year=2026, updated_at=NOW))
    session.flush()
    assert graduation.tick(session, datetime(2026, 3, 1, tzinfo=UTC)) == 0  # before May: not yet
    assert graduation.tick(session, NOW) == 10  # nobody in 大数据技术2025级1班 has any credits here
    assert graduation.tick(session, NOW) == 0
