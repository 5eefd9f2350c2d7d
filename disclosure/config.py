"""Every setting the app reads, with its default. Override in instance/config.py or by
environment: DATABASE_URL, SECRET_KEY and any DISCLOSURE_* variable (Flask from_prefixed_env)."""
from __future__ import annotations


class DefaultConfig:
    TIMEZONE = "Asia/Shanghai"
    # Filled by create_app: DATABASE_URL or instance SQLite.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # whole request; per-file limit below
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    # Where attachments are stored; None = instance/uploads. Several machines: one shared path.
    UPLOAD_DIR: str | None = None
    # Form text fields may be long enough that an over-long subject gets a field error (with the
    # input kept) instead of a bare 413 from Werkzeug's 500 kB default.
    MAX_FORM_MEMORY_SIZE = 4 * 1024 * 1024
    API_MAX_JSON_BYTES = 256 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a long form typed slowly must not fail on a token timeout
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    # Sign-in (issue 12): no lock-out anyone could trigger; failures slow further attempts per
    # (user name, address) pair and per address, doubling up to a cap (services.users)
    LOGIN_THROTTLE_AFTER = 5
    LOGIN_THROTTLE_ADDRESS_AFTER = 30
    LOGIN_THROTTLE_MAX_SECONDS = 900
    LOGIN_THROTTLE_WINDOW_HOURS = 24
    PASSWORD_MIN_LENGTH = 12  # staff; and not among zxcvbn's common passwords (score ≥ 3)
    PASSWORD_MIN_SCORE = 3
    RECEIPT_CODE_MINUTES = 30  # the receipt page shows the query code this long, server-side
    PASSWORD_HASH_METHOD = "scrypt"  # tests use a cheap pbkdf2 to stay fast
    APPLY_REQUIRE_ID_PROOF = False  # online form: a natural person must attach proof of identity
    SUBMIT_RATE_LIMIT = "30/minute"
    LOOKUP_RATE_LIMIT = "60/minute"
    LOGIN_RATE_LIMIT = "20/minute"
    # A lost query code (issue 16): per client on the API route, and per case per day
    QUERY_CODE_RATE_LIMIT = "5/hour"
    QUERY_CODE_REISSUES_PER_DAY = 3
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    SQLITE_CACHE_MB = 64  # SQLite's page cache per connection (database.cache_kib)
    PROXY_FIX_X_FOR = 0  # behind a reverse proxy: number of trusted X-Forwarded-For hops
    DUE_SOON_WORKDAYS = 3
    SUPPLEMENT_PERIOD_WORKDAYS = 15
    FEE_PAUSES_CLOCK = True
    OUTBOX_KEEP_DAYS = 180  # sent mails are deleted after this (0: kept forever); unsent never
    CASES_PER_PAGE = 50
    CASE_EXPORT_MAX_ROWS = 50_000  # the case list export (csv, xlsx) stops there, and says so
    REQUIRE_SIGN_OFF = False  # office-head 签发 before a reply is sent
    # Outgoing mail (DISCLOSURE_MAIL_SERVER etc.); without a server notices wait in the outbox.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "noreply@localhost"
    # Links in the applicant's notifications (services.notify): the site's public address, e.g.
    # "https://ysqgk.example.gov.cn" (DISCLOSURE_PUBLIC_BASE_URL); empty → "/status?no=…".
    PUBLIC_BASE_URL = ""
    # SMS to applicants (issue 16, services.sms; DISCLOSURE_SMS_*): without SMS_URL no SMS is
    # sent — they wait in the outbox. Basic auth (USERNAME/PASSWORD) or a bearer API key;
    # SMS_TEMPLATES: JSON {event: template id}; SMS_TIMEOUT in seconds.
    SMS_URL: str | None = None
    SMS_USERNAME: str | None = None
    SMS_PASSWORD: str | None = None
    SMS_API_KEY: str | None = None
    SMS_SIGN = ""
    SMS_TEMPLATES: dict = {}
    SMS_TIMEOUT = 10
    # Staff reminders (issue 17, services.digest): no staff SMS goes out within these local hours
    # (Asia/Shanghai; "HH:MM-HH:MM", may run past midnight) — the outbox holds them until the
    # end; e-mail is not held. Empty: no quiet hours.
    STAFF_QUIET_HOURS = "22:00-07:30"
    # The apply form's "可能已经公开" lookup (issue 17), per client address.
    SIMILAR_RATE_LIMIT = "120/minute"
    # The platform's own identity on public pages when the install serves several agencies
    # (one agency: its admin-edited profile is shown instead; services.agency_profile).
    PLATFORM_NAME: str | None = None
    PLATFORM_WEBSITE_CODE: str | None = None  # 网站标识码
    PLATFORM_ICP_RECORD: str | None = None    # ICP 备案号
    SWEEP_HOUR = 0  # the daily deadline sweep runs at 00:30 Asia/Shanghai
    # Dates in tests and the demo can be pinned: "YYYY-MM-DD"; None = the real clock.
    FIXED_TODAY: str | None = None


INSTANCE_CONFIG_TEMPLATE = (
    "# Instance settings for this installation (git-ignored). Generated on first run.\n"
    "SECRET_KEY = {secret!r}\n"
)


def load(app, test_config: dict | None) -> None:
    """DefaultConfig → instance/config.py (created with a fresh SECRET_KEY if missing) →
    DATABASE_URL / SECRET_KEY / DISCLOSURE_* from the environment → test_config."""
    import os
    import secrets

    app.config.from_object(DefaultConfig)
    os.makedirs(app.instance_path, exist_ok=True)
    if test_config is None:
        path = os.path.join(app.instance_path, "config.py")
        if not os.path.exists(path):
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(INSTANCE_CONFIG_TEMPLATE.format(secret=secrets.token_hex(32)))
        app.config.from_pyfile(path)
        app.config.from_prefixed_env("DISCLOSURE")
        for key in ("DATABASE_URL", "SECRET_KEY"):
            if os.environ.get(key):
                app.config[key] = os.environ[key]
    else:
        app.config.update(test_config)
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "disclosure.sqlite")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(url)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if url.startswith("sqlite"):
        options["connect_args"] = {**options.get("connect_args", {}), "timeout": 30}
    # Never write bound parameters (identity numbers, phone numbers…) into error logs.
    options.setdefault("hide_parameters", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set (instance/config.py or environment)")


def normalise_db_url(url: str) -> str:
    """Accept plain postgres:// URLs and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
