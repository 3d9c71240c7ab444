"""Each account's data version (`User.data_version`), moved in the transaction of every change
to the account's rows, before the change's first statement.

Nobody has to remember to call anything: session events see every change the ORM flushes and
every INSERT, UPDATE and DELETE run through `db.session`, and find the accounts they touch (the
row's `user_id`; a statement's `user_id = …` or `user_id IN (…)`, which every owner-scoped
statement carries). Rows written past the session (`portability/bulk.py`'s COPY) call `bump`.

A rendered page stays current while its account's version stands (pagecache.py). A reader reads
the version first, with its user, then the data, so what it renders is never older than the
version it files it under. Moving the version before the change's own statements takes the
account's row lock first, the order `habits.services.lock_user` already takes it in, so a change
that now moves a version waits where it always would have and deadlocks with nothing.

Tables that no cached page shows, or that a read writes (the derived analytics state), move
nothing. A statement on every row of an owned table moves every account's version; one that
picks rows without naming their accounts (by id) first reads whose rows they are."""

import secrets
from itertools import chain

from sqlalchemy import BigInteger, Column, bindparam, event, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from .models import User

USERS = User.__table__
# Rows no cached page shows, or that reads write: changing them leaves every page as it was.
UNSEEN = frozenset(
    (
        "habit_stats",
        "habit_month_total",
        "user_session",
        "login_failure",
        "login_challenge",
        "email_outbox",
        "api_token",
        "api_idempotency_key",
        "import_preview",
        "passkey",
        "recovery_code",
    )
)
# A statement run with this execution option changes nothing a kept page shows (a reminder's
# "sent for" date): it moves no version and takes no account's lock.
UNSEEN_OPTION = "unseen_by_pages"
BUMPED = "data_version_bumped"  # session.info: account ids moved in this transaction
SEEN = "data_version_seen"  # session.info: {account id: its version as read first, see `seen`}
EVERYONE = "everyone"


def _step() -> int:
    """How far a version moves: a random step, so a version once left is never met again with
    other data (after a restore to an older copy, say, the counts go on differently)."""
    return 1 + secrets.randbelow(2**31)


# Built once (every change runs one): move the versions of the accounts `ids` by `step`.
MOVE = (
    update(USERS)
    .where(USERS.c.id.in_(bindparam("ids", expanding=True)))
    .values(data_version=USERS.c.data_version + bindparam("step", type_=BigInteger))
)
MOVE_RETURNING = MOVE.returning(USERS.c.id, USERS.c.data_version)


def bump(session: Session, user_ids) -> dict[int, int]:
    """Move the data version of these accounts (once per transaction each). Returns the version
    each account had when this took its lock, where the database says so in the same statement
    (UPDATE … RETURNING: PostgreSQL and SQLite); otherwise, and for accounts already moved in
    this transaction, nothing."""
    done = session.info.setdefault(BUMPED, set())
    if EVERYONE in done:
        return {}
    fresh = sorted({int(user_id) for user_id in user_ids if user_id is not None} - done)
    if not fresh:
        return {}
    step = _step()
    values = {"ids": fresh, "step": step}
    connection = session.connection()
    moved_from = {}
    if connection.dialect.update_returning:
        rows = connection.execute(MOVE_RETURNING, values)
        moved_from = {row.id: row.data_version - step for row in rows}
    else:
        connection.execute(MOVE, values)
    done.update(fresh)
    return moved_from


def moved_cte(name: str):
    """One account's move as a CTE of a statement that writes in the same go (PostgreSQL):
    UPDATE … WHERE id = :account RETURNING the version it moved from (`moved_from`), by
    :step. Parameters from `move_in_statement` (named after no column: an UPDATE takes a
    parameter named after a column of its table as a value to set); afterwards the caller calls
    `moved_in_statement`."""
    step = bindparam("step", type_=BigInteger)
    return (
        update(USERS)
        .where(USERS.c.id == bindparam("account"))
        .values(data_version=USERS.c.data_version + step)
        .returning((USERS.c.data_version - step).label("moved_from"))
        .cte(name)
    )


def version_in_snapshot():
    """The account's version as the statement's snapshot holds it (:account). In a statement
    with a `moved_cte` it equals the version moved from unless a change of the account
    committed after the snapshot was taken: the UPDATE waits for the lock and moves from the
    version committed, a plain read keeps the snapshot's. Every change of the account's rows
    moves its version up under that lock, so equal versions mean the snapshot holds the account
    as committed, which nothing can change while the lock is held."""
    return select(USERS.c.data_version).where(USERS.c.id == bindparam("account")).scalar_subquery()


def move_in_statement(session: Session, user_id: int) -> dict[str, int] | None:
    """The parameters of a `moved_cte` for the account: its id and the step; None when the
    account was already moved in this transaction."""
    done = session.info.get(BUMPED, set())
    if user_id in done or EVERYONE in done:
        return None
    return {"account": user_id, "step": _step()}


def move_on(move: dict[str, int]) -> dict[str, int]:
    """The parameters of the same `moved_cte` statement run again in the transaction."""
    return {**move, "step": _step()}


def moved_in_statement(session: Session, user_id: int) -> None:
    """Note that a statement with a `moved_cte` moved the account (once per transaction)."""
    session.info.setdefault(BUMPED, set()).add(user_id)


