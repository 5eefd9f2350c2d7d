"""Agencies, staff accounts, roles, passwords and sign-in.

Sign-in (issue 12): every attempt costs exactly one password-hash verification — against a
fixed dummy hash of the same method when the user is unknown, inactive or the attempt is
refused — so the answer time does not tell which user names exist. Repeated failures are
*throttled*, never locked: after LOGIN_THROTTLE_AFTER failures of one (user name, client
address) pair, and after LOGIN_THROTTLE_ADDRESS_AFTER failures from one address, each further
attempt must wait 2, 4, 8 … seconds (at most LOGIN_THROTTLE_MAX_SECONDS); attempts inside the
wait are refused without counting, so they do not extend it. The real user at another address
is never slowed down by an attacker's failures. Crossing the threshold writes a
``login_throttled`` event and tells the agency's administrators (once a day per account).

Staff passwords: at least 12 characters, not in zxcvbn's list of the 30,000 most common
passwords, and a zxcvbn strength score of at least PASSWORD_MIN_SCORE (3 of 4).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import settings, timeutil
from ..domain.codes import INCOMPATIBLE_ROLES, Role
from ..domain.errors import ValidationFailed
from ..domain.text import N_, Msg
from ..extensions import db
from ..models import Agency, LoginFailure, User, UserRole
from ..timeutil import now
from . import audit, claims, outbox
from .access import sees_all
from .actors import SYSTEM_ACTOR, Actor
from .unit_of_work import atomic

ROLE_VALUES = {r.value for r in Role}

PASSWORD_FLOOR = 12  # PASSWORD_MIN_LENGTH may raise the minimum, never lower it
DEFAULTS = {
    "PASSWORD_MIN_LENGTH": PASSWORD_FLOOR,
    "PASSWORD_MIN_SCORE": 3,               # zxcvbn score 0–4
    "LOGIN_THROTTLE_AFTER": 5,             # failures of one (user name, address) pair
    "LOGIN_THROTTLE_ADDRESS_AFTER": 30,    # failures from one address, any user name
    "LOGIN_THROTTLE_MAX_SECONDS": 15 * 60,  # the longest wait
    "LOGIN_THROTTLE_WINDOW_HOURS": 24,     # failures older than this no longer count
}


def _setting(name: str) -> int:
    return int(settings.current().get(name, DEFAULTS[name]))


# -- passwords ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """zxcvbn's list of the 30,000 most common passwords (from leaked password sets)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is not good enough for a staff account (a Chinese message), or None.

    ``user_inputs`` (user name, display name) count as guessable words."""
    from zxcvbn import zxcvbn

    password = password or ""
    if password.strip().lower() in _common_passwords():
        return N_("这是一个常见密码，很容易被猜中，请换一个")
    min_len = max(PASSWORD_FLOOR, _setting("PASSWORD_MIN_LENGTH"))
    if len(password) < min_len:
        return Msg("密码至少 {min_len} 位", min_len=min_len)
    # zxcvbn's matching grows fast with the length; the first 100 characters decide enough.
    score = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])["score"]
    if score < _setting("PASSWORD_MIN_SCORE"):
        return N_("密码太容易被猜中：请不要使用常见单词、姓名、日期、重复或键盘上相邻的字符，"
                  "可以用几个不相关的词组成较长的密码")
    return None


def _hash(password: str) -> str:
    return generate_password_hash(password, method=settings.current()["PASSWORD_HASH_METHOD"])


def _roles_problem(roles, actor: Actor) -> str | None:
    """Issue 12: a platform administrator sees every agency, so cannot also review; only a
    platform administrator (or the system: CLI, demo) makes another one."""
    chosen = set(roles)
    for a, b in INCOMPATIBLE_ROLES:
        if a in chosen and b in chosen:
            if a == Role.SUPERVISOR:  # issue 17: who reads the agencies below decides nothing
                return N_("主管部门（政务公开监督）不能同时担任保密审查员")
            return N_("平台管理员不能同时担任保密审查员")
    if Role.PLATFORM_ADMIN in chosen and actor.id is not None \
            and Role.PLATFORM_ADMIN not in actor.roles:
        return N_("只有平台管理员可以授予平台管理员角色")
    return None


def _require_scope(actor: Actor, agency_id: int | None) -> None:
    """An agency's administrator manages that agency's users only — not those of the agencies
    a supervisor role lets them read (issue 17); a platform administrator manages all."""
    if actor.id is not None and not (sees_all(actor) or agency_id == actor.agency_id):
        raise ValidationFailed({"agency": N_("只能管理本机关的用户")})


@atomic
def create_agency(code: str, name: str, actor: Actor = SYSTEM_ACTOR) -> Agency:
    if actor.id is not None and Role.PLATFORM_ADMIN not in actor.roles:
        raise ValidationFailed({"code": N_("只有平台管理员可以新建机关")})
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
    if problem := password_problem(password or "", (username, display_name or "")):
        errors["password"] = problem
    agency = db.session.execute(select(Agency).where(Agency.code == agency_code)).scalar()
    if agency is None:
        errors["agency"] = N_("机关不存在")
    bad = [r for r in roles if r not in ROLE_VALUES]
    if bad or not roles:
        errors["roles"] = Msg("请选择有效的角色：{roles}", roles="、".join(sorted(ROLE_VALUES)))
    elif problem := _roles_problem(roles, actor):
        errors["roles"] = problem
    if agency is not None:
        _require_scope(actor, agency.id)
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, display_name=(display_name or username)[:100],
                password_hash=_hash(password), agency_id=agency.id,
                active=True, session_version=0, created_at=now())
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user_created", agency_id=agency.id,
                 data={"username": username, "roles": sorted(set(roles))})
    return user


def _active_admins() -> int:
    return db.session.execute(
        select(func.count()).select_from(User).join(UserRole)
        .where(UserRole.role == Role.ADMIN, User.active.is_(True))).scalar_one()


@atomic
def set_roles(user: User, roles: list[str], actor: Actor) -> None:
    if not roles or any(r not in ROLE_VALUES for r in roles):
        raise ValidationFailed({"roles": N_("请至少选择一个有效角色")})
    _require_scope(actor, user.agency_id)
    if problem := _roles_problem(roles, actor):
        raise ValidationFailed({"roles": problem})
    if Role.PLATFORM_ADMIN in user.roles and actor.id is not None \
            and Role.PLATFORM_ADMIN not in actor.roles:
        raise ValidationFailed({"roles": N_("只有平台管理员可以更改平台管理员的角色")})
    if (Role.ADMIN in user.roles and Role.ADMIN not in roles and user.active
            and _active_admins() <= 1):
        raise ValidationFailed({"roles": N_("不能移除最后一位管理员的管理员角色")})
    before = sorted(user.roles)
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    audit.record(actor, "roles_changed", agency_id=user.agency_id,
                 data={"username": user.username, "before": before, "after": sorted(set(roles))})


@atomic
def set_active(user: User, active: bool, actor: Actor) -> None:
    _require_scope(actor, user.agency_id)
    if not active and Role.ADMIN in user.roles and user.active and _active_admins() <= 1:
        raise ValidationFailed({"active": N_("不能停用最后一位管理员")})
    user.active = active
    user.session_version = (user.session_version or 0) + 1
    audit.record(actor, "user_activated" if active else "user_deactivated",
                 agency_id=user.agency_id, data={"username": user.username})


@atomic
def set_password(user: User, password: str, actor: Actor) -> None:
    """A new password (same policy as at creation); signs the user out everywhere."""
    _require_scope(actor, user.agency_id)
    if problem := password_problem(password or "", (user.username, user.display_name)):
        raise ValidationFailed({"password": problem})
    user.password_hash = _hash(password)
    user.session_version = (user.session_version or 0) + 1
    db.session.execute(delete(LoginFailure).where(
        LoginFailure.account_key == _account_key(user.username)))
    audit.record(actor, "password_changed", agency_id=user.agency_id,
                 data={"username": user.username})


# -- sign-in --------------------------------------------------------------------------------------

def verify_password(pwhash: str, password: str) -> bool:
    """The one password-hash verification of a sign-in attempt (tests count the calls)."""
    return check_password_hash(pwhash, password)


_dummy_hashes: dict[str, str] = {}


def dummy_hash() -> str:
    """A fixed hash of the configured method, verified when there is no real one to verify."""
    method = settings.current()["PASSWORD_HASH_METHOD"]
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("no user has this password", method=method)
    return _dummy_hashes[method]


def _account_key(username: str) -> str:
    """The user name as typed, keyed with the app secret (64 hex characters)."""
    return hmac.new(settings.current()["SECRET_KEY"].encode(), f"login|{username}".encode(),
                    hashlib.sha256).hexdigest()


def client_key(address: str | None) -> str:
    """The address throttling counts by: an IPv4 address, or the /64 network of an IPv6 one
    (one subscriber usually holds a whole /64)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return (address or "-").strip()[:64] or "-"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt came to. ``user`` on success. ``refused``: not even checked,
    because the client must wait until ``retry_at``; after a failure ``retry_at`` tells when
    the next attempt will be accepted (None: at once)."""
    user: User | None = None
    refused: bool = False
    retry_at: datetime | None = None


def _aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=timezone.utc) if dt is not None and dt.tzinfo is None else dt


def _wait_until(count: int, last: datetime | None, after: int) -> datetime | None:
    """After ``after`` failures the wait doubles with each further one: 2 s, 4 s, 8 s …"""
    if count < after or last is None:
        return None
    seconds = min(_setting("LOGIN_THROTTLE_MAX_SECONDS"), 2 ** min(count - after + 1, 30))
    return _aware(last) + timedelta(seconds=seconds)


def _failures(since: datetime, address: str, key: str | None = None) -> tuple[int, datetime | None]:
    q = select(func.count(), func.max(LoginFailure.at)).where(
        LoginFailure.address == address, LoginFailure.at > since)
    if key is not None:
        q = q.where(LoginFailure.account_key == key)
    count, last = db.session.execute(q).one()
    return count, last


def _retry_at(key: str, address: str, since: datetime) -> tuple[datetime | None, int, int]:
    pair, pair_last = _failures(since, address, key)
    everywhere, address_last = _failures(since, address)
    waits = [w for w in (_wait_until(pair, pair_last, _setting("LOGIN_THROTTLE_AFTER")),
                         _wait_until(everywhere, address_last,
                                     _setting("LOGIN_THROTTLE_ADDRESS_AFTER"))) if w]
    return (max(waits) if waits else None), pair, everywhere


def _agency_admins(agency_id: int) -> list[User]:
    return list(db.session.execute(select(User).join(UserRole).where(
        User.agency_id == agency_id, UserRole.role == Role.ADMIN,
        User.active.is_(True))).scalars().unique())


def _alert(user: User, address: str, failures: int, current: datetime) -> None:
    """The account crossed the threshold: an event, and (once a day) a message to the admins."""
    audit.record(SYSTEM_ACTOR, "login_throttled", agency_id=user.agency_id,
                 data={"username": user.username, "address": address, "failures": failures})
    day = timeutil.local_date(current)
    if claims.claim("login_throttled_alert", day, str(user.id)):
        agency = db.session.get(Agency, user.agency_id)
        when = timeutil.as_local(current).strftime("%Y-%m-%d %H:%M")
        # Internal notice to the agency's administrators (Chinese, like the sweep's digests).
        outbox.notify_staff(
            _agency_admins(user.agency_id),
            f"【{agency.name}】账户 {user.username} 多次登录失败",
            f"{when}，账户 {user.username}（{user.display_name}）"
            f"自地址 {address} 连续 {failures} 次"
            f"登录失败，该地址此后的登录尝试已被延缓。账户未被锁定，本人从其他地址仍可正常登录。\n"
            f"如非本人操作，请核实情况；必要时在“用户与角色”中停用该账户或为其重设密码。")


@atomic
def sign_in(username: str | None, password: str | None, address: str | None = None) -> SignIn:
    """Check a sign-in attempt from ``address`` (the client's IP address)."""
    name = (username or "").strip()
    password = password or ""
    addr = client_key(address)
    key = _account_key(name)
    current = timeutil.now()
    since = current - timedelta(hours=_setting("LOGIN_THROTTLE_WINDOW_HOURS"))
    user = db.session.execute(select(User).where(User.username == name)).scalar() \
        if len(name) <= 64 else None
    retry_at, _pair, _everywhere = _retry_at(key, addr, since)
    refused = retry_at is not None and retry_at > current
    usable = user is not None and user.active and not refused
    # Exactly one verification on every path, the same cost whatever the outcome.
    matches = verify_password(user.password_hash if usable else dummy_hash(), password)
    if refused:
        if user is not None:
            audit.record(Actor(user.id, user.display_name), "login_refused",
                         agency_id=user.agency_id, data={"reason": "throttled"})
        return SignIn(refused=True, retry_at=retry_at)
    if usable and matches:
        db.session.execute(delete(LoginFailure).where(
            LoginFailure.account_key == key, LoginFailure.address == addr))
        audit.record(Actor.of(user), "login", agency_id=user.agency_id)
        return SignIn(user=user)
    db.session.add(LoginFailure(account_key=key, address=addr, at=current))
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= since))  # expired
    db.session.flush()
    retry_at, pair, everywhere = _retry_at(key, addr, since)
    if user is not None:
        if user.active:
            audit.record(Actor(user.id, user.display_name), "login_failed",
                         agency_id=user.agency_id, data={"failures": pair})
            if pair == _setting("LOGIN_THROTTLE_AFTER"):
                _alert(user, addr, pair, current)
        else:
            audit.record(Actor(user.id, user.display_name), "login_refused",
                         agency_id=user.agency_id, data={"reason": "inactive"})
    if everywhere == _setting("LOGIN_THROTTLE_ADDRESS_AFTER"):
        audit.record(SYSTEM_ACTOR, "login_throttled",
                     data={"address": addr, "failures": everywhere})
    return SignIn(retry_at=retry_at if retry_at is not None and retry_at > current else None)


def authenticate(username: str | None, password: str | None,
                 address: str | None = None) -> User | None:
    """The signed-in user, or None (wrong password, unknown or inactive user, or throttled)."""
    return sign_in(username, password, address).user


@atomic
def logout(user: User) -> None:
    user.session_version = (user.session_version or 0) + 1
    audit.record(Actor.of(user), "logout", agency_id=user.agency_id)


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
