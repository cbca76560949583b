"""Log in and out, switch language, issue personal API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from engine import org
from engine.core import audit
from engine.models import User
from engine.org.passwords import DUMMY_HASH, verify_password

from ..db import db, flash_on_commit, transactional
from ..extensions import LOCALES, limiter, login_manager
from ..helpers import now

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str):
    """The active user, loaded with their principals in one statement (web/helpers.py `principals` reuses them)."""
    try:
        user, principals = org.user_with_principals(db.session, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active:
        return None
    g.loaded_principals = (user.id, principals)
    return user


def _token_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="zhengai-api-token")


def make_api_token(user: User) -> str:
    # the hash fragment revokes every token when the password changes
    return _token_serializer().dumps({"uid": user.id, "pw": user.password_hash[-12:]})


@login_manager.request_loader
def load_user_from_token(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return user_from_token(header[7:].strip())


def user_from_token(token: str):
    """The active user an API token belongs to, or None (bad signature, expired, password changed)."""
    try:
        data = _token_serializer().loads(token, max_age=current_app.config["ZHENGAI_API_TOKEN_DAYS"] * 86400)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = load_user(data.get("uid"))
    if user is None or user.password_hash[-12:] != data.get("pw"):
        return None
    return user


def _login_key() -> str:
    return "login:" + (request.form.get("username") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["ZHENGAI_LOGIN_LIMIT"], key_func=_login_key, methods=["POST"])
@limiter.limit(lambda: current_app.config["ZHENGAI_LOGIN_ADDRESS_LIMIT"], methods=["POST"])
@transactional
def login():
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    error = None
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
        ok = verify_password(user.password_hash if user else DUMMY_HASH, password) and user is not None
        if ok and user.active:
            lang = session.get("lang")
            session.clear()  # no session fixation: start a fresh session on login
            if lang:
                session["lang"] = lang
            login_user(user, remember=bool(request.form.get("remember")))
            session.permanent = True
            audit.record(db.session, actor_id=user.id, action="auth.login", object_type="user", object_id=user.id,
                         now=now(), after={"address": request.remote_addr})  # fmt: skip
            target = request.args.get("next") or ""
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("inbox.index")
            return redirect(target)
        audit.record(db.session, actor_id=None, action="auth.login_failed", object_type="user",
                     object_id=username[:64] or "-", now=now(), after={"address": request.remote_addr})  # fmt: skip
        error = _("用户名或密码错误")
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
@transactional
def logout():
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
@transactional
def set_language(code: str):
    if code not in LOCALES:
        abort(404)
    session["lang"] = code
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("inbox.index")
    return redirect(target)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
@transactional
def profile():
    token = None
    if request.method == "POST":
        token = make_api_token(current_user)
        flash_on_commit(_("已生成新的 API 令牌，请妥善保存；修改密码后所有令牌失效。"), "success")
    return render_template("auth/profile.html", token=token)
