"""The agency profile (issue 15): what an agency's administrator says about the agency — the
机关代字 of its 文号, its address, phone and office hours, the 网站标识码 and ICP 备案号 its
pages must show, its emblem, and the handler new cases go to.

Editing: ``load`` (the agency if the actor may edit it), ``check`` (field errors in Chinese,
keyed by form field), ``save`` (one unit of work, one ``agency_profile_changed`` event naming
what changed, before and after). An agency's administrator edits its own agency; a platform
administrator any agency.

Reading for the pages: ``header_identity`` / ``public_identity`` — plain values, read once per
settings scope (one request, one command), so a page asks the database once however many
places of the layout show the profile. An install with one agency shows that agency to the
public; with several, the platform (``PLATFORM_NAME``, ``PLATFORM_WEBSITE_CODE``,
``PLATFORM_ICP_RECORD``; docs/deployment.md).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select

from .. import settings
from ..domain.codes import Role
from ..domain.errors import ValidationFailed
from ..domain.letter_numbers import check_prefix, default_prefix, format_number
from ..domain.text import N_, Msg
from ..extensions import db
from ..models import Agency, User, UserRole
from . import audit, handlers, uploads
from .actors import SYSTEM_ACTOR, Actor
from .unit_of_work import atomic

TEXT_FIELDS = ("letter_prefix", "address", "phone", "office_hours", "website_code",
               "icp_record")
MAX_LENGTH = {"address": 300, "phone": 60, "office_hours": 200, "website_code": 40,
              "icp_record": 80}
LABELS = {"address": N_("地址"), "phone": N_("电话"), "office_hours": N_("办公时间"),
          "website_code": N_("网站标识码"), "icp_record": N_("备案号")}
# 政府信息公开指南 (issue 17), shown on the public site: paragraphs, so kept with its line breaks
GUIDE_FIELD = "guide_text"
GUIDE_MAX = 20000
EMBLEM_MAX_BYTES = 200 * 1024
EMBLEM_TYPES = {"png": "image/png", "jpg": "image/jpeg"}  # no SVG: it can carry script

# domain.letter_numbers.check_prefix's messages, listed so they are extracted for translation
PREFIX_MESSAGES = (N_("机关代字不能超过 12 个字"),
                   N_("机关代字只写代字本身（如 包政信），不含括号、年份、数字或“号”"))

PHONE = re.compile(r"[0-9 +\-()（）转、,，;；/.]+")
WEBSITE_CODE = re.compile(r"[0-9A-Za-z]{10}")
# 苏ICP备05001234号, 京ICP备2023012345号-2
ICP_RECORD = re.compile(r"[\u4e00-\u9fff]ICP备\d{4,12}号(-\d{1,3})?")
ICP_EXAMPLE = "苏ICP备05001234号-1"  # data (the form's example): a record number as issued
CACHE_KEY = "agency_profile"


# -- editing --------------------------------------------------------------------------------------

def may_edit(actor: Actor, agency_id: int | None) -> bool:
    """An agency's administrator its own agency; a platform administrator every agency; the
    system (CLI, demo) any. Not ``access.can_see_agency``: a supervisor's reach over the
    agencies below it (issue 17) is reading their cases, never editing them."""
    if actor.id is None:
        return True
    if Role.PLATFORM_ADMIN in actor.roles:
        return True
    return Role.ADMIN in actor.roles and agency_id is not None and agency_id == actor.agency_id


def load(actor: Actor, agency_id) -> Agency | None:
    """The agency if it exists and ``actor`` may edit its profile; None alike otherwise."""
    try:
        agency = db.session.get(Agency, int(agency_id))
    except (TypeError, ValueError, OverflowError):
        return None
    return agency if agency is not None and may_edit(actor, agency.id) else None


def handlers_of(agency: Agency) -> list[User]:
    """The agency's case handlers (active first, by name): the choices for the default
    handler."""
    rows = db.session.execute(
        select(User).join(UserRole).where(User.agency_id == agency.id,
                                          UserRole.role == Role.HANDLER)
        .order_by(User.active.desc(), User.display_name, User.id)).scalars()
    return list(rows)


def suggested_prefix(agency: Agency) -> str:
    """The 机关代字 used while none is set."""
    return default_prefix(agency.name)


def example_number(prefix: str) -> str:
    """A 文号 made with ``prefix`` (its third 补正告知书 of 2026), to show what the prefix does."""
    return format_number(prefix, "supplement", 2026, 3)


def _clean_block(value) -> str | None:
    """A text of paragraphs: line ends unified, blank lines at either end dropped."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def _clean(value) -> str | None:
    text = " ".join(str(value or "").split())  # one line: no tabs, no line breaks
    return text or None


