"""Users: a bcrypt-hashed password, a confirmed email, and a session epoch that ends every other session when bumped;
`is_admin` guards the admin pages."""

from __future__ import annotations

from datetime import datetime

import bcrypt
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.storage.columns import UTCDateTime, utcnow

MIN_PASSWORD_LENGTH = 10
# The stored hash of an account made through Google or GitHub that has set no password: no bcrypt hash starts with
# "!", so no password matches it until one is set through a reset.
NO_PASSWORD = "!"


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(72))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of every session's and remember-me cookie's user id: bumping it signs the user out everywhere else.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def set_password(self, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
        # bcrypt only reads 72 bytes; refuse longer rather than silently truncating.
        if len(password.encode()) > 72:
            raise ValueError("password must be at most 72 bytes")
        self.password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()

    def check_password(self, password: str) -> bool:
        encoded = password.encode()
        # bcrypt refuses NUL bytes; no password set here holds one.
        if len(encoded) > 72 or b"\x00" in encoded or self.password_hash == NO_PASSWORD:
            return False
        return bcrypt.checkpw(encoded, self.password_hash.encode())
