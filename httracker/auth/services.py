"""Account operations shared by the web views and the CLI: add and flush, never commit."""

from sqlalchemy import or_, select

from ..extensions import db
from ..models import User, fold
from .passwords import hash_password, needs_rehash, verify_password


def create_user(username: str, email: str, password: str) -> User:
    user = User(username=username, email=email.lower(), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def find_user(login: str) -> User | None:
    """The user whose username or email matches `login`, in any letter case."""
    login = (login or "").strip()
    query = select(User).where(or_(User.username_key == fold(login), User.email == login.lower()))
    return db.session.scalars(query).first()


def check_credentials(login: str, password: str) -> tuple[User | None, bool]:
    """The user `login` names (or None) and whether the password is theirs.

    Unknown users cost as much time as known ones; an outdated hash is replaced."""
    user = find_user(login)
    if not verify_password(user.password_hash if user else None, password):
        return user, False
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user, True


def authenticate(login: str, password: str) -> User | None:
    """The user for these credentials, or None."""
    user, correct = check_credentials(login, password)
    return user if correct else None


def check_password(user: User, password: str) -> bool:
    """Whether `password` is the user's current one (re-entered for sensitive changes)."""
    return verify_password(user.password_hash, password)


def set_password(user: User, password: str) -> None:
    """Store a new hash; the caller revokes other sessions and commits."""
    user.password_hash = hash_password(password)
