"""The SMS gateway (issue 16): one HTTP POST per message to the gateway the office contracts
(a provincial 政务短信平台 or a commercial provider behind a small adapter).

Settings (``DISCLOSURE_SMS_*`` in the environment, see docs/deployment.md):

- ``SMS_URL`` — the gateway's endpoint. Without it no SMS is sent: ``sms:`` outbox rows wait,
  marked 未配置短信网关, and the admin outbox page says so.
- ``SMS_USERNAME`` / ``SMS_PASSWORD`` (HTTP basic auth) or ``SMS_API_KEY`` (``Authorization:
  Bearer …``).
- ``SMS_SIGN`` — the registered 短信签名, sent as ``sign``.
- ``SMS_TEMPLATES`` — JSON object, event → the template id registered with the gateway
  (e.g. ``{"receipt": "SMS_0001"}``); the events are ``notify.EVENTS`` and ``query_code``.
- ``SMS_TIMEOUT`` — seconds (default 10).

The request body is JSON ``{"phone", "sign", "template", "params", "text"}``: ``text`` is the
whole message as kept in the outbox, ``template``/``params`` (``no``, ``link``, and ``code`` for
a new query code) are for gateways that only send registered templates (``template`` is null
for an event without a configured id). A non-2xx answer or a JSON answer ``{"ok": false}`` is a
failure: ``send`` raises ``SmsError`` and the outbox keeps the row for its next run (attempts,
last_error), as for mail. Logs carry the number masked (138****0000), never the text.
"""
from __future__ import annotations

import base64
import json
import logging
import re
import urllib.error
import urllib.request

from .. import settings

log = logging.getLogger("disclosure.sms")

NOT_CONFIGURED = "未配置短信网关"
MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-()]")


class SmsError(Exception):
    """The gateway refused the message or could not be reached."""


def configured() -> bool:
    return bool(settings.current().get("SMS_URL"))


def mobile(phone: str | None) -> str | None:
    """A mainland mobile number (1[3-9] and nine digits, +86 / 0086 allowed) in its plain
    11-digit form; None for a landline or anything else."""
    digits = _SEPARATORS.sub("", phone or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if MOBILE.fullmatch(digits) else None


def mask(phone: str) -> str:
    """138****0000: enough to tell messages apart in a log, not to call anyone."""
    phone = phone or ""
    if len(phone) >= 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def templates() -> dict:
    """SMS_TEMPLATES as a dict (Flask already parsed the environment's JSON; a string that is
    not valid JSON counts as no templates, with a warning)."""
    raw = settings.current().get("SMS_TEMPLATES") or {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            log.warning("DISCLOSURE_SMS_TEMPLATES is not valid JSON: ignored")
            return {}
    return raw if isinstance(raw, dict) else {}


def _auth_header(cfg) -> str | None:
    if cfg.get("SMS_USERNAME"):
        pair = f"{cfg['SMS_USERNAME']}:{cfg.get('SMS_PASSWORD') or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    if cfg.get("SMS_API_KEY"):
        return f"Bearer {cfg['SMS_API_KEY']}"
    return None


def _refusal(raw: bytes) -> str | None:
    """The gateway's own "not sent" inside a 2xx answer: {"ok": false, "error"/"message": …}."""
    try:
        answer = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError):
        return None  # a 2xx answer that is not JSON: accepted
    if isinstance(answer, dict) and answer.get("ok") is False:
        return str(answer.get("error") or answer.get("message") or "ok: false")[:200]
    return None


def send(phone: str, text: str, *, event: str | None = None, params: dict | None = None) -> None:
    """POST one message; raises SmsError (or OSError) when it was not accepted."""
    cfg = settings.current()
    if not cfg.get("SMS_URL"):
        raise SmsError(NOT_CONFIGURED)
    number = mobile(phone)
    if number is None:
        raise SmsError("不是大陆手机号码")
    template = templates().get(event) if event else None
    body = json.dumps({"phone": number, "sign": str(cfg.get("SMS_SIGN") or ""),
                       "template": str(template) if template is not None else None,
                       "params": params or {}, "text": text}, ensure_ascii=False).encode()
    try:
        request = urllib.request.Request(cfg["SMS_URL"], data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Accept": "application/json"})
    except ValueError as exc:  # not an http(s) URL
        raise SmsError(f"DISCLOSURE_SMS_URL: {exc}") from None
    if (auth := _auth_header(cfg)) is not None:
        request.add_header("Authorization", auth)
    timeout = float(cfg.get("SMS_TIMEOUT") or 10)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read(4096)
    except urllib.error.HTTPError as exc:  # non-2xx
        detail = exc.read(200).decode("utf-8", "replace").strip()
        log.warning("SMS to %s (%s) refused: HTTP %s", mask(number), event or "-", exc.code)
        raise SmsError(f"HTTP {exc.code}: {detail}"[:300]) from None
    except OSError as exc:
        log.warning("SMS to %s (%s) failed: %s", mask(number), event or "-",
                    type(exc).__name__)
        raise
    if not 200 <= status < 300:
        log.warning("SMS to %s (%s) refused: HTTP %s", mask(number), event or "-", status)
        raise SmsError(f"HTTP {status}")
    if (refused := _refusal(raw)) is not None:
        log.warning("SMS to %s (%s) refused by the gateway", mask(number), event or "-")
        raise SmsError(f"网关拒绝：{refused}")
    log.info("SMS to %s (%s) sent", mask(number), event or "-")