def _handler_problem(agency: Agency, handler_id) -> tuple[int | None, str | None]:
    """(the handler's id or None, a message when it cannot be the default handler). Who may
    handle the agency's cases is services.handlers' rule."""
    if handler_id in (None, ""):
        return None, None
    try:
        hid = int(handler_id)
    except (TypeError, ValueError):
        hid = None
    if hid is None or not 0 < hid < 2**63:
        return None, N_("默认承办人须为本机关的承办人")
    if handlers.qualified(agency.id, hid) is not None:
        return hid, None
    user = db.session.get(User, hid)
    if user is not None and user.agency_id == agency.id and Role.HANDLER in user.roles:
        return None, N_("该承办人账户已停用，请另选默认承办人")
    # Another agency's user, a non-handler and an unknown id get the same answer.
    return None, N_("默认承办人须为本机关的承办人")


def _png_or_jpeg(data: bytes) -> str | None:
    """The emblem's real type, from its bytes (PNG with its IHDR chunk, or JPEG), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    return None


def emblem_problem(upload: uploads.Upload) -> str | None:
    if not upload.data:
        return N_("文件为空")
    if len(upload.data) > EMBLEM_MAX_BYTES:
        return Msg("徽标图片不能超过 {kb} KB", kb=EMBLEM_MAX_BYTES // 1024)
    if _png_or_jpeg(upload.data) is None:
        return N_("徽标只接受 PNG 或 JPEG 图片（按文件内容判断）")
    return None


def check(agency: Agency, values: dict, emblem: uploads.Upload | None = None) -> dict:
    """The field errors (Chinese, keyed by form field) of a profile as typed; {} when it can be
    saved."""
    errors = {}
    prefix = _clean(values.get("letter_prefix"))
    if prefix and (problem := check_prefix(prefix)):
        errors["letter_prefix"] = problem
    for name, limit in MAX_LENGTH.items():
        text = _clean(values.get(name))
        if text and len(text) > limit:
            errors[name] = Msg("{label}不能超过 {n} 个字", label=LABELS[name], n=limit)
        elif text and not text.isprintable():
            errors[name] = Msg("{label}含有不可显示的字符", label=LABELS[name])
    phone = _clean(values.get("phone"))
    if "phone" not in errors and phone and (not PHONE.fullmatch(phone)
                                            or not any(c.isdigit() for c in phone)):
        errors["phone"] = N_("电话只写号码：数字、空格、-、括号、“转”，多个号码用顿号或逗号分隔")
    code = _clean(values.get("website_code"))
    if "website_code" not in errors and code and not WEBSITE_CODE.fullmatch(code):
        errors["website_code"] = N_("网站标识码为 10 位字母或数字（如 3206840001）")
    icp = _clean(values.get("icp_record"))
    if "icp_record" not in errors and icp and not ICP_RECORD.fullmatch(icp):
        errors["icp_record"] = N_("备案号的格式不对，请照 ICP 备案通知书逐字填写")
    guide = _clean_block(values.get(GUIDE_FIELD))
    if guide and len(guide) > GUIDE_MAX:
        errors[GUIDE_FIELD] = Msg("政府信息公开指南不能超过 {n} 个字", n=GUIDE_MAX)
    elif guide and not all(c.isprintable() or c in "\n\t" for c in guide):
        errors[GUIDE_FIELD] = N_("政府信息公开指南含有不可显示的字符")
    _hid, problem = _handler_problem(agency, values.get("default_handler_id"))
    if problem:
        errors["default_handler_id"] = problem
    if emblem is not None and (problem := emblem_problem(emblem)):
        errors["emblem"] = problem
    return errors


def _username(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.username if user is not None else None


@atomic
def save(agency: Agency, values: dict, actor: Actor = SYSTEM_ACTOR,
         emblem: uploads.Upload | None = None, remove_emblem: bool = False) -> list[str]:
    """Save the profile as typed (``values``: the text fields and ``default_handler_id``; an
    emblem image to replace the current one, or ``remove_emblem``). Returns the names of the
    fields that changed; writes one audit event when any did. Raises ValidationFailed with field
    errors (nothing saved) when a field is wrong or ``actor`` may not edit this agency."""
    agency = db.session.get(Agency, agency.id)  # re-read under the write lock
    if agency is None or not may_edit(actor, agency.id):
        raise ValidationFailed({"agency": N_("只能编辑本机关的信息")})
    errors = check(agency, values, emblem)
    if errors:
        raise ValidationFailed(errors)
    changes: dict[str, dict] = {}
    for name in TEXT_FIELDS:
        after = _clean(values.get(name))
        if name == "website_code" and after:
            after = after.upper()
        before = getattr(agency, name)
        if after != before:
            changes[name] = {"before": before, "after": after}
            setattr(agency, name, after)
    if GUIDE_FIELD in values:  # a caller that does not show the guide leaves it alone
        guide = _clean_block(values.get(GUIDE_FIELD))
        if guide != agency.guide_text:
            changes[GUIDE_FIELD] = {"before": agency.guide_text, "after": guide}
            agency.guide_text = guide
    handler_id, _problem = _handler_problem(agency, values.get("default_handler_id"))
    if handler_id != agency.default_handler_id:
        changes["default_handler"] = {
            "before": _username(agency.default_handler_id), "after": _username(handler_id)}
        agency.default_handler_id = handler_id
    if emblem is not None:
        stored = uploads.store(emblem)  # the old file stays: earlier pages and events name it
        changes["emblem"] = {"before": agency.emblem_stored_name, "after": stored.stored_name,
                             "sha256": hashlib.sha256(emblem.data).hexdigest(),
                             "size": len(emblem.data)}
        agency.emblem_stored_name = stored.stored_name
        agency.emblem_content_type = EMBLEM_TYPES[_png_or_jpeg(emblem.data)]
    elif remove_emblem and agency.emblem_stored_name:
        changes["emblem"] = {"before": agency.emblem_stored_name, "after": None}
        agency.emblem_stored_name = agency.emblem_content_type = None
    if changes:
        audit.record(actor, "agency_profile_changed", agency_id=agency.id,
                     data={"code": agency.code, "changes": changes})
    forget()
    return sorted(changes)


# -- reading: the header, the footer, the emblem ---------------------------------------------------

@dataclass(frozen=True)
class Identity:
    """Who the pages speak for: an agency, or the platform (``agency_id`` None; ``name`` None
    when no PLATFORM_NAME is configured — the page then names the system)."""

    agency_id: int | None
    name: str | None
    emblem: str | None = None  # the stored name, for the emblem's URL
    address: str | None = None
    phone: str | None = None
    office_hours: str | None = None
    website_code: str | None = None
    icp_record: str | None = None

    @property
    def has_contact(self) -> bool:
        return any((self.address, self.phone, self.office_hours, self.website_code,
                    self.icp_record))


def _of(agency: Agency) -> Identity:
    return Identity(agency.id, agency.name, agency.emblem_stored_name, agency.address,
                    agency.phone, agency.office_hours, agency.website_code, agency.icp_record)


def _platform() -> Identity:
    cfg = settings.current()
    return Identity(None, cfg.get("PLATFORM_NAME") or None,
                    website_code=cfg.get("PLATFORM_WEBSITE_CODE") or None,
                    icp_record=cfg.get("PLATFORM_ICP_RECORD") or None)


def _cached(key, make) -> Identity:
    try:
        cache = settings.cache().setdefault(CACHE_KEY, {})
    except LookupError:  # no scope: nothing to share the answer with
        return make()
    if key not in cache:
        cache[key] = make()
    return cache[key]


def public_identity() -> Identity:
    """What the public pages show: the agency when the install has exactly one; on a county
    platform (issue 17) whose agencies form one tree, its root (the county government) unless
    PLATFORM_NAME names the platform; else the platform."""
    def make() -> Identity:
        first_two = list(db.session.execute(select(Agency).order_by(Agency.id).limit(2))
                         .scalars())
        if len(first_two) == 1:
            return _of(first_two[0])
        roots = list(db.session.execute(select(Agency).where(Agency.parent_id.is_(None))
                                        .limit(2)).scalars())
        if len(roots) == 1 and not settings.current().get("PLATFORM_NAME"):
            return _of(roots[0])
        return _platform()
    return _cached("public", make)


def header_identity(agency_id: int | None) -> Identity:
    """What a signed-in staff member's pages show: their own agency (the public identity when
    the account has none)."""
    if agency_id is None:
        return public_identity()

    def make() -> Identity:
        agency = db.session.get(Agency, agency_id)
        return _of(agency) if agency is not None else _platform()
    return _cached(agency_id, make)


def forget() -> None:
    """Drop what this scope has read (after a save)."""
    try:
        settings.cache().pop(CACHE_KEY, None)
    except LookupError:
        pass


def emblem_file(agency_id: int, stored_name: str) -> tuple[str, str] | None:
    """(path, content type) of an agency's current emblem named ``stored_name`` — never any
    other stored file (attachments share the folder) — or None."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or not agency.emblem_stored_name \
            or agency.emblem_stored_name != stored_name:
        return None
    return uploads.path_of(stored_name), agency.emblem_content_type or "application/octet-stream"
