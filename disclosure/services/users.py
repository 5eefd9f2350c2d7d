"""Agencies, staff accounts, roles and sign-in (lock-out after repeated failures)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.codes import Role
from ..domain.text import N_, Msg
from ..database import atomic
from ..extensions import db
from ..models import Agency, User, UserRole
from ..timeutil import now
from . import audit
from .actors import SYSTEM_ACTOR, Actor
from .cases import ValidationFailed

ROLE_VALUES = {r.value for r in Role}


def password_problem(password: str) -> str | None:
    """Minimum strength: length and at least two kinds of characters."""
    min_len = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_len:
        return Msg("密码至少 {min_len} 位", min_len=min_len)
    kinds = sum([any(c.isdigit() for c in password), any(c.isalpha() for c in password),
                 any(not c.isalnum() for c in password)])
    if kinds < 2:
        return N_("密码须同时包含字母、数字或符号中的至少两类")
    return None


@atomic
def create_agency(code: str, name: str, actor: Actor = SYSTEM_ACTOR) -> Agency:
    code, name = (code or "").strip().upper(), (name or "").strip()
    errors = {}
    if not code or not code.isascii() or not code.replace("_", "").isalnum() or len(code) > 32:
        errors["code"] = N_("机关代码须为 1–32 位字母或数字")
    if not name or len(name) > 200:
        errors["name"] = N_("请填写机关名称（不超过 200 字）")
    if not errors and db.session.execute(select(Agency).where(Agency.code == code)).scalar():
        errors["code"] = N_("该机关代码已存在")
    if errors:
        raise ValidationFailed(errors)
    agency = Agency(code=code, name=name, created_at=now())
    db.session.add(agency)
    db.session.flush()
    audit.record(actor, "agency_created", agency_id=agency.id, data={"code": code, "name": name})
    db.session.commit()
    return agency


@atomic
def create_user(username: str, password: str, agency_code: str, roles: list[str],
                display_name: str | None = None, actor: Actor = SYSTEM_ACTOR) -> User:
    username = (username or "").strip()
    errors = {}
    if not username or len(username) > 64 or not username.isprintable() or " " in username:
        errors["username"] = N_("用户名须为 1–64 位且不含空格")
    elif db.session.execute(select(User).where(User.username == username)).scalar():
        errors["username"] = N_("该用户名已存在")
    if problem := password_problem(password or ""):
        errors["password"] = problem
    agency = db.session.execute(select(Agency).where(Agency.code == agency_code)).scalar()
    if agency is None:
        errors["agency"] = N_("机关不存在")
    bad = [r for r in roles if r not in ROLE_VALUES]
    if bad or not roles:
        errors["roles"] = Msg("请选择有效的角色：{roles}", roles="、".join(sorted(ROLE_VALUES)))
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, display_name=(display_name or username)[:100],
                password_hash=generate_password_hash(
                    password, method=current_app.config["PASSWORD_HASH_METHOD"]), agency_id=agency.id,
                active=True, failed_logins=0, session_version=0, created_at=now())
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user_created", agency_id=agency.id,
                 data={"username": username, "roles": sorted(set(roles))})
    db.session.commit()
    return user


def _active_admins() -> int:
    return db.session.execute(
        select(func.count()).select_from(User).join(UserRole)
        .where(UserRole.role == Role.ADMIN, User.active.is_(True))).scalar_one()


@atomic
def set_roles(user: User, roles: list[str], actor: Actor) -> None:
    if not roles or any(r not in ROLE_VALUES for r in roles):
        raise ValidationFailed({"roles": N_("请至少选择一个有效角色")})
    if Role.ADMIN in user.roles and Role.ADMIN not in roles and user.active and _active_admins() <= 1:
        raise ValidationFailed({"roles": N_("不能移除最后一位管理员的管理员角色")})
    before = sorted(user.roles)
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    audit.record(actor, "roles_changed", agency_id=user.agency_id,
                 data={"username": user.username, "before": before, "after": sorted(set(roles))})
    db.session.commit()


@atomic
def set_active(user: User, active: bool, actor: Actor) -> None:
    if not active and Role.ADMIN in user.roles and user.active and _active_admins() <= 1:
        raise ValidationFailed({"active": N_("不能停用最后一位管理员")})
    user.active = active
    user.session_version = (user.session_version or 0) + 1
    audit.record(actor, "user_activated" if active else "user_deactivated",
                 agency_id=user.agency_id, data={"username": user.username})
    db.session.commit()


def _dummy_hash() -> str:
    return generate_password_hash("not-a-password", method=current_app.config["PASSWORD_HASH_METHOD"])


@atomic
def authenticate(username: str, password: str) -> User | None:
    """Check a sign-in; lock the account for a while after repeated failures (audited)."""
    user = db.session.execute(select(User).where(User.username == (username or "").strip())).scalar()
    current = now()
    if user is None:
        check_password_hash(_dummy_hash(), password or "")  # same cost either way
        return None
    locked = user.locked_until
    if locked is not None and locked.tzinfo is None:
        locked = locked.replace(tzinfo=current.tzinfo)
    if not user.active or (locked and locked > current):
        audit.record(Actor(user.id, user.display_name), "login_refused", agency_id=user.agency_id)
        db.session.commit()
        return None
    if not check_password_hash(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        data = {"failures": user.failed_logins}
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = current + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            data["locked"] = True
        audit.record(Actor(user.id, user.display_name), "login_failed",
                     agency_id=user.agency_id, data=data)
        db.session.commit()
        return None
    user.failed_logins = 0
    user.locked_until = None
    audit.record(Actor.of(user), "login", agency_id=user.agency_id)
    db.session.commit()
    return user


@atomic
def logout(user: User) -> None:
    user.session_version = (user.session_version or 0) + 1
    audit.record(Actor.of(user), "logout", agency_id=user.agency_id)
    db.session.commit()


def load_user(token: str) -> User | None:
    """Flask-Login loader: "id:session_version" so logout invalidates old cookies."""
    try:
        uid, version = (int(x) for x in token.split(":", 1))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, uid)
    if user is None or not user.active or (user.session_version or 0) != version:
        return None
    return user
