"""Agencies, their staff accounts and roles, and failed sign-ins (sign-in throttling)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Agency(db.Model):
    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The agency profile (issue 15), edited by its admin: the header, the public footer and the
    # letters show it. ``letter_prefix`` starts every 文号 (包政信 → 包政信补〔2026〕3号).
    letter_prefix: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(60))
    office_hours: Mapped[str | None] = mapped_column(String(200))
    website_code: Mapped[str | None] = mapped_column(String(40))   # 网站标识码
    icp_record: Mapped[str | None] = mapped_column(String(80))     # ICP 备案号
    emblem_stored_name: Mapped[str | None] = mapped_column(String(64))  # in UPLOAD_DIR
    emblem_content_type: Mapped[str | None] = mapped_column(String(100))
    # New cases are assigned to this handler at registration / confirmation (None: nobody yet).
    default_handler_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", use_alter=True, name="fk_agency_default_handler"))
    # The county platform (issue 17): agencies form a tree — the county government at the root,
    # its departments and townships below. A supervisor (Role.SUPERVISOR) of an agency reads the
    # agencies below it (services.access.subtree_ids); nothing else depends on the tree.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    guide_text: Mapped[str | None] = mapped_column(Text)  # 政府信息公开指南 (public site)


class User(db.Model):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # (No lock-out columns: failed sign-ins are throttled through LoginFailure, see the end.)
    # Bumped on logout / password change so old session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Staff reminders (issue 17): the daily digest goes by e-mail, and by SMS to ``mobile`` when
    # a gateway is configured; ``digest_opt_out`` stops both for this user.
    mobile: Mapped[str | None] = mapped_column(String(40))
    digest_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    role_rows: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class UserRole(db.Model):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


# -- sign-in throttling (issue 12) --------------------------------------------------------------

class LoginFailure(db.Model):
    """One failed sign-in, kept for LOGIN_THROTTLE_WINDOW_HOURS (services.users). Counted per
    (account, client address) pair and per client address to delay further attempts — never
    to lock an account. ``account_key`` is an HMAC of the user name as typed (unknown names
    are counted alike, and a password typed into the user name field is not stored)."""
    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_pair", "account_key", "address", "at"),
        Index("ix_login_failure_address", "address", "at"),
        Index("ix_login_failure_at", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))  # IPv4 address or IPv6 /64 network
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
