"""Import previews: an uploaded file kept, for a short while, between its preview and the
user's confirmation."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.dialects.mysql import MEDIUMBLOB
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import MYSQL_TABLE, UTCDateTime, utcnow

# The stored file (compressed): MEDIUMBLOB (16 MiB) on MySQL, whose BLOB stops at 64 KiB.
PREVIEW_CONTENT = LargeBinary().with_variant(MEDIUMBLOB(), "mysql", "mariadb")


class ImportPreview(db.Model):
    """One uploaded file awaiting confirmation: its source format, the mapping chosen in the
    preview, and its bytes (zlib). Nothing of it is in the account until it is confirmed."""

    __tablename__ = "import_preview"
    __table_args__ = (Index(None, "user_id", "expires_at"), MYSQL_TABLE)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(20))
    mapping: Mapped[str] = mapped_column(String(20), default="", server_default="")
    content: Mapped[bytes] = mapped_column(PREVIEW_CONTENT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ImportPreview {self.id} user={self.user_id} {self.source}>"
