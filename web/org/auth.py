"""Log in and out (local password, LDAP, CAS), change one's password, switch language, issue API tokens."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from engine import org
from engine.core import audit
from engine.core.errors import InvalidInput
from engine.models import AuditEntry, Notification, User
from engine.org import passwords
from engine.org.passwords import DUMMY_HASH, verify_password
from engine.org.sso import SsoConfig
from engine.org.sso import cas as cas_client
from engine.org.sso import ldap as ldap_client
from engine.org.sso.ldap import LdapResult
from engine.security import tokens

from ..db import db, flash_on_commit, transactional
from ..errors import translate_fields
from ..extensions import LOCALES, limiter, login_manager
from ..helpers import now, safe_next

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id: str):
    """The user of a session or remember cookie ("<id>:<session stamp>", User.get_id): none once the password
    changed (the user's sessions end everywhere but where it was made) or the user logged out (all end)."""
    if is_api_request(request):
        return None  # a bearer request is the token's alone (load_user_from_token); its cookies do not count
    user_id, _sep, stamp = str(session_id).partition(":")
    user = active_user(user_id)
    if user is None or user.session_stamp != stamp:
        return None
    return user


def active_user(user_id):
    """The active user, loaded with their principals in one statement (web/helpers.py `principals` reuses them)."""
    try:
        user, principals = org.user_with_principals(db.session, int(user_id))
    except (TypeError, ValueError, OverflowError):
        return None
    return _signed_in(user, principals)


def _signed_in(user: User | None, principals: list[str]) -> User | None:
    if user is None or not user.active:
        return None
    g.loaded_principals = (user.id, principals)
    return user


def make_api_token(user: User, scope: str = "api", revoke_old: bool = False) -> str:
    """A new stored token of `scope` (engine/security/tokens.py); the caller commits."""
    days = current_app.config["ZHENGAI_API_TOKEN_DAYS"]
    return tokens.issue(db.session, user, scope, now(), days, revoke_old=revoke_old)


def is_api_request(req) -> bool:
    """A request to /api carrying a bearer token: the only place a token signs a user in (no CSRF there)."""
    return (req.path == "/api" or req.path.startswith("/api/")) and req.headers.get("Authorization", "").startswith(
        "Bearer "
    )


@login_manager.request_loader
def load_user_from_token(req):
    if not is_api_request(req):
        return None  # a token never signs anyone in on a page (nor switches off its CSRF check)
    return user_from_token(req.headers["Authorization"][7:].strip(), "api")


def user_from_token(token: str, scope: str):
    """The active user whose live token of `scope` this is, or None (unknown, revoked, expired, another scope,
    password changed since)."""
    found = tokens.owner(db.session, token, scope, now(), org.POSITIONS)  # the user and their principals at once
    if found is None:
        return None
    user, positions = found
    return _signed_in(user, org.principals_from(user.id, positions))


def _login_name() -> str:
    return (request.form.get("username") or "").strip().lower()


def _login_key() -> str:
    """The tight limit counts a user name from one address: someone hammering a name from elsewhere does not
    lock its owner out (ZHENGAI_LOGIN_LIMIT)."""
    return f"login:{_login_name()}@{request.remote_addr}"


def _login_name_key() -> str:
    """The looser limit counts a user name from every address (ZHENGAI_LOGIN_NAME_LIMIT): a spread-out attack."""
    return "login-name:" + _login_name()


def sso() -> SsoConfig:
    return current_app.config.get("ZHENGAI_SSO") or SsoConfig()


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("inbox.index"))


def _find_user(username: str) -> User | None:
    if not username or len(username) > 64:
        return None
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def _start_session(user: User, method: str, remember: bool = False):
    lang = session.get("lang")
    session.clear()  # no session fixation: start a fresh session on login
    if lang:
        session["lang"] = lang
    login_user(user, remember=remember)
    session.permanent = True
    session["auth_method"] = method
    audit.record(db.session, actor_id=user.id, action="auth.login", object_type="user", object_id=user.id,
                 now=now(), after={"address": request.remote_addr, "method": method})  # fmt: skip


def _failed(name: str, reason: str) -> None:
    after = {"address": request.remote_addr, "reason": reason}
    audit.record(db.session, actor_id=None, action="auth.login_failed", object_type="user",
                 object_id=name[:64] or "-", now=now(), after=after)  # fmt: skip


