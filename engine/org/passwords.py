"""Password hashing with Argon2id, the policy for local passwords and the user's own password change."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.core import audit
from engine.core.errors import N_, InvalidInput

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def hash_once(password: str) -> str:
    """One hash reused for many demo or test users with the same password (seeding stays fast)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified when the username is unknown, so both cases cost the same time.
DUMMY_HASH = _hasher.hash("not-a-real-password")


MIN_LENGTH = 8
MAX_LENGTH = 128  # Argon2 would hash more, but nobody types more; keeps a pasted megabyte out


def policy_problems(password: str, username: str) -> list[str]:
    """What is wrong with a new local password (Chinese message ids, empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(N_("新密码至少需要 8 个字符。"))
    if len(password) > MAX_LENGTH:
        problems.append(N_("新密码不能超过 128 个字符。"))
    if password.strip().lower() == (username or "").strip().lower():
        problems.append(N_("新密码不能与工号、学号或用户名相同。"))
    if password.isdigit():
        problems.append(N_("新密码不能全部是数字。"))
    return problems


def change_password(session, user, old_password: str, new_password: str, confirm: str, now) -> None:
    """The user's own password change: the old password must be right and the new one follow the policy.
    Raises InvalidInput (fields: old_password / new_password / confirm) and changes nothing then."""
    fields: dict[str, list[str]] = {}
    if not verify_password(user.password_hash, old_password or ""):
        fields["old_password"] = [N_("原密码不正确。")]
    problems = policy_problems(new_password or "", user.username)
    if problems:
        fields["new_password"] = problems
    elif new_password == old_password:
        fields["new_password"] = [N_("新密码不能与原密码相同。")]
    if (new_password or "") != (confirm or ""):
        fields["confirm"] = [N_("两次输入的新密码不一致。")]
    if fields:
        raise InvalidInput(N_("密码未修改，请按提示更正。"), fields=fields)
    user.password_hash = hash_password(new_password)
    audit.record(session, actor_id=user.id, action="auth.password_changed", object_type="user", object_id=user.id,
                 now=now, after={})  # fmt: skip
