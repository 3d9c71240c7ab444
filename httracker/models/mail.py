"""Mail waiting to be sent: requests write here, `flask mail deliver` sends."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import MYSQL_TABLE, UTCDateTime, utcnow

OUTBOX_STATES = ("pending", "sent", "failed")


class EmailOutbox(db.Model):
    """One message, written in the transaction of the change that caused it."""

    __tablename__ = "email_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "user_id", "kind", "created_at"),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # Extra headers as JSON (List-Unsubscribe and List-Unsubscribe-Post on reminders).
    headers: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(7), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<EmailOutbox {self.id} {self.kind} {self.status}>"
