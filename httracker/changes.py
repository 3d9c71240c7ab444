"""The one commit point. Services check their rules, add and flush, and raise `RuleBroken`;
whoever handles the request (a view or a CLI command) hands the change to `commit_change`,
which commits it once, or rolls it back when it fails."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from .extensions import db

T = TypeVar("T")


class RuleBroken(ValueError):
    """A change that breaks a rule; `field` names the service argument (and the form field of
    the same name) the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def commit() -> None:
    """Commit the session; on any failure roll it back (nothing half-done is kept) and re-raise.
    A row another request deleted after this one read it (an UPDATE that matched nothing) is a
    404: the thing is gone."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise NotFound() from None
    except BaseException:
        db.session.rollback()
        raise


def commit_change(change: Callable[[], T], form=None) -> T | None:
    """Run a service call and commit once, returning what it returned.

    When it breaks a rule, roll back; with a `form`, show the message on the field it names and
    return None, without one re-raise the RuleBroken (the CLI turns it into its error line).
    A row deleted meanwhile is a 404 (see commit); any other failure rolls back and propagates."""
    try:
        result = change()
    except RuleBroken as error:
        db.session.rollback()
        if form is None:
            raise
        form[error.field].errors.append(error.message)
        return None
    except StaleDataError:
        db.session.rollback()
        raise NotFound() from None
    except BaseException:
        db.session.rollback()
        raise
    commit()
    return result


def commit_derived() -> None:
    """Commit derived state a read stored (analytics/derived.py), keeping the objects the
    request already loaded: nothing the user changed is in this transaction."""
    session = db.session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        commit()
    finally:
        session.expire_on_commit = keep