def _warn_owner(user: User) -> None:
    """Tell the owner (a notification, at most one an hour) once ZHENGAI_LOGIN_ALERT_AFTER wrong passwords
    for their name have arrived within the hour, from any address (counted in the audit log, so every
    worker sees the same count)."""
    at = now()
    since = at - timedelta(hours=1)
    failures = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.at >= since,
            AuditEntry.action == "auth.login_failed",
            AuditEntry.object_type == "user",
            func.lower(AuditEntry.object_id) == user.username.lower(),
        )  # fmt: skip
    )
    if failures < current_app.config["ZHENGAI_LOGIN_ALERT_AFTER"]:
        return
    key = "login-alert:" + at.strftime("%Y-%m-%dT%H")
    sent = db.session.scalar(select(Notification.id).where(Notification.user_id == user.id,
                                                           Notification.digest_key == key))  # fmt: skip
    if sent is None:
        body = _("过去一小时内有 %(n)s 次使用您的用户名登录失败。如果不是您本人操作，请修改密码并联系管理员。",
                 n=failures)  # fmt: skip
        db.session.add(Notification(user_id=user.id, kind="info", title=_("您的账号多次登录失败"), body=body,
                                    link=url_for("auth.profile"), created_at=at, digest_key=key))  # fmt: skip


def _login_page(error: str | None = None, status: int = 200):
    return render_template("auth/login.html", error=error, sso=sso()), status


def _check_password(username: str, password: str) -> tuple[User | None, str | None, str | None]:
    """(user, method, None) when the password is right, else (None, None, error message).

    With LDAP configured the directory is asked first; a local password is tried after it for the accounts
    that may still use one (everyone, or administrators only: ZHENGAI_LOCAL_LOGIN)."""
    config = sso()
    user = _find_user(username)
    directory = None
    if config.ldap is not None:
        directory = ldap_client.authenticate(config.ldap, username, password)
        if directory is LdapResult.OK:
            if user is None or not user.active:
                _failed(username, "not_registered")
                return None, None, _("统一身份认证已通过，但该账号尚未在本平台登记或已停用，请联系管理员。")
            return user, "ldap", None
    local_ok = verify_password(user.password_hash if user else DUMMY_HASH, password)  # same cost for unknown names
    if local_ok and user is not None and user.active and config.local_password_allowed(user):
        return user, "password", None
    _failed(username, "ldap_unavailable" if directory is LdapResult.UNAVAILABLE else "bad_password")
    if user is not None and user.active and directory is not LdapResult.UNAVAILABLE:
        _warn_owner(user)
    if directory is LdapResult.UNAVAILABLE:
        return None, None, _("统一身份认证服务暂时无法连接，请稍后再试；如情况持续，请联系信息化管理部门。")
    return None, None, _("用户名或密码错误")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["ZHENGAI_LOGIN_LIMIT"], key_func=_login_key, methods=["POST"])
@limiter.limit(lambda: current_app.config["ZHENGAI_LOGIN_NAME_LIMIT"], key_func=_login_name_key, methods=["POST"])
@limiter.limit(lambda: current_app.config["ZHENGAI_LOGIN_ADDRESS_LIMIT"], methods=["POST"])
@transactional
def login():
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    if request.method == "GET":
        return _login_page()
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    user, method, error = _check_password(username, password)
    if user is None:
        return _login_page(error, 401)
    _start_session(user, method, remember=bool(request.form.get("remember")))
    return redirect(_safe_next(request.args.get("next")))


def _has_ticket() -> bool:
    return "ticket" in request.args


def _cas_service_url(target: str | None) -> str:
    """Our address as the CAS server sees it (ZHENGAI_BASE_URL); the same string at both ends of a login."""
    url = current_app.config["ZHENGAI_BASE_URL"].rstrip("/") + url_for("auth.cas_login")
    return url + ("?" + urlencode({"next": target}) if target else "")


