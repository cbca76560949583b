"""Password hashing with Argon2id."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
