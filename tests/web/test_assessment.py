"""发展性考核 through the pages: 人力资源处 opens a campaign from the hub, a scorer scores from 我的评分, the campaign
is closed and published, the unit reads how its score was made up; who may not see a page gets 404; bad input is
refused at the field and changes nothing."""

from __future__ import annotations

import re
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from engine.assessment import scoring
from engine.models import AssessmentAssignment, AssessmentCampaign, AssessmentTarget, OrgUnit, User
from tests.conftest import NOW, login, page

OPEN = {"year": "2026", "due": "2026-12-31", "kinds": ["functional", "college"]}


def _open(client) -> str:
    hub = page(client, "/quality/")
    assert 'data-testid="card-assessment"' in hub
    index = page(client, re.search(r'href="([^"]+)" data-testid="card-assessment-index"', hub).group(1))
    assert 'data-testid="open-form"' in index and "职能部门/二级学院年度发展性考核" in index
    response = client.post("/assessment/campaigns", data=OPEN)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def _assignment(session, username: str, unit_code: str | None = None) -> AssessmentAssignment:
    uid = session.scalar(select(User.id).where(User.username == username))
    stmt = select(AssessmentAssignment).where(AssessmentAssignment.scorer_id == uid)
    if unit_code:
        stmt = stmt.join(AssessmentTarget, AssessmentTarget.id == AssessmentAssignment.target_id).join(
            OrgUnit, OrgUnit.id == AssessmentTarget.org_unit_id).where(OrgUnit.code == unit_code)  # fmt: skip
    return session.scalars(stmt.order_by(AssessmentAssignment.id)).first()


def _submit_all(client, session, a: AssessmentAssignment, share: float = 0.8) -> None:
    html = page(client, f"/assessment/assignments/{a.id}")
    keys = re.findall(r'name="(points-[a-z]+)"', html)
    maxima = [float(m) for m in re.findall(r"得分（0 - ([0-9.]+)）", html)]
    data = {k: str(round(m * share, 1)) for k, m in zip(keys, maxima, strict=True)} | {"action": "submit"}
    assert client.post(f"/assessment/assignments/{a.id}", data=data).status_code == 302


def test_a_campaign_through_the_pages(login_as, session):
    hr, leader, head = login_as("rsc_reviewer"), login_as("xiaozhang"), login_as("jwc_reviewer")
    campaign_url = _open(hr)
    html = page(hr, campaign_url)
    assert "评分中" in html and 'data-testid="progress"' in html and "教务处" in html
    # the school leader is told, finds the scoring on the hub card, opens it from 我的评分, scores 教务处
    assert "个单位待您评分" in page(leader, "/notifications")
    hub = page(leader, "/quality/")
    mine = page(leader, re.search(r'href="([^"]+)" data-testid="card-assessment-mine"', hub).group(1))
    a = _assignment(session, "xiaozhang", "JWC")
    assert f"/assessment/assignments/{a.id}" in mine
    sheet = page(leader, f"/assessment/assignments/{a.id}")
    assert "常规工作计划" in sheet and "诊改计划的可行性" in sheet and "任务完成情况、质量达成情况" in sheet
    _submit_all(leader, session, a, 1.0)
    final = page(leader, f"/assessment/assignments/{a.id}")
    assert 'data-testid="sheet-final"' in final and 'data-testid="submit-sheet"' not in final
    # unpublished: the unit's own people do not see the result yet
    target = session.get(AssessmentTarget, a.target_id)
    assert head.get(f"/assessment/results/{target.id}").status_code == 404
    # 结束评分 then 公布结果
    campaign_id = int(campaign_url.rsplit("/", 1)[1])
    assert hr.post(f"/assessment/campaigns/{campaign_id}/advance").status_code == 302
    html = page(hr, campaign_url)
    assert "审核中" in html and 'data-testid="export"' in html
    assert hr.post(f"/assessment/targets/{target.id}/reasons",
                   data={"veto_reason": "", "outstanding_reason": "省级奖励"}).status_code == 302  # fmt: skip
    assert hr.post(f"/assessment/campaigns/{campaign_id}/advance").status_code == 302
    assert session.get(AssessmentCampaign, campaign_id).status == "published"
    assert "发展性考核结果已公布" in page(head, "/notifications")  # 教务处's reviewer is told
    # the unit sees its result and how it was made up: group means, never who gave what
    index = page(head, "/assessment/")
    result_url = f"/assessment/results/{target.id}"
    assert result_url in index
    result = page(head, result_url)
    assert (
        "优秀" in result and "突出贡献" in result and "学校领导：" in result and "校长" not in result.split("<main")[-1]
    )
    workbook = load_workbook(BytesIO(hr.get(f"/assessment/campaigns/{campaign_id}/export.xlsx").data))
    rows = list(workbook.active.values)
    assert rows[1][:4] == ("名次", "考核对象", "所在单位", "类别")
    assert any(r[1] == "教务处" and r[-3] == "优秀" for r in rows[2:])


