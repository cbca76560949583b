"""Changing one's own password: the old one is required, the policy for local passwords, other sessions end."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.models import AuditEntry
from engine.org.passwords import policy_problems, verify_password
from engine.org.sso import CasConfig, SsoConfig
from tests.conftest import login, make_app
from tests.web.sso_fixtures import make_person

OLD = "local-pass-1"


def change(client, old, new, confirm=None):
    data = {"old_password": old, "new_password": new, "confirm": new if confirm is None else confirm}
    return client.post("/password", data=data)


@pytest.fixture
def teacher(session):
    return make_person(session, "T20001", "林老师", password=OLD)


def test_the_profile_leads_to_the_form_and_a_good_change_keeps_this_session(app, session, teacher):
    client = login(app.test_client(), "T20001", OLD)
    profile = client.get("/profile").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="change-password"', profile).group(1)
    form = client.get(link).get_data(as_text=True)
    assert "原密码" in form and "再次输入新密码" in form and "至少 8 个字符" in form

    response = change(client, OLD, "Xin-mima-2026")
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    page = client.get("/profile").get_data(as_text=True)  # still signed in here
    assert "密码已修改；您在其他设备或浏览器上的登录已失效" in page
    session.refresh(teacher)
    assert verify_password(teacher.password_hash, "Xin-mima-2026")
    assert (
        session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.password_changed")).one().actor_id
        == teacher.id
    )

    client.post("/logout")
    assert client.post("/login", data={"username": "T20001", "password": OLD}).status_code == 401
    assert client.post("/login", data={"username": "T20001", "password": "Xin-mima-2026"}).status_code == 302


def test_other_sessions_and_remembered_devices_end(app, session, teacher):
    laptop = login(app.test_client(), "T20001", OLD)
    phone = app.test_client()
    phone.post("/login", data={"username": "T20001", "password": OLD, "remember": "1"})
    assert phone.get("/profile").status_code == 200
    token = laptop.post("/profile").get_data(as_text=True)
    token = re.search(r'data-testid="api-token">([^<]+)<', token).group(1)

    assert change(laptop, OLD, "Xin-mima-2026").status_code == 302
    assert laptop.get("/profile").status_code == 200
    assert phone.get("/profile").status_code == 302  # its session and its remember cookie name the old password
    phone.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert phone.get("/profile").status_code == 302  # the remember cookie alone does not bring it back
    assert app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize(
    ("old", "new", "confirm", "field", "message"),
    [
        ("wrong-pass", "Xin-mima-2026", None, "old_password", "原密码不正确。"),
        (OLD, "short7a", None, "new_password", "新密码至少需要 8 个字符。"),
        (OLD, "20262026", None, "new_password", "新密码不能全部是数字。"),
        (OLD, "t20001", None, "new_password", "新密码不能与工号、学号或用户名相同。"),
        (OLD, OLD, None, "new_password", "新密码不能与原密码相同。"),
        (OLD, "Xin-mima-2026", "Xin-mima-2025", "confirm", "两次输入的新密码不一致。"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(app, session, teacher, old, new, confirm, field, message):
    client = login(app.test_client(), "T20001", OLD)
    response = change(client, old, new, confirm)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "密码未修改，请按提示更正。" in page
    assert re.search(rf'data-testid="error-{field}">{re.escape(message)}<', page)
    session.refresh(teacher)
    assert verify_password(teacher.password_hash, OLD)
    assert client.get("/profile").status_code == 200  # nothing ended
    assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.password_changed")).all()


def test_the_policy():
    assert policy_problems("Xin-mima-2026", "T20001") == []
    assert policy_problems("1234567", "T20001") == ["新密码至少需要 8 个字符。", "新密码不能全部是数字。"]
    assert policy_problems("S20240001", "s20240001") == ["新密码不能与工号、学号或用户名相同。"]
    assert policy_problems("x" * 129, "T20001") == ["新密码不能超过 128 个字符。"]


def test_with_sso_people_are_sent_to_the_school_s_password_page(connection, clock, session):
    make_person(session, "A0001", "首位管理员", password="admin-pass-1", kind="staff", is_admin=True)
    teacher = make_person(session, "T20001", "林老师", password=OLD)
    sso = SsoConfig(cas=CasConfig(server_url="http://127.0.0.1:9/cas/"), local_login="admins")
    app = make_app(ZHENGAI_DB_BIND=connection, ZHENGAI_CLOCK=clock, ZHENGAI_SSO=sso)
    admin = login(app.test_client(), "A0001", "admin-pass-1")
    assert "原密码" in admin.get("/password").get_data(as_text=True)  # the administrator's local password

    # a teacher signed in through CAS has no local password to change
    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = teacher.get_id()
        s["_fresh"] = True
    profile = client.get("/profile").get_data(as_text=True)
    assert "您的密码由学校统一身份认证管理" in profile and 'data-testid="change-password"' not in profile
    page = client.get("/password").get_data(as_text=True)
    assert "您的密码由学校统一身份认证管理，请在统一身份认证平台修改。" in page and "原密码" not in page
    assert change(client, OLD, "Xin-mima-2026").status_code == 403
