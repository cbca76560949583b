"""年度诊改 › 学校抽样复核: 质量管理处 draws the year's sample on the demo year, and anyone re-runs it."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from engine.cycle import sampling
from engine.models import AuditEntry, OrgUnit, SamplingDraw, User
from tests.conftest import BROKEN, NOW, login, page

GOOD = {"year": "2026", "size_unit": "1", "size_program": "2", "size_team": "0", "size_person": "4",
        "stratify": "1", "pilots": "1", "note": "第二次抽样"}  # fmt: skip


def sampled(html: str) -> list[int]:
    section = html.split('data-testid="shown-draw"', 1)[1]
    return [int(i) for i in re.findall(r'data-testid="sampled" data-subject="(\d+)"', section)]


def draws(session) -> int:
    return session.scalar(select(func.count()).select_from(SamplingDraw))


def test_rerunning_a_draw_with_its_recorded_seed_gives_the_same_list(demo_year_session):
    """Done when (issue 16): the service re-runs the draw from the stored seed and gets the same list."""
    s = demo_year_session
    zlc = s.scalar(select(User).where(User.username == "zlc_admin"))
    config = {"sizes": {"program": 3, "person": 5}, "stratify": True, "pilots": True}
    row = sampling.make_draw(s, zlc, 2026, config, NOW, seed="5eed", principals=["group:monitor@school"])
    assert len(row.subjects["person"]) == 5
    assert len(row.subjects["program"]) == 6  # the demo's six pilot majors and courses, all taken beyond the size
    assert sampling.verify(s, row).same
    assert sampling.draw(sampling.population(s, 2026), config, "5eed") == row.subjects
    drawn = AuditEntry.action == "sampling.draw", AuditEntry.object_id == str(row.id)
    audit = s.scalar(select(AuditEntry).where(*drawn))
    assert audit is not None and audit.after["seed"] == "5eed"
    row.subjects = {**row.subjects, "person": row.subjects["person"][1:]}  # a list that was tampered with
    assert not sampling.verify(s, row).same


def test_the_office_sees_the_demo_draw_and_verifies_it_from_the_progress_page(demo_year_app, demo_year_session):
    client = login(demo_year_app.test_client(), "zlc_admin")
    progress = page(client, "/cycle/progress?year=2026")
    url = re.search(r'href="([^"]+)" data-testid="sampling-link"', progress).group(1)
    html = page(client, url.replace("&amp;", "&"))
    demo = demo_year_session.scalars(select(SamplingDraw).where(SamplingDraw.year == 2026)).one()
    assert 'data-testid="seed">demo-2026<' in html and "周质量" in html
    assert sorted(sampled(html)) == sorted(i for ids in demo.subjects.values() for i in ids)
    assert 'data-testid="pilot"' in html  # the demo's pilot majors are always in the sample
    verified = page(client, f"/cycle/sampling/{demo.id}/verify")
    assert 'data-testid="verify-result">抽样结果可复现<' in verified
    # a stored list that no longer matches its seed is shown as such
    demo.subjects = {**demo.subjects, "person": demo.subjects["person"][1:]}
    demo_year_session.commit()
    assert 'data-testid="verify-result">不一致<' in page(client, f"/cycle/sampling/{demo.id}/verify")


def test_a_bad_draw_is_refused_and_a_good_one_becomes_the_years_sample(demo_year_app, demo_year_session):
    client = login(demo_year_app.test_client(), "zlc_admin")
    before = draws(demo_year_session)
    cases = [
        ({**GOOD, "size_person": "-3"}, 'data-testid="error-size_person">请填写 0 或正整数<'),
        ({**GOOD, "size_unit": "两个"}, 'data-testid="error-size_unit">请填写 0 或正整数<'),
        ({**GOOD, "size_unit": "0", "size_program": "", "size_person": "0"}, "请至少为一个层级填写抽样数量"),
        ({**GOOD, "note": "长" * 501}, "说明不能超过 500 字"),
        ({**GOOD, "year": "2030"}, "该年度尚未启动诊改周期"),
    ]
    for data, message in cases:
        response = client.post("/cycle/sampling/", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and message in html, message
        assert 'data-testid="form-error"' in html and not BROKEN.search(html)
    assert 'value="两个"' in client.post("/cycle/sampling/", data={**GOOD, "size_unit": "两个"}).get_data(as_text=True)
    assert draws(demo_year_session) == before
    response = client.post("/cycle/sampling/", data=GOOD, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "已完成抽样，种子值已记录" in html
    assert draws(demo_year_session) == before + 1
    latest = demo_year_session.scalars(select(SamplingDraw).order_by(SamplingDraw.id.desc())).first()
    assert re.search(rf'data-testid="seed">{latest.seed}<', html) and "第二次抽样" in html
    assert sorted(sampled(html)) == sorted(i for ids in latest.subjects.values() for i in ids)
    assert len(latest.subjects["person"]) == 4 and "team" not in latest.subjects
    # the earlier draw stays listed and can be opened and verified
    rows = re.findall(r'data-testid="draw-row" data-draw="(\d+)"', html)
    assert len(rows) == before + 1 and rows[0] == str(latest.id)
    earlier = page(client, f"/cycle/sampling/{rows[-1]}")
    assert "较早的抽样" in earlier and "demo-2026" in earlier
    assert "抽样结果可复现" in page(client, f"/cycle/sampling/{rows[-1]}/verify")


def test_only_monitors_and_the_quality_office_reach_sampling(demo_year_app, demo_year_session):
    demo = demo_year_session.scalars(select(SamplingDraw)).first()
    for who in ("t01", "dzxy_reviewer"):
        client = login(demo_year_app.test_client(), who)
        for url in ("/cycle/sampling/?year=2026", f"/cycle/sampling/{demo.id}", f"/cycle/sampling/{demo.id}/verify"):
            page(client, url, 404)
        assert client.post("/cycle/sampling/", data=GOOD).status_code == 404
    assert draws(demo_year_session) == 1
    admin = login(demo_year_app.test_client(), "zlc_admin")
    for url in ("/cycle/sampling/999999", "/cycle/sampling/abc/verify", "/cycle/sampling/99999999999"):
        page(admin, url, 404)
    # a staff member of the unit holding quality_office (质量管理处) may draw without being a monitor
    t02 = demo_year_session.scalar(select(User).where(User.username == "t02"))
    t02.org_unit_id = demo_year_session.scalar(select(OrgUnit.id).where(OrgUnit.code == "ZLC"))
    demo_year_session.commit()
    staff = login(demo_year_app.test_client(), "t02")
    assert "学校抽样复核" in page(staff, "/cycle/sampling/?year=2026")
    # and reaches it from the menu: 年度诊改 leads a non-monitor to the page they may use
    assert 'href="/cycle/sampling/">年度诊改</a>' in page(staff, "/tasks")
    assert "年度诊改</a>" not in page(login(demo_year_app.test_client(), "t01"), "/tasks")
