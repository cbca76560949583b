"""Data feeds of table 37: the three ways in (push API over HTTP with a feed token, upload with a preview, the
entry form) each reach the right 信息源 and are shown to it and nobody else; a re-sent batch changes nothing; a
malformed batch is refused whole with per-record errors; the lead department edits its feed's definition."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from engine import feeds
from engine.models import FeedDefinition, FeedRecord
from tests.conftest import NOW, page

DAY = (NOW.date() - timedelta(days=2)).isoformat()
URL = "/api/v1/feeds/teacher_attendance/records"


def _count(session, key: str) -> int:
    return session.scalar(select(func.count()).select_from(FeedRecord).where(FeedRecord.feed_key == key))


def _token(client, feed_key: str = "teacher_attendance") -> str:
    response = client.post(f"/feeds/{feed_key}/tokens", data={"label": "考勤系统"})
    assert response.status_code == 200
    found = re.search(r"feed_[A-Za-z0-9_-]{20,}", response.get_data(as_text=True))
    assert found
    return found.group(0)


def _push(client, token: str, records, url: str = URL):
    return client.post(url, json={"records": records}, headers={"Authorization": f"Bearer {token}"})


def test_pushed_record_reaches_the_teacher_and_no_one_else(app, session, login_as):
    token = _token(login_as("jwc_staff"))
    # the page shows the token once: opened again, only its first characters remain
    assert token not in page(login_as("jwc_staff"), "/feeds/teacher_attendance")
    api = app.test_client()
    record = {"record_key": "KQ-T05-X", "source": "t05", "occurred_on": DAY, "values": {"rate": 87.5}}
    response = _push(api, token, [record])
    assert response.status_code == 200, response.get_json()
    assert response.get_json() | {"batch_id": ""} == {
        "batch_id": "", "created": 1, "updated": 0, "unchanged": 0, "message": "已接收"}  # fmt: skip
    assert "87.5" in page(login_as("t05"), "/feeds/")
    assert "87.5" not in page(login_as("t04"), "/feeds/")
    assert "87.5" in page(login_as("jwc_staff"), "/feeds/teacher_attendance")
    page(login_as("t05"), "/feeds/teacher_attendance", 404)
    page(login_as("rsc_reviewer"), "/feeds/teacher_attendance", 404)
    # re-sent: nothing changes, and the answer says so; the same key with other values is an update
    before = _count(session, "teacher_attendance")
    again = _push(api, token, [record]).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert "没有变化" in again["message"] and _count(session, "teacher_attendance") == before
    changed = _push(api, token, [{**record, "values": {"rate": 91}}]).get_json()
    assert (changed["created"], changed["updated"]) == (0, 1) and _count(session, "teacher_attendance") == before
    assert "91" in page(login_as("t05"), "/feeds/") and "87.5" not in page(login_as("t05"), "/feeds/")


def test_a_token_pushes_to_its_own_feed_only_and_not_once_revoked(app, session, login_as):
    staff = login_as("jwc_staff")
    token = _token(staff)
    api = app.test_client()
    record = {"record_key": "R1", "source": "t01", "occurred_on": DAY, "values": {"hours": 4}}
    assert _push(api, token, [record], "/api/v1/feeds/teaching_workload/records").status_code == 403
    assert _push(api, "feed_not-a-token", [record]).status_code == 401
    assert api.post(URL, json={"records": [record]}).status_code in (400, 401)  # no token: refused
    assert _count(session, "teaching_workload") == 0
    token_id = session.scalar(select(func.max(feeds.service.FeedToken.id)))
    assert staff.post(f"/feeds/teacher_attendance/tokens/{token_id}/revoke").status_code == 302
    assert "已撤销" in page(staff, "/feeds/teacher_attendance")
    ok = {"record_key": "R2", "source": "t01", "occurred_on": DAY, "values": {"rate": 99}}
    assert _push(api, token, [ok]).status_code == 401


def test_a_malformed_batch_is_refused_whole_with_each_records_errors(app, session, login_as):
    token = _token(login_as("jwc_staff"))
    before = _count(session, "teacher_attendance")
    future = (NOW.date() + timedelta(days=3)).isoformat()
    records = [
        {"record_key": "G1", "source": "t01", "occurred_on": DAY, "values": {"rate": 99}},
        {"record_key": "B1", "source": "nobody", "occurred_on": DAY, "values": {"rate": 99}},
        {"record_key": "B2", "source": "t02", "occurred_on": future, "values": {"rate": "很高", "color": 1}},
        {"record_key": "G1", "source": "s01", "occurred_on": "2026-13-01", "values": {}},
    ]
    response = _push(app.test_client(), token, records)
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {
        "records[1].source", "records[2].occurred_on", "records[2].rate", "records[2].color",
        "records[3].record_key", "records[3].occurred_on", "records[3].values", "records[3].source",
    }  # fmt: skip
    assert "出勤率 应为数字" in fields["records[2].rate"][0]
    assert _count(session, "teacher_attendance") == before  # the good record G1 was not taken either


def test_upload_previews_every_row_then_confirming_writes_and_reaches_the_students(session, login_as):
    staff = login_as("xgb_reviewer")
    html = page(staff, "/feeds/student_attendance/upload")
    assert "记录号、信息源、日期、出勤率、缺课节次" in html
    good = f"记录号,信息源,日期,出勤率,缺课节次\nUP-1,s05,{DAY},73.5,6\nUP-2,s06,{DAY},100,0\n".encode()
    before = _count(session, "student_attendance")
    preview = staff.post("/feeds/student_attendance/upload", data={"file": (io.BytesIO(good), "a.csv")})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 行全部无误" in text and _count(session, "student_attendance") == before
    records = re.search(r'name="records" value="([^"]*)"', text).group(1).replace("&#34;", '"').replace("&quot;", '"')
    done = staff.post("/feeds/student_attendance/upload", data={"confirm": "1", "records": records})
    assert done.status_code == 302 and _count(session, "student_attendance") == before + 2
    assert "73.5" in page(login_as("s05"), "/feeds/")
    assert "73.5" not in page(login_as("s06"), "/feeds/") and "73.5" not in page(login_as("c01"), "/feeds/")
    page(login_as("jwc_staff"), "/feeds/student_attendance/upload", 404)
    bad = f"记录号,信息源,日期,出勤率,缺课节次\nUP-3,s05,{DAY},abc,1\nUP-4,t01,{DAY},90,1\n".encode()
    refused = staff.post("/feeds/student_attendance/upload", data={"file": (io.BytesIO(bad), "b.csv")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "第 1 行" in text and "第 2 行" in text and "整批未导入" in text
    assert _count(session, "student_attendance") == before + 2


def test_the_study_monitor_enters_class_learning_seen_by_the_class_and_its_counselor(session, login_as):
    s01 = login_as("s01")
    assert "填报：课堂学习信息" in page(s01, "/feeds/")
    html = page(s01, "/feeds/class_learning/entry")
    assert "物联网应用技术2025级1班" in html
    before = _count(session, "class_learning")
    refused = s01.post("/feeds/class_learning/entry", data={"occurred_on": DAY, "v_attendance": "九十"})
    assert refused.status_code == 400 and "到课率 应为数字" in refused.get_data(as_text=True)
    assert _count(session, "class_learning") == before
    ok = s01.post("/feeds/class_learning/entry", data={"occurred_on": DAY, "v_attendance": "88.8", "v_note": "x"})
    assert ok.status_code == 302 and _count(session, "class_learning") == before + 1
    for seer in ("s02", "c01", "xgb_reviewer"):
        assert "88.8" in page(login_as(seer), "/feeds/" if seer != "xgb_reviewer" else "/feeds/class_learning")
    for other in ("s11", "c02", "t01"):
        assert "88.8" not in page(login_as(other), "/feeds/")
    page(login_as("s11"), "/feeds/homework_marking/entry", 404)
    page(login_as("t01"), "/feeds/class_learning/entry", 404)


def test_a_teacher_enters_their_own_homework_record(session, login_as):
    t02 = login_as("t02")
    page(t02, "/feeds/homework_marking/entry")
    ok = t02.post("/feeds/homework_marking/entry", data={"occurred_on": DAY, "v_assigned": "3", "v_marked": "37"})
    assert ok.status_code == 302
    assert "37" in page(t02, "/feeds/")
    row = session.scalar(select(FeedRecord).where(FeedRecord.feed_key == "homework_marking",
                                                  FeedRecord.values["marked"].as_integer() == 37))  # fmt: skip
    assert row.subject_id is not None and row.received_via == "form"


def test_the_lead_department_edits_fields_and_thresholds_bad_input_changes_nothing(session, login_as):
    staff = login_as("jwc_staff")
    html = page(staff, "/feeds/")
    assert "教师出勤" in html and "学生上课出勤" not in html  # 学工部's feeds are not 教务处's
    page(staff, "/feeds/teacher_attendance")
    url = "/feeds/teacher_attendance"
    bad = staff.post(url, data={"provider": "", "fields": "rate | 出勤率 | number | % | 99 | 1"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "请填写信息提供方" in text and "第 1 行：下限不能大于上限" in text
    feed = session.scalar(select(FeedDefinition).where(FeedDefinition.key == "teacher_attendance"))
    session.refresh(feed)
    assert feed.provider == "考勤系统" and feed.fields[0]["min"] == 95
    ok = staff.post(url, data={"provider": "智慧校园考勤", "fields": "rate | 出勤率 | number | % | 90 |"})
    assert ok.status_code == 302
    session.refresh(feed)
    assert feed.provider == "智慧校园考勤" and feed.fields == [
        {"key": "rate", "label": "出勤率", "type": "number", "unit": "%", "min": 90, "max": None}]  # fmt: skip
    assert login_as("rsc_reviewer").post("/feeds/teacher_attendance", data={"provider": "x"}).status_code == 404


def test_the_process_data_page_charts_what_the_demo_fed(login_as):
    html = page(login_as("t03"), "/feeds/")
    assert 'id="zg-feed-charts"' in html and "教师出勤 · 出勤率" in html and "echarts.common.min.js" in html
    assert "过程数据" in page(login_as("admin"), "/feeds/")  # an administrator manages every feed
    assert "学生评教" in page(login_as("admin"), "/feeds/")


def test_values_of_reads_a_feeds_records_in_a_window(session):
    rows = feeds.values_of(session, "teacher_attendance", NOW.date() - timedelta(days=9), NOW.date())
    assert rows and all(isinstance(r[0], int) and isinstance(r[1], date) and "rate" in r[2] for r in rows)
    assert feeds.values_of(session, "teacher_attendance", date(2000, 1, 1), date(2000, 12, 31)) == []


def test_the_push_api_is_described_in_the_openapi_document(client):
    description = client.get("/api/v1/openapi.json").get_json()
    op = description["paths"]["/api/v1/feeds/{feed_key}/records"]["post"]
    assert op["security"] == [{"feedToken": []}]
    body = description["components"]["schemas"]["FeedBatchBody"]
    assert body["required"] == ["records"] and body["properties"]["records"]["maxItems"] == 5000
    assert description["components"]["securitySchemes"]["feedToken"]["scheme"] == "bearer"
