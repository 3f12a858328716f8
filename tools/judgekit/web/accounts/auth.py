"""Passwords (argon2id), session cookies, API tokens and CSRF tokens.

Only hashes are stored: argon2 for passwords; SHA-256 for session and API tokens, which are
long random strings (a fast hash is enough for those and keeps every request cheap).
CSRF uses a double-submit token: a random `jk_csrf` cookie that every form repeats in a hidden
field, compared in constant time; the session cookie is also SameSite=Lax.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from judgekit.web.db.database import Database, User

SESSION_COOKIE = "jk_session"
CSRF_COOKIE = "jk_csrf"
CSRF_FIELD = "csrf_token"
SESSION_LIFETIME_S = 14 * 24 * 3600
# Marks a browser that logged in to an account before (web.accounts.login_throttle).
DEVICE_COOKIE = "jk_device"
DEVICE_LIFETIME_S = 180 * 24 * 3600
MIN_PASSWORD_LENGTH = 8

# argon2id at OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1): about 30 ms and 19 MiB a
# check here, still memory-hard against offline guessing. Hashes made with other parameters
# (argon2-cffi's defaults: 64 MiB) still verify and are rehashed at the next login.
PASSWORD_MEMORY_MIB = 19
_hasher = PasswordHasher(time_cost=2, memory_cost=PASSWORD_MEMORY_MIB * 1024, parallelism=1)


class AccountError(Exception):
    """A user cannot be created as asked; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_match(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def valid_user_name(name: str) -> bool:
    return 1 <= len(name) <= 40 and all(c.isalnum() or c in "-_." for c in name)


def create_user(db: Database, name: str, password: str, *, admin: bool) -> tuple[User, str]:
    """Add a user; return it and its API token (shown once, stored only hashed)."""
    if not valid_user_name(name):
        raise AccountError(f"{name!r}: use 1-40 letters, digits, '-', '_' or '.'")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if db.user_by_name(name) is not None:
        raise AccountError(f"user {name!r} already exists")
    token = new_token()
    user = db.add_user(name, hash_password(password), token_hash(token), admin=admin)
    return user, token


def login(db: Database, name: str, password: str) -> str | None:
    """Check the password; on success open a session and return its cookie value."""
    user = db.user_by_name(name)
    if user is None:
        # Spend the same time as a real check so that names cannot be probed by timing.
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        db.set_password_hash(user.id, hash_password(password))
    session = new_token()
    db.add_session(token_hash(session), user.id, SESSION_LIFETIME_S)
    return session


def session_user(db: Database, session: str | None) -> User | None:
    return db.user_by_session(token_hash(session)) if session else None


def bearer_user(db: Database, authorization: str | None) -> User | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return db.user_by_token_hash(token_hash(token.strip()))


_DUMMY_HASH = _hasher.hash("not a real password")
