"""The first administrator of a new school's database (`zhengai create-admin`): who then gives out the
functions (engine/org/functions.py) and sets up the organisation in 系统管理."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import N_, InvalidInput
from ..models import User
from .passwords import hash_password, policy_problems


def create_admin(
    session: Session, now: datetime, username: str, password: str, display_name: str | None = None
) -> User:
    """A new active administrator (no unit, no positions: administrators see and act on everything);
    InvalidInput for an empty or taken user name or a weak password. Audited; the caller commits."""
    username = (username or "").strip()
    display_name = (display_name or "").strip() or username
    errors = {}
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        errors["username"] = N_("用户名不能为空、不能含空格，最多 64 个字符")
    elif session.scalar(select(func.count()).select_from(User).where(func.lower(User.username) == username.lower())):
        errors["username"] = N_("用户名已存在")
    if len(display_name) > 64:
        errors["display_name"] = N_("姓名最多 64 个字符")
    problems = policy_problems(password or "", username)
    if problems:
        errors["password"] = problems
    if errors:
        raise InvalidInput(N_("未能创建管理员"), fields=errors)
    user = User(
        username=username, display_name=display_name, password_hash=hash_password(password), kind="staff",
        is_admin=True, active=True, created_at=now,
    )  # fmt: skip
    session.add(user)
    session.flush()
    audit.record(
        session, actor_id=None, action="user.create_admin", object_type="user", object_id=user.id, now=now,
        after={"username": username, "is_admin": True},
    )  # fmt: skip
    return user