@bp.get("/login/cas")
# only a ticket costs a request to the CAS server; going there is free (a campus behind one NAT address)
@limiter.limit(lambda: current_app.config["ZHENGAI_LOGIN_ADDRESS_LIMIT"], exempt_when=lambda: not _has_ticket())
@transactional
def cas_login():
    """Without a ticket: off to the CAS server. With one (the CAS server sent the browser back): ask the CAS
    server whose it is, and sign that person in by their 工号 / 学号."""
    config = sso().cas
    if config is None:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    target = request.args.get("next") or None
    if target is not None and _safe_next(target) != target:
        target = None
    ticket = request.args.get("ticket")
    if not ticket:
        return redirect(cas_client.login_url(config, _cas_service_url(target)))
    try:
        identity = cas_client.validate(config, ticket, _cas_service_url(target))
    except cas_client.CasError as exc:
        current_app.logger.warning("CAS login failed: %s", exc.detail)
        _failed("cas", "cas_unavailable" if exc.unavailable else "cas_ticket")
        if exc.unavailable:
            return _login_page(_("统一身份认证服务暂时无法连接，请稍后再试；如情况持续，请联系信息化管理部门。"), 503)
        return _login_page(_("统一身份认证票据无效或已过期，请重新登录。"), 401)
    user = _find_user(identity.login_name)
    if user is None or not user.active:
        _failed(identity.login_name, "not_registered")
        message = _("统一身份认证账号 %(name)s 尚未在本平台登记或已停用，请联系管理员。", name=identity.login_name)
        return _login_page(message, 403)
    _start_session(user, "cas")
    return redirect(_safe_next(target))


@bp.post("/logout")
@login_required
@transactional
def logout():
    """End the session here and on the server: the user's session generation moves on, so this session's
    cookie, its remember cookie and the user's other sessions no longer match (User.session_stamp)."""
    method = session.get("auth_method")
    user = current_user._get_current_object()
    user.session_generation = (user.session_generation or 0) + 1
    audit.record(db.session, actor_id=user.id, action="auth.logout", object_type="user", object_id=user.id,
                 now=now(), after={"address": request.remote_addr})  # fmt: skip
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    config = sso().cas
    if method == "cas" and config is not None and config.single_logout:
        # also end the CAS session, or the next visit to /login/cas would sign the same person in again
        back = current_app.config["ZHENGAI_BASE_URL"].rstrip("/") + url_for("auth.login")
        return redirect(cas_client.logout_url(config, back))
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@transactional
def change_password():
    """The user's own password: the old one is required, the new one follows the policy for local passwords.
    Other sessions of the user end (their session id names the password); this one goes on."""
    local = sso().local_password_allowed(current_user)
    errors = {}
    if request.method == "POST":
        if not local:
            abort(403)
        try:
            passwords.change_password(db.session, current_user, request.form.get("old_password") or "",
                                      request.form.get("new_password") or "", request.form.get("confirm") or "",
                                      now())  # fmt: skip
        except InvalidInput as exc:
            db.session.rollback()
            errors = translate_fields(exc.fields)
        else:
            # this session goes on under the new stamp (User.get_id); the others no longer match it
            login_user(
                current_user._get_current_object(),
                remember=bool(request.cookies.get(current_app.config["REMEMBER_COOKIE_NAME"])),
            )
            flash_on_commit(_("密码已修改；您在其他设备或浏览器上的登录已失效，API 令牌需重新生成。"), "success")
            return redirect(url_for("auth.profile"))
    page = render_template(
        "auth/password.html",
        local=local,
        errors=errors,
        min_length=passwords.MIN_LENGTH,
        sso_ldap=sso().ldap is not None,
    )
    return page, (400 if errors else 200)


@bp.post("/lang/<code>")
@transactional
def set_language(code: str):
    if code not in LOCALES:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
@transactional
def profile():
    """个人设置: issue an API token or a calendar link (shown once; the old ones of the scope end unless the
    user keeps them), and the list of the user's tokens with a revoke button each."""
    token = calendar_url = None
    if request.method == "POST":
        revoke_old = bool(request.form.get("revoke_old"))
        if request.form.get("scope") == "calendar":
            calendar_url = current_app.config["ZHENGAI_BASE_URL"].rstrip("/") + url_for(
                "notifications.calendar", token=make_api_token(current_user, "calendar", revoke_old)
            )
        else:
            token = make_api_token(current_user, "api", revoke_old)
    return render_template(
        "auth/profile.html",
        token=token,
        calendar_url=calendar_url,
        tokens=tokens.tokens_of(db.session, current_user),
        moment=now(),
        local=sso().local_password_allowed(current_user),
    )


@bp.post("/profile/tokens/<token_id>/revoke")
@login_required
@transactional
def revoke_token(token_id):
    row = tokens.revoke(db.session, current_user, token_id, now())
    flash_on_commit(_("令牌 %(hint)s… 已撤销", hint=row.hint), "success")
    return redirect(url_for("auth.profile"))
