"""One 毕业生毕业时没有达到基本标准 warning per student and year: a graduating student short on academic credits (the
graduation feed's table-39 rule) and on quality credits (the ledger's check) gets one warning naming both, in
either order; a rerun of either check adds nothing; the warning's page names every criterion."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from engine import feeds, org
from engine.credits import graduation
from engine.models import CreditGraduation, FeedDefinition, FeedRecord, QualityWarning
from engine.warnings import rules, service
from tests.conftest import NOW, page, user

DAY = (NOW.date() - timedelta(days=5)).isoformat()


def _short_on_academic_credits(session, username: str) -> None:
    """The graduation feed: the student graduated without a 职业资格证书 (BS18 asks for one)."""
    session.execute(delete(FeedRecord))  # known records only (rolled back with the test)
    feed = session.scalar(select(FeedDefinition).where(FeedDefinition.key == "graduation"))
    record = {"record_key": f"{username}-grad", "source": username, "occurred_on": DAY,
              "values": {"credits": 150, "certificates": 0}}  # fmt: skip
    assert feeds.ingest(session, feed, [record], "api", NOW)["created"] == 1


def _graduating(session, username: str) -> None:
    """The student's class graduates in 2026 and nobody in it has quality credits."""
    session.add(CreditGraduation(class_id=user(session, username).class_id, year=2026, updated_at=NOW))
    session.flush()


def _warnings_of(session, username: str) -> list[QualityWarning]:
    return session.scalars(
        select(QualityWarning).where(
            QualityWarning.type_key == "graduation", QualityWarning.responsible_user_id == user(session, username).id
        )
    ).all()


def test_the_feed_rule_first_then_the_credit_check_adds_its_criterion(session, login_as):
    _short_on_academic_credits(session, "s31")
    rules.evaluate(session, NOW)
    (w,) = _warnings_of(session, "s31")
    assert w.rule_key.startswith("t39:graduation:") and "综合素质学分" not in w.description
    _graduating(session, "s31")
    raised = graduation.check(session, 2026, NOW)
    assert len(raised) == 9 and w not in raised  # the class's nine others; s31's warning gains the criterion
    assert _warnings_of(session, "s31") == [w]
    assert "职业资格证书" in w.description and "综合素质学分：0 分（毕业标准：10 分）" in w.description
    notes = len(w.notes)
    assert graduation.check(session, 2026, NOW + timedelta(hours=1)) == []  # reruns add nothing
    rules.evaluate(session, NOW + timedelta(hours=1))
    assert _warnings_of(session, "s31") == [w] and len(w.notes) == notes

    html = page(login_as("jwc_staff"), f"/warnings/{w.id}")
    assert "职业资格证书" in html and "综合素质学分：0 分" in html and "新增未达标项" in html


def test_the_credit_check_first_then_the_feed_rule_adds_its_criterion_and_raises_it_again(session):
    _graduating(session, "s31")
    graduation.check(session, 2026, NOW)
    (w,) = _warnings_of(session, "s31")
    assert w.rule_key == graduation.rule_key(user(session, "s31").id, 2026)
    jwc = user(session, "jwc_staff")
    service.resolve(
        session, jwc, org.principals_of(session, jwc.id), w.id, "已补修学分", NOW
    )  # resolved before the feed arrives
    _short_on_academic_credits(session, "s31")
    later = NOW + timedelta(hours=2)
    assert rules.evaluate(session, later).get("raised", 0) == 0
    assert _warnings_of(session, "s31") == [w]
    assert w.status == "raised" and "职业资格证书" in w.description and "综合素质学分" in w.description
    assert sorted(w.details["criteria"]) == ["academic", "credits"]
    notes = len(w.notes)
    rules.evaluate(session, later + timedelta(hours=1))
    assert graduation.check(session, 2026, later) == []
    assert _warnings_of(session, "s31") == [w] and len(w.notes) == notes
