"""API and calendar tokens: issued at random, stored as SHA-256, listed and revoked by their owner.

A token is `secrets.token_urlsafe(32)`; the database keeps its digest, its first characters (to tell tokens
apart on 个人设置) and the owner's password stamp, so a password change ends every token. A token has one
scope (engine/models/token.py TOKEN_SCOPES); the web layer asks for the scope of the route.
Services take the session and the time and never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import N_, NotFound, object_id
from ..models import ApiToken, User
from ..models.token import TOKEN_SCOPES


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(session: Session, user: User, scope: str, now: datetime, days: int, revoke_old: bool = False) -> str:
    """A new token of `scope` for `user`, valid `days`; with `revoke_old` the user's other tokens of that scope
    end now. Returns the token (shown once)."""
    if scope not in TOKEN_SCOPES:
        raise ValueError(scope)
    if revoke_old:
        revoked = session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.scope == scope, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    else:
        revoked = 0
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(days=days)
    row = ApiToken(user_id=user.id, scope=scope, token_hash=digest(token), hint=token[:6],
                   password_stamp=user.password_stamp, created_at=now, expires_at=expires_at)  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(session, actor_id=user.id, action="token.issue", object_type="api_token", object_id=row.id,
                 now=now, after={"scope": scope, "revoked_old": revoked})  # fmt: skip
    return token


def owner_id(session: Session, token: str, scope: str, now: datetime) -> int | None:
    """The id of the active user whose live token of `scope` this is, else None (unknown, revoked, expired,
    another scope, or the password changed since it was issued): one statement."""
    found = owner(session, token, scope, now)
    return found[0].id if found else None


@cache
def _owner_statement(columns: tuple):
    """Built once per set of extra columns: every bearer request runs it, and building a statement (and its
    cache key) costs more than running it."""
    return (
        select(ApiToken.scope, ApiToken.expires_at, ApiToken.revoked_at, ApiToken.password_stamp, User, *columns)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == bindparam("token_hash"))
    )


def owner(session: Session, token: str, scope: str, now: datetime, *columns) -> tuple | None:
    """(the active user whose live token of `scope` this is, *`columns` read with it) or None, as `owner_id`:
    one statement, so a request signs in by token and learns what else it needs (its principals) at once."""
    if not token or len(token) > 200:
        return None
    row = session.execute(_owner_statement(columns), {"token_hash": digest(token)}).first()
    if row is None:
        return None
    row_scope, expires_at, revoked_at, stamp, user, *extra = row
    if row_scope != scope or revoked_at is not None or expires_at <= now or not user.active:
        return None
    return (user, *extra) if stamp == user.password_stamp else None


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, marked by their dates)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke(session: Session, user: User, token_id, now: datetime) -> ApiToken:
    """End one of the user's own tokens (another user's is NotFound); revoking twice changes nothing."""
    tid = object_id(token_id, N_("令牌不存在"))
    row = session.scalar(select(ApiToken).where(ApiToken.id == tid, ApiToken.user_id == user.id))
    if row is None:
        raise NotFound(N_("令牌不存在"))
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, actor_id=user.id, action="token.revoke", object_type="api_token", object_id=row.id,
                     now=now)  # fmt: skip
    return row
