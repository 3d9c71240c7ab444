"""Argon2id password hashing, in one place."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

PASSWORD_MIN, PASSWORD_MAX = 10, 1024
PASSWORD_LENGTH_RULE = f"Use {PASSWORD_MIN}–{PASSWORD_MAX} characters."
MIN_STRENGTH = 3  # zxcvbn's "safely unguessable": about 10^8 guesses or more
# zxcvbn's run time grows fast with length; beyond this many characters a password that got
# past the first part is long enough already.
STRENGTH_PREFIX = 72  # zxcvbn refuses longer input


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher() -> PasswordHasher:
    """The Argon2id hasher with the parameters the app is configured for."""
    config = current_app.config
    return _hasher(
        config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"]
    )


@cache
def _dummy_hash(ph: PasswordHasher) -> str:
    return ph.hash("not a real password; used to spend the time of a real check")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (unknown user) spend the same time and return False."""
    ph = hasher()
    try:
        return ph.verify(password_hash or _dummy_hash(ph), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash was made with other parameters than the current ones."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problem(password: str, user_inputs: list[str] | tuple = ()) -> str | None:
    """Why a password is too guessable (zxcvbn's own advice), or None when it is strong enough."""
    inputs = [value for value in user_inputs if value]
    result = zxcvbn(password[:STRENGTH_PREFIX], user_inputs=inputs)
    if result["score"] >= MIN_STRENGTH:
        return None
    feedback = result["feedback"]
    advice = [feedback.get("warning") or "This password is easy to guess."]
    advice += feedback.get("suggestions") or []
    return " ".join(part.strip() for part in advice if part)


def new_password_problem(password: str, user_inputs: list[str] | tuple = ()) -> str | None:
    """Why a new password is refused (its length first, then how guessable it is), or None.

    Every way of choosing a password (register form, settings form, CLI) asks this."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return PASSWORD_LENGTH_RULE
    return password_problem(password, user_inputs)
