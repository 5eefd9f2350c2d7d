"""Agencies, staff accounts, roles, passwords, sign-in and throttling (services.users)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from disclosure.domain.errors import ValidationFailed
from disclosure.extensions import db
from disclosure.models import Event, User
from disclosure.services import users
from disclosure.services.actors import Actor
from tests.conftest import PASSWORD


def events(action: str) -> list[Event]:
    return list(db.session.execute(
        select(Event).where(Event.action == action).order_by(Event.id)).scalars())


def admin_actor(staff) -> Actor:
    return Actor.of(staff["admin"])


# -- agencies -------------------------------------------------------------------------------------

def test_create_agency_normalises_code_and_audits(ctx):
    agency = users.create_agency(" bcz ", " 包场镇人民政府 ")
    assert agency.code == "BCZ" and agency.name == "包场镇人民政府"
    [ev] = events("agency_created")
    assert ev.agency_id == agency.id and ev.data == {"code": "BCZ", "name": "包场镇人民政府"}


@pytest.mark.parametrize("code", ["", "  ", "B C", "包场", "A" * 33, "BCZ;DROP", "B-Z"])
def test_create_agency_refuses_bad_codes(ctx, code):
    with pytest.raises(ValidationFailed) as exc:
        users.create_agency(code, "某机关")
    assert set(exc.value.errors) == {"code"}


def test_create_agency_refuses_missing_or_long_name(ctx):
    for name in ("", "  ", "名" * 201):
        with pytest.raises(ValidationFailed) as exc:
            users.create_agency("OK1", name)
        assert set(exc.value.errors) == {"name"}


def test_create_agency_refuses_duplicate_code_case_insensitively(agency):
    with pytest.raises(ValidationFailed) as exc:
        users.create_agency("bcz", "另一个机关")
    assert exc.value.errors == {"code": "该机关代码已存在"}


# -- users ----------------------------------------------------------------------------------------

def test_create_user_hashes_password_and_sorts_roles(agency, app):
    user = users.create_user("clerk", PASSWORD, "BCZ", ["reviewer", "handler", "handler"], "办事员")
    assert user.roles == {"handler", "reviewer"}
    assert user.active and user.agency_id == agency.id and user.display_name == "办事员"
    assert PASSWORD not in user.password_hash
    method = app.config.get("PASSWORD_HASH_METHOD", "scrypt").split(":")[0]
    assert user.password_hash.startswith(method + ":")
    assert users.authenticate("clerk", PASSWORD) is user
    [ev] = events("user_created")
    assert ev.data == {"username": "clerk", "roles": ["handler", "reviewer"]}


def test_production_hashing_is_scrypt(make_app):
    from disclosure.config import DefaultConfig
    assert getattr(DefaultConfig, "PASSWORD_HASH_METHOD", "scrypt").startswith("scrypt")
    app = make_app(PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        users.create_agency("BCZ", "包场镇人民政府")
        user = users.create_user("clerk", PASSWORD, "BCZ", ["handler"])
        assert user.password_hash.startswith("scrypt:")
        assert users.authenticate("clerk", PASSWORD) is user


def test_create_user_display_name_defaults_to_username(agency):
    assert users.create_user("clerk", PASSWORD, "BCZ", ["handler"]).display_name == "clerk"


@pytest.mark.parametrize("password, fragment", [
    ("", "至少 12 位"),
    ("Ab1-", "至少 12 位"),
    ("Abcdef12!-x", "至少 12 位"),         # 11 characters
    ("password123", "常见密码"),           # in the common-password list
    ("Password1234", "常见密码"),
    ("qwertyuiop123", "常见密码"),
    ("abcdefghijkl", "容易被猜中"),         # a sequence
    ("1234567890123", "容易被猜中"),
    ("!!!!!!!!!!!!", "容易被猜中"),         # a repeat
    ("密码密码密码密码密码密码", "容易被猜中"),
    ("iloveyou1234", "容易被猜中"),         # a common password with digits added
])
def test_weak_passwords_are_refused(agency, password, fragment):
    with pytest.raises(ValidationFailed) as exc:
        users.create_user("clerk", password, "BCZ", ["handler"])
    assert fragment in exc.value.errors["password"]
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_the_user_name_counts_as_a_guessable_word(agency):
    assert users.password_problem("registrar-2026", ("registrar",)) is not None


@pytest.mark.parametrize("password", [PASSWORD, "Demo-registrar-2026", "Demo-head-2026",
                                      "correct horse battery", "我的密码是包场镇人民政府办公室"])
def test_long_uncommon_passwords_are_accepted(agency, password):
    assert users.password_problem(password) is None
    users.create_user("clerk", password, "BCZ", ["handler"])
    assert users.authenticate("clerk", password) is not None


def test_password_minimum_length_is_configurable_but_never_below_12(make_app):
    app = make_app(PASSWORD_MIN_LENGTH=16)
    with app.app_context():
        assert users.password_problem("Abcdefgh-123x") == "密码至少 16 位"
        assert users.password_problem("Zebra-Tulip-8-Anvil") is None
    app = make_app(PASSWORD_MIN_LENGTH=6)
    with app.app_context():
        assert users.password_problem("Zq-8-Anvil!") == "密码至少 12 位"


def test_set_password_applies_the_policy_and_ends_old_sessions(staff):
    user = staff["handler"]
    token = user.get_id()
    with pytest.raises(ValidationFailed) as exc:
        users.set_password(user, "password1234", admin_actor(staff))
    assert "常见密码" in exc.value.errors["password"]
    users.set_password(user, "Zebra-Tulip-8-Anvil", admin_actor(staff))
    assert users.load_user(token) is None
    assert users.authenticate("handler", PASSWORD) is None
    assert users.authenticate("handler", "Zebra-Tulip-8-Anvil") is user
    [ev] = events("password_changed")
    assert ev.data == {"username": "handler"} and ev.actor_id == staff["admin"].id


def test_create_user_reports_every_error_at_once(agency):
    with pytest.raises(ValidationFailed) as exc:
        users.create_user("has space", "short", "NOPE", ["wizard"])
    assert set(exc.value.errors) == {"username", "password", "agency", "roles"}


@pytest.mark.parametrize("username", ["", "   ", "a b", "x" * 65, "tab\tname", "nul\x00name"])
def test_create_user_refuses_bad_usernames(agency, username):
    with pytest.raises(ValidationFailed) as exc:
        users.create_user(username, PASSWORD, "BCZ", ["handler"])
    assert set(exc.value.errors) == {"username"}


def test_create_user_refuses_duplicate_username(staff):
    with pytest.raises(ValidationFailed) as exc:
        users.create_user("handler", PASSWORD, "BCZ", ["handler"])
    assert exc.value.errors == {"username": "该用户名已存在"}


def test_create_user_requires_a_role(agency):
    with pytest.raises(ValidationFailed) as exc:
        users.create_user("clerk", PASSWORD, "BCZ", [])
    assert set(exc.value.errors) == {"roles"}


# -- sign-in and lock-out -------------------------------------------------------------------------

def test_authenticate_success_records_login(staff):
    user = users.authenticate("handler", PASSWORD)
    assert user is not None and user.id == staff["handler"].id
    [ev] = events("login")
    assert ev.actor_id == user.id


def test_authenticate_trims_the_username(staff):
    assert users.authenticate("  handler ", PASSWORD) is not None


def test_authenticate_wrong_password_records_failure(staff):
    assert users.authenticate("handler", PASSWORD + "x") is None
    [ev] = events("login_failed")
    assert ev.actor_id == staff["handler"].id and ev.data == {"failures": 1}
    assert events("login") == []


def test_authenticate_unknown_user_and_empty_password(staff):
    assert users.authenticate("nobody", PASSWORD) is None
    assert users.authenticate("handler", "") is None
    assert users.authenticate("handler", None) is None
    assert users.authenticate(None, PASSWORD) is None


def test_failures_slow_down_never_lock_and_success_resets_the_count(staff, app):
    """Issue 12: no lock-out. After LOGIN_THROTTLE_AFTER failures from one address the next
    attempt is refused until the wait is over; a success clears that address's count."""
    limit = users.DEFAULTS["LOGIN_THROTTLE_AFTER"]
    for _ in range(limit - 1):
        assert users.sign_in("handler", "wrong-password-1", "10.0.0.1").retry_at is None
    assert users.sign_in("handler", PASSWORD, "10.0.0.1").user is not None
    for _ in range(limit - 1):  # the count starts again
        users.sign_in("handler", "wrong-password-1", "10.0.0.1")
    assert users.sign_in("handler", PASSWORD, "10.0.0.1").user is not None
    for _ in range(limit):
        last = users.sign_in("handler", "wrong-password-1", "10.0.0.1")
    assert last.retry_at is not None
    refused = users.sign_in("handler", PASSWORD, "10.0.0.1")
    assert refused.refused and refused.user is None
    assert users.sign_in("handler", PASSWORD, "10.0.0.2").user is not None  # not locked


