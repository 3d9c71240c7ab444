"""Personal access tokens for the API, and the responses kept for retried writes."""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import MYSQL_TABLE, UTCDateTime, utcnow

TOKEN_SCOPES = ("read", "write")
TOKEN_NAME_MAX = 80
IDEMPOTENCY_KEY_MAX = 255


class ApiToken(db.Model):
    """A personal access token: only the SHA-256 of the secret is kept; deleting the row
    revokes it."""

    __tablename__ = "api_token"
    __table_args__ = (
        # The target of api_idempotency's composite foreign key.
        UniqueConstraint("id", "user_id"),
        CheckConstraint("scope IN ('read', 'write')", name="scope"),
        Index(None, "user_id", "created_at"),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX))
    scope: Mapped[str] = mapped_column(String(5))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret, shown in the list so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def can_write(self) -> bool:
        return self.scope == "write"

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id} {self.scope}>"


class ApiIdempotencyKey(db.Model):
    """The response to a write sent with an `Idempotency-Key`, kept 24 hours per token so a
    retry gets the same answer instead of doing the write twice."""

    __tablename__ = "api_idempotency_key"
    __table_args__ = (
        ForeignKeyConstraint(
            ["token_id", "user_id"], ["api_token.id", "api_token.user_id"], ondelete="CASCADE"
        ),
        UniqueConstraint("token_id", "key"),
        Index(None, "token_id", "created_at"),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(IDEMPOTENCY_KEY_MAX))
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