def seen(session: Session, user: User) -> None:
    """Note the account's version as just read with its row, when that read is the first thing
    this session holds (the session user's query at the start of a request, or a token's user
    read after its token, which no page shows): every object of the account read later in the
    transaction is at least as new as that version. A query run before the user is loaded
    leaves nothing noted: writes then read their habits again (slower, never wrong)."""
    session.info[SEEN] = {user.id: user.data_version}


def unchanged_since_seen(session: Session, user_id: int, moved_from: dict[int, int]) -> bool:
    """Whether nothing of the account changed between the read `seen` noted and the lock `bump`
    took (it moved the version from the one seen): what this transaction read of the account
    is what is committed, and under the lock stays so."""
    version = session.info.get(SEEN, {}).get(user_id)
    return version is not None and moved_from.get(user_id) == version


def bump_everyone(session: Session) -> None:
    """Move every account's version: a change of every account's rows."""
    if EVERYONE not in session.info.setdefault(BUMPED, set()):
        session.connection().execute(
            update(USERS).values(data_version=USERS.c.data_version + _step())
        )
        session.info[BUMPED].add(EVERYONE)


def _owner(instance) -> tuple[bool, int | None]:
    """(whether the row is owned, its account id or None when not known yet)."""
    if isinstance(instance, User):
        return True, instance.id
    table = getattr(type(instance), "__table__", None)
    if table is None or table.name in UNSEEN or "user_id" not in table.c:
        return False, None
    user_id = instance.user_id
    if user_id is None and getattr(instance, "user", None) is not None:
        user_id = instance.user.id
    if user_id is None and getattr(instance, "habit", None) is not None:
        user_id = instance.habit.user_id
    return True, user_id


@event.listens_for(Session, "before_flush")
def _before_flush(session, context, instances) -> None:
    owners, later = set(), []
    for instance in chain(session.new, session.dirty, session.deleted):
        if instance in session.dirty and not session.is_modified(instance):
            continue
        owned, user_id = _owner(instance)
        if not owned:
            continue
        if user_id is None:
            if not isinstance(instance, User):
                later.append(instance)  # its user_id comes with the flush
        else:
            owners.add(user_id)
    bump(session, owners)
    if later:
        session.info.setdefault("data_version_later", []).extend(later)


@event.listens_for(Session, "after_flush")
def _after_flush(session, context) -> None:
    later = session.info.pop("data_version_later", None)
    if later:
        bump(session, [_owner(instance)[1] for instance in later])


def _named(where, table, column_name: str) -> set | None:
    """The accounts a WHERE clause limits its rows to: the values of a top-level `column = x` or
    `column IN (…)` on the statement's own table (an AND of terms, one of them such a term);
    None when it names none that way (an OR, a subquery, a value given only at execution)."""
    terms = where.clauses if getattr(where, "operator", None) is operators.and_ else [where]
    for term in terms:
        if not isinstance(term, BinaryExpression):
            continue
        left, right = term.left, term.right
        if not (
            isinstance(left, Column)
            and left.name == column_name
            and getattr(left.table, "name", None) == table.name
            and isinstance(right, BindParameter)
        ):
            continue
        value = right.effective_value
        if term.operator is operators.eq and value is not None:
            return {value}
        if term.operator is operators.in_op and value is not None:
            return set(value)
    return None


def _inserted_owners(statement, parameters) -> set:
    """The user_id of every row an INSERT writes, from its parameters or its VALUES."""
    if parameters:
        rows = parameters if isinstance(parameters, list) else [parameters]
        return {row.get("user_id") for row in rows}
    values = {getattr(key, "name", key): value for key, value in (statement._values or {}).items()}
    value = values.get("user_id")
    return {value.effective_value if isinstance(value, BindParameter) else None}


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    statement = state.statement
    table = statement.table
    if not hasattr(table, "c") or table.name in UNSEEN:
        return
    if state.execution_options.get(UNSEEN_OPTION):
        return
    session = state.session
    if table.name == USERS.name:  # update(User) names an annotated copy of the table
        if state.is_insert:
            return  # a new account: no page of it yet
        column = "id"
    elif "user_id" in table.c:
        column = "user_id"
    else:
        return
    if state.is_insert:
        owners = _inserted_owners(statement, state.parameters)
        if None in owners:
            raise ValueError(f"an INSERT INTO {table.name} without its user_id")
        bump(session, owners)
        return
    where = statement.whereclause
    if where is None:
        bump_everyone(session)  # every row of the table: every account
        return
    owners = _named(where, table, column)
    if owners is None:
        # Rows picked some other way (by id): their owners, read before they change.
        query = select(table.c[column]).where(where).distinct()
        owners = session.connection().execute(query).scalars().all()
    bump(session, owners)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, previous_transaction) -> None:
    """A rollback (of a savepoint too) may have undone the moves: the next change moves again.
    What was seen is forgotten too: the next lock reads its habits again (the safe side)."""
    session.info.pop(BUMPED, None)
    session.info.pop(SEEN, None)


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction) -> None:
    """The transaction is over (a savepoint's release is not): the next one moves again."""
    if transaction.parent is None:
        session.info.pop(BUMPED, None)
        session.info.pop(SEEN, None)