def test_inactive_user_cannot_sign_in(staff):
    users.set_active(staff["handler"], False, admin_actor(staff))
    assert users.authenticate("handler", PASSWORD) is None
    assert len(events("login_refused")) == 1


# -- sessions -------------------------------------------------------------------------------------

def test_load_user_token_carries_the_session_version(staff):
    user = staff["handler"]
    token = user.get_id()
    assert users.load_user(token) is user
    users.logout(user)
    assert users.load_user(token) is None
    assert users.load_user(user.get_id()) is user
    assert len(events("logout")) == 1


@pytest.mark.parametrize("token", ["", "x", "1", "1:x", "999:0", None, "1:0:0"])
def test_load_user_rejects_garbage_tokens(staff, token):
    assert users.load_user(token) is None


def test_deactivation_invalidates_existing_sessions(staff):
    user = staff["handler"]
    token = user.get_id()
    users.set_active(user, False, admin_actor(staff))
    assert users.load_user(token) is None
    users.set_active(user, True, admin_actor(staff))
    assert users.load_user(token) is None  # old cookie stays dead after re-activation
    assert users.load_user(user.get_id()) is user
    assert [e.action for e in events("user_deactivated") + events("user_activated")] == [
        "user_deactivated", "user_activated"]


# -- roles and the last admin ---------------------------------------------------------------------