def test_a_scorer_sees_only_their_own_assignments(login_as, session):
    _open(login_as("rsc_reviewer"))
    mine = _assignment(session, "xiaozhang")
    other = login_as("fxz_jiang")
    assert other.get(f"/assessment/assignments/{mine.id}").status_code == 404
    assert other.post(f"/assessment/assignments/{mine.id}", data={"action": "submit"}).status_code == 404
    assert f'href="/assessment/assignments/{mine.id}"' not in page(other, "/assessment/mine")
    assert login_as("t01").get("/assessment/campaigns/1").status_code == 404  # not an organiser


def test_invalid_points_are_refused_at_the_field_and_nothing_is_saved(login_as, session):
    _open(login_as("rsc_reviewer"))
    leader = login_as("xiaozhang")
    a = _assignment(session, "xiaozhang", "JWC")
    response = leader.post(f"/assessment/assignments/{a.id}", data={
        "points-routine": "61", "points-project": "abc", "comment": "好", "action": "save"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'data-testid="points-routine-error"' in html and "须在 0 到 60 之间" in html
    assert 'data-testid="points-project-error"' in html and "请填写数字" in html
    assert 'value="61"' in html  # what was typed is kept
    session.refresh(a)
    assert a.status == "open" and a.scores == {}
    response = leader.post(f"/assessment/assignments/{a.id}", data={"points-routine": "50", "action": "submit"})
    assert response.status_code == 400 and "请填写分值" in response.get_data(as_text=True)
    session.refresh(a)
    assert a.status == "open"


def test_bad_campaign_and_settings_input_get_messages(login_as, session):
    hr = login_as("rsc_reviewer")
    response = hr.post("/assessment/campaigns", data={"year": "", "due": "2020-01-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "评分截止日期不能早于今天" in html and "请至少选择一类考核对象" in html
    assert session.scalar(select(AssessmentCampaign.id)) is None
    url = _open(hr)
    campaign_id = int(url.rsplit("/", 1)[1])
    response = hr.post(f"/assessment/campaigns/{campaign_id}/settings", data={
        "threshold-excellent": "70", "threshold-good": "80", "threshold-pass": "60", "quota_mode": "share",
        "quota_value": "0.3", "agreement_share": "0.2"})  # fmt: skip
    assert response.status_code == 400 and "优秀 ≥ 良好 ≥ 合格" in response.get_data(as_text=True)
    assert session.get(AssessmentCampaign, campaign_id).settings["thresholds"]["excellent"] == 90.0


def test_the_indicator_system_shows_table_40_and_hr_edits_it(login_as, session):
    hr, teacher = login_as("rsc_reviewer"), login_as("t01")
    index = page(hr, "/assessment/")
    url = re.search(r'href="(/assessment/systems/\d+)">职能部门/二级学院年度发展性考核', index).group(1)
    html = page(teacher, url)
    assert (
        "项目计划的的创新与特色" in html
        and "考核结果实行一票否决制" in html
        and 'data-testid="edit-routine"' not in html
    )
    assert 'data-testid="edit-routine"' in page(hr, url)
    refused = hr.post(f"{url}/items/routine", data={"max": "0", "connotation": ""})
    assert refused.status_code == 400 and "请填写内涵" in refused.get_data(as_text=True)
    assert teacher.post(f"{url}/items/routine", data={"max": "50"}).status_code == 404
    data = {
        "max": "55",
        "connotation": "常规工作",
        "observation-functional": "甲",
        "observation-college": "乙",
        "scorers-functional": ["leaders"],
        "scorers-college": ["leaders", "students"],
    }
    assert hr.post(f"{url}/items/routine", data=data).status_code == 302
    assert "满分 55" in page(hr, url) or "55 分" in page(hr, url)


def test_the_demo_year_has_a_published_and_an_open_campaign(demo_year_app):
    leader = login(demo_year_app.test_client(), "xiaozhang")
    assert "项待评分" in page(leader, "/quality/")
    head = login(demo_year_app.test_client(), "dzxy_reviewer")
    mine = page(head, "/assessment/mine")
    assert "待评分" in mine
    hr = login(demo_year_app.test_client(), "rsc_reviewer")
    index = page(hr, "/assessment/")
    assert "已公布" in index and "评分中" in index
    last = re.search(r'href="(/assessment/campaigns/\d+)">\d+年度职能部门[^<]*</a></td>\s*<td>已公布', index).group(1)
    html = page(hr, last)
    assert "一票否决" in html and "突出贡献" in html and "不合格" in html and "优秀" in html
    # the 2018 extension: this year's 专业/课程 campaign is scored by a student, an expert teacher and 教务处
    assert "2026年度专业、课程发展性考核" in index and "2025年度教师、辅导员发展性考核" in index
    for username in ("s01", "t01", "jwc_reviewer"):
        mine = page(login(demo_year_app.test_client(), username), "/assessment/mine")
        assert "2026年度专业、课程发展性考核" in mine and "待评分" in mine, username
    # last year's were published: a major's leader reads the major's and their own result, a teacher their own
    t01 = login(demo_year_app.test_client(), "t01")
    own = page(t01, "/assessment/")
    assert "物联网应用技术" in own and "张伟" in own
    major = re.search(r"2025年度专业、课程发展性考核</td>\s*<td[^>]*>物联网应用技术.*?href=\"(/assessment/results/\d+)",
                      own, re.S)  # fmt: skip
    result = page(t01, major.group(1))
    assert 'data-testid="target-kind"' in result and "专业 · 电子与物联网学院" in result
    assert "学校领导：" in result and "教务处：" in result and "学生：" in result  # how it was made up, by group
    t02 = login(demo_year_app.test_client(), "t02")
    mine = re.search(r'<td[^>]*>王芳.*?href="(/assessment/results/\d+)"', page(t02, "/assessment/"), re.S).group(1)
    assert "考核结果：王芳" in page(t02, mine)
    assert login(demo_year_app.test_client(), "t03").get(mine).status_code == 404  # another teacher's
    assert login(demo_year_app.test_client(), "s01").get(major.group(1)).status_code == 404
    jwc = page(login(demo_year_app.test_client(), "jwc_reviewer"), "/assessment/")
    listed = jwc.split('data-testid="campaigns"')[1].split("</table>")[0]  # 教务处 co-organises the extension's
    assert "2025年度专业、课程发展性考核" in listed and "2025年度教师、辅导员发展性考核" in listed
    assert "职能部门、二级学院发展性考核" not in listed


def test_the_organiser_s_inbox_task_leads_to_the_campaign(login_as, session):
    hr = login_as("rsc_reviewer")
    campaign_url = _open(hr)
    inbox = page(hr, "/tasks")
    task_url = re.search(r'href="(/tasks/\d+)"[^>]*>[^<]*收集评分', inbox)
    assert task_url, "the 收集评分 task is in 人力资源处's inbox"
    task_page = page(hr, task_url.group(1))
    assert 'data-testid="assessment-task"' in task_page and f'href="{campaign_url}"' in task_page


def test_hr_opens_a_counselor_campaign_and_the_last_score_in_closes_the_scoring(login_as, session):
    hr = login_as("rsc_reviewer")
    index = page(hr, "/assessment/")
    assert 'data-testid="open-form-program"' in index and 'data-testid="open-form-staff"' in index
    refused = hr.post("/assessment/campaigns", data={"system": "staff", "year": "2026", "due": "2026-12-31"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    staff_form = html.split('data-testid="open-form-staff"')[1].split("</form>")[0]
    assert 'data-testid="kinds-error"' in staff_form and "请至少选择一类考核对象" in staff_form  # at its own form
    assert session.scalar(select(AssessmentCampaign.id)) is None
    opened = hr.post("/assessment/campaigns", data={"system": "staff", "year": "2026", "due": "2026-12-31",
                                                     "kinds": ["counselor"]})  # fmt: skip
    assert opened.status_code == 302
    campaign_url = opened.headers["Location"]
    html = page(hr, campaign_url)
    assert "2026年度辅导员发展性考核" in html and "郑辅导" in html and "冯辅导" in html and "评分中" in html
    campaign_id = int(campaign_url.rsplit("/", 1)[1])
    rows = session.scalars(select(AssessmentAssignment).where(AssessmentAssignment.campaign_id == campaign_id)
                           .order_by(AssessmentAssignment.id)).all()  # fmt: skip
    *first, last = rows
    for a in first:  # everybody but the last scorer, through the engine (the page is tested above)
        scorer = session.get(User, a.scorer_id)
        maxima = scoring.sheet(session, scorer, a.id).maxima
        scoring.save(session, scorer, a.id, {f"points-{k}": str(m * 0.8) for k, m in maxima.items()}, True, NOW)
    assert session.get(AssessmentCampaign, campaign_id).status == "scoring"
    scorer = login_as(session.get(User, last.scorer_id).username)
    assert f"/assessment/assignments/{last.id}" in page(scorer, "/assessment/mine")
    _submit_all(scorer, session, last)
    html = page(hr, campaign_url)  # the last score in closed the scoring: computed, waiting for the review
    assert "审核中" in html and 'data-testid="grade-' in html and 'data-testid="export"' in html
    assert "评分已全部提交" in page(hr, "/notifications")