def test_set_roles_replaces_roles_and_audits_before_after(staff):
    user = staff["handler"]
    users.set_roles(user, ["reviewer", "handler"], admin_actor(staff))
    assert db.session.get(User, user.id).roles == {"handler", "reviewer"}
    [ev] = events("roles_changed")
    assert ev.data == {"username": "handler", "before": ["handler"],
                       "after": ["handler", "reviewer"]}
    assert ev.actor_id == staff["admin"].id


@pytest.mark.parametrize("roles", [[], ["superuser"], ["handler", "root"]])
def test_set_roles_refuses_empty_or_unknown_roles(staff, roles):
    with pytest.raises(ValidationFailed):
        users.set_roles(staff["handler"], roles, admin_actor(staff))
    assert staff["handler"].roles == {"handler"}


def test_last_admin_keeps_the_admin_role(staff):
    admin = staff["admin"]
    with pytest.raises(ValidationFailed) as exc:
        users.set_roles(admin, ["handler"], admin_actor(staff))
    assert "最后一位管理员" in exc.value.errors["roles"]
    assert "admin" in db.session.get(User, admin.id).roles
    assert events("roles_changed") == []


def test_last_admin_may_gain_other_roles(staff):
    users.set_roles(staff["admin"], ["admin", "handler"], admin_actor(staff))
    assert staff["admin"].roles == {"admin", "handler"}


def test_last_admin_cannot_be_deactivated(staff):
    admin = staff["admin"]
    with pytest.raises(ValidationFailed) as exc:
        users.set_active(admin, False, admin_actor(staff))
    assert "最后一位管理员" in exc.value.errors["active"]
    assert db.session.get(User, admin.id).active is True


def test_admin_role_can_be_removed_when_another_admin_remains(staff):
    second = users.create_user("admin2", PASSWORD, "BCZ", ["admin"])
    users.set_roles(staff["admin"], ["handler"], Actor.of(second))
    assert staff["admin"].roles == {"handler"}
    # now admin2 is the last one
    with pytest.raises(ValidationFailed):
        users.set_roles(second, ["handler"], Actor.of(second))
    with pytest.raises(ValidationFailed):
        users.set_active(second, False, Actor.of(second))


def test_an_inactive_admin_does_not_count_as_the_remaining_admin(staff):
    second = users.create_user("admin2", PASSWORD, "BCZ", ["admin"])
    users.set_active(second, False, admin_actor(staff))
    with pytest.raises(ValidationFailed):
        users.set_roles(staff["admin"], ["handler"], admin_actor(staff))
    with pytest.raises(ValidationFailed):
        users.set_active(staff["admin"], False, admin_actor(staff))


def test_admin_can_be_deactivated_when_another_admin_remains(staff):
    second = users.create_user("admin2", PASSWORD, "BCZ", ["admin"])
    users.set_active(staff["admin"], False, Actor.of(second))
    assert staff["admin"].active is False
