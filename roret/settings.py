"""Django settings for roret.

Development (``make run``) needs nothing: SQLite in ``var/``, DEBUG on, a development key.
Production (``RORET_DEBUG=0``) refuses to start without SECRET_KEY, DATABASE_URL,
ALLOWED_HOSTS and FIELD_ENCRYPTION_KEY.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from roret.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("RORET_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("RORET_DEBUG", True)

_DEV_SECRET = "roret-development-only-not-secret"
# A Fernet key (32 url-safe base64 bytes) for development and tests only.
_DEV_FIELD_KEY = "cm9yZXQtZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQ="

SECRET_KEY = envstr("SECRET_KEY", None if not DEBUG else _DEV_SECRET)
# The field keys: FIELD_ENCRYPTION_KEYS (newest first) or FIELD_ENCRYPTION_KEY; see the keys block below.
FIELD_ENCRYPTION_KEY = envstr("FIELD_ENCRYPTION_KEY",
                              None if not DEBUG or envstr("FIELD_ENCRYPTION_KEYS") else _DEV_FIELD_KEY)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
_DATABASE_URL = envstr("DATABASE_URL", None if not DEBUG else f"sqlite:///{VAR_DIR / 'roret.sqlite3'}")

if not DEBUG:
    missing = [
        name
        for name, value in (
            ("SECRET_KEY", SECRET_KEY),
            ("DATABASE_URL", _DATABASE_URL),
            ("ALLOWED_HOSTS", ALLOWED_HOSTS),
            ("FIELD_ENCRYPTION_KEY(S)", FIELD_ENCRYPTION_KEY or envstr("FIELD_ENCRYPTION_KEYS")),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "roret runs with DEBUG off and needs these environment variables: " + ", ".join(missing)
        )
    if SECRET_KEY == _DEV_SECRET or FIELD_ENCRYPTION_KEY == _DEV_FIELD_KEY:
        raise ImproperlyConfigured("the development SECRET_KEY / FIELD_ENCRYPTION_KEY must not be used in production")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "roret.core",
    "roret.citizens",
    "roret.offers",
    "roret.placements",
    "roret.visitation",
    "roret.meetings",
    "roret.outcomes",
    "roret.helm",
    "roret.journal",
    "roret.economy",
    "roret.balance",
    "roret.capacity",
    "roret.plans",
    "roret.reports",
    "roret.imports",
    "roret.api",
    "roret.front",
    "roret.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files answered before any session or database work (and without Cache-Control: no-store).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "roret.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "roret.core.middleware.DanishUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "roret.core.input_guard.InputGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "roret.core.sessions.IdleTimeoutMiddleware",
    "roret.core.two_factor.TwoFactorMiddleware",
    # A citizen signed in to their own page reaches that page and nothing else (404 elsewhere).
    "roret.helm.middleware.CitizenConfinementMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "roret.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "roret" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "roret.core.context.navigation",
            ],
            "builtins": ["roret.core.templatetags.form_token"],
        },
    },
]

WSGI_APPLICATION = "roret.wsgi.application"

DATABASES = {"default": dj_database_url.parse(_DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 0))}
# Behind pgbouncer in transaction mode a server-side cursor (.iterator()) does not survive (docs/deploy.md).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = envbool("DB_DISABLE_SERVER_SIDE_CURSORS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock when a transaction starts, so two writers checking the
    # last free place serialise instead of both reading "free" (see placements.services).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too: an in-memory database shared between threads answers "table is
    # locked" instead of waiting, and the concurrency tests need real locking.
    # One file per test run (pid), so parallel runs on one machine do not share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_roret_{os.getpid()}.sqlite3")}
else:
    if envstr("RORET_TEST_DB_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": envstr("RORET_TEST_DB_NAME")}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: the list and steering queries' estimated cost passes PostgreSQL's
        # jit_above_cost, and compiling them took about 55 ms of the offer list's 150 ms query on
        # every request at 100,000 citizens, for queries that then run in milliseconds
        # (docs/benchmarks.md). RORET_PG_JIT=1 leaves the server's setting.
        if not envbool("RORET_PG_JIT", False):
            options = DATABASES["default"].setdefault("OPTIONS", {})
            options["options"] = (options.get("options", "") + " -c jit=off").strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes first: it refuses a locked-out user name or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id first; the others only check hashes made before it (a login rehashes them to Argon2).
# roret's Argon2 has OWASP's parameters (19 MiB, t=2, p=1; roret/core/hashers.py), not Django's
# 100 MiB and 8 lanes: a tenth of the CPU per login. It also checks hashes made with Django's.
PASSWORD_HASHERS = [
    "roret.core.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "roret" / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["roret.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("RORET_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    ("dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
    BASE_DIR / "roret" / "static",
]

# Production serves static files through WhiteNoise from STATIC_ROOT (`roret collectstatic`), with
# hashed names that may be cached for a year; development and tests use the finders as they are.
# Development and tests: WhiteNoise finds files through the finders, as runserver does.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
if not DEBUG:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# --- HTTP headers and cookies (docs/security.md, "HTTP headers and pages") ---------------------
# Behind a reverse proxy that ends TLS (docs/deploy.md), Django learns the scheme from the proxy's
# X-Forwarded-Proto. Only set RORET_BEHIND_TLS_PROXY when the proxy overwrites that header: a client
# could otherwise claim https.
if envbool("RORET_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("RORET_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("RORET_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("RORET_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("RORET_HSTS_PRELOAD", False)
# Preloading binds the municipality's whole domain to HTTPS in every browser, for a long time: its own
# decision (RORET_HSTS_PRELOAD=1), so check --deploy does not warn while it has not been made.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# --- Login and sessions (docs/security.md#login-and-sessions) ----------------------------------
# A session ends when the browser closes, after RORET_IDLE_MINUTES without a request, and at the
# latest RORET_SESSION_HOURS after logging in.
IDLE_MINUTES = envint("RORET_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = envint("RORET_SESSION_HOURS", 8) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
if IDLE_MINUTES < 1 or SESSION_COOKIE_AGE < 3600:
    raise ImproperlyConfigured("RORET_IDLE_MINUTES must be at least 1 and RORET_SESSION_HOURS at least 1")
# Failed logins (django-axes): after RORET_LOCKOUT_FAILURES failures for one user name, or from one
# address whatever the user names, that name or address is refused for RORET_LOCKOUT_MINUTES
# (0: until an administrator lifts it on the users page).
AXES_FAILURE_LIMIT = envint("RORET_LOCKOUT_FAILURES", 5)
_LOCKOUT_MINUTES = envint("RORET_LOCKOUT_MINUTES", 15)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_LOCKOUT_MINUTES) if _LOCKOUT_MINUTES > 0 else None
# The order matters to roret.core.login_guard.LoginHandler: the user name's count, then the address's.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "roret.core.login_guard.LoginHandler"
AXES_USERNAME_CALLABLE = "roret.core.login_guard.username_tried"
# An address (a town hall's proxy, a terminal server) is shared by many: it is locked only after
# this many failures within the cool-off, by whichever names.
AXES_IP_FAILURE_LIMIT = envint("RORET_LOCKOUT_ADDRESS_FAILURES", 10 * AXES_FAILURE_LIMIT)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "roret.core.login_guard.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # lockouts are lifted on the users page, with a reason and an audit entry
# The number of reverse proxies in front of roret that add X-Forwarded-For (0: none, the peer's
# address counts). Set it to the real number: a client can forge the header past it.
AXES_IPWARE_PROXY_COUNT = envint("RORET_PROXY_COUNT", 0) or None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("RORET_LOCKOUT_FAILURES must be at least 1")
if AXES_IP_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("RORET_LOCKOUT_ADDRESS_FAILURES must be at least RORET_LOCKOUT_FAILURES")
# Two-factor login (TOTP, django-otp): the administrator always, and the roles named here.
TWO_FACTOR_ROLES = sorted(set(envlist("RORET_2FA_ROLES", ["admin"])) | {"admin"})
OTP_TOTP_ISSUER = envstr("RORET_2FA_ISSUER", "roret")
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy (django-csp): scripts and styles from our own origin only, no inline
# script, no style attribute, nothing may frame a page. The API docs load Swagger UI from our static
# files too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The browser features no page uses, switched off (roret.core.middleware.SecurityHeadersMiddleware).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_cpr": {"()": "roret.citizens.cpr.MaskCprFilter"},
        "client_errors_without_traceback": {"()": "roret.core.logfilters.ClientErrorsWithoutTraceback"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_cpr"]}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's own loggers write through the one masked handler only: Django's default "django"
        # handlers (an unmasked console with DEBUG on, mail to ADMINS) are replaced here.
        "django": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO"), "propagate": False},
        # A refused or missing page (403, 404) is one line, not a traceback; a 500 keeps its traceback.
        "django.request": {"filters": ["mask_cpr", "client_errors_without_traceback"]},
        # The development server's request log, masked too (a CPR number in a ?q= would show).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# `roret demo` builds users with the password "demo": only with development settings. Read from
# DEBUG as the environment set it (pytest-django turns settings.DEBUG off in every test).
DEMO_ALLOWED = DEBUG

# Municipality-level configuration (the demo municipality overrides nothing here).
RORET = {
    "MUNICIPALITY_CODE": envstr("RORET_MUNICIPALITY_CODE", "0657"),
    "MUNICIPALITY_NAME": envstr("RORET_MUNICIPALITY_NAME", "Demo Kommune"),
    # A running background job's lease: its worker renews the job's heartbeat every quarter of
    # this; a running job whose heartbeat is older has lost its worker and is shown as failed.
    "JOB_LEASE_SECONDS": envint("RORET_JOB_LEASE_SECONDS", 60),
    # Spreadsheet imports (roret.imports): the largest file accepted, the most its parts may unpack
    # to (a zip bomb is refused before it is opened), and from how many rows a file is checked and
    # imported as a background job instead of during the request.
    "IMPORT_MAX_BYTES": envint("RORET_IMPORT_MAX_BYTES", 50 * 2**20),
    "IMPORT_MAX_UNPACKED_BYTES": envint("RORET_IMPORT_MAX_UNPACKED_BYTES", 500 * 2**20),
    "IMPORT_BACKGROUND_ROWS": envint("RORET_IMPORT_BACKGROUND_ROWS", 5_000),
}
if RORET["JOB_LEASE_SECONDS"] < 1:
    raise ImproperlyConfigured("RORET_JOB_LEASE_SECONDS must be at least 1 (seconds)")

# --- Audit, keys and retention (docs/security.md) ---------------------------------------------
# The field-encryption keys, newest first: the first encrypts and hashes new CPR numbers, all of
# them decrypt and find old ones until `roret keys rotate` has moved every row to the first.
# FIELD_ENCRYPTION_KEY is still accepted; set beside FIELD_ENCRYPTION_KEYS it is the oldest key.
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS", [])
if FIELD_ENCRYPTION_KEY and FIELD_ENCRYPTION_KEY not in FIELD_ENCRYPTION_KEYS:
    FIELD_ENCRYPTION_KEYS.append(FIELD_ENCRYPTION_KEY)


def _field_key_bytes(key: str) -> bytes:
    import base64
    import binascii

    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured("each field-encryption key must be 32 url-safe base64-encoded bytes "
                                   "(a Fernet key: roret keys generate)")
    return raw


def _derived_key(name: str, label: bytes) -> str:
    """A key of its own (``name`` from the environment, at least 32 characters), or, unset, one
    derived from the oldest field key, which stays put when newer keys are added in front."""
    import hashlib
    import hmac

    value = envstr(name)
    if value:
        if len(value) < 32:
            raise ImproperlyConfigured(f"{name} must be at least 32 characters")
        return value
    return hmac.new(_field_key_bytes(FIELD_ENCRYPTION_KEYS[-1]), label, hashlib.sha256).hexdigest()


for _key in FIELD_ENCRYPTION_KEYS:
    _field_key_bytes(_key)
if not DEBUG and _DEV_FIELD_KEY in FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("the development field key must not be used in production")
# Pseudonyms of citizens for the economist (stable across SECRET_KEY changes) and the audit log's
# hash chain; pin both with their own settings before the oldest field key is retired.
PSEUDONYM_KEY = _derived_key("PSEUDONYM_KEY", b"roret-pseudonym") if FIELD_ENCRYPTION_KEYS else None
AUDIT_CHAIN_KEY = _derived_key("AUDIT_CHAIN_KEY", b"roret-audit-chain") if FIELD_ENCRYPTION_KEYS else None

# Roles that give a reason before opening a citizen's record (once per citizen and session),
# e.g. "caseworker,centre_staff,centre_leader"; the reason stands on the audit entries.
ACCESS_REASON_ROLES = envlist("RORET_ACCESS_REASON_ROLES", [])
# The mass-read alarm: more than MASS_READ_RECORDS records opened by one account within
# MASS_READ_MINUTES flags the account to the administrator (and deactivates it if asked to).
MASS_READ_RECORDS = envint("RORET_MASS_READ_RECORDS", 100)
MASS_READ_MINUTES = envint("RORET_MASS_READ_MINUTES", 10)
MASS_READ_DEACTIVATE = envbool("RORET_MASS_READ_DEACTIVATE", False)
# Retention (`roret retention`): closed cases anonymised after so many years without activity,
# background jobs' output files deleted after so many days, audit entries deleted after so many years.
RETENTION_CASE_YEARS = envint("RORET_RETENTION_CASE_YEARS", 5)
RETENTION_JOB_FILE_DAYS = envint("RORET_RETENTION_JOB_FILE_DAYS", 30)
RETENTION_AUDIT_YEARS = envint("RORET_RETENTION_AUDIT_YEARS", 5)
# A staged import file (it may hold CPR numbers) not imported within so many days is deleted.
RETENTION_IMPORT_FILE_DAYS = envint("RORET_RETENTION_IMPORT_FILE_DAYS", 7)
# API tokens (roret/core/api_tokens.py): the longest a user may let a token live, in days (the
# page offers 30, 90 and 365 days, those up to this); idempotency keys are kept this many hours.
API_TOKEN_MAX_DAYS = envint("RORET_API_TOKEN_MAX_DAYS", 365)
IDEMPOTENCY_KEY_HOURS = envint("RORET_IDEMPOTENCY_KEY_HOURS", 24)
if API_TOKEN_MAX_DAYS < 1 or IDEMPOTENCY_KEY_HOURS < 1:
    raise ImproperlyConfigured("RORET_API_TOKEN_MAX_DAYS and RORET_IDEMPOTENCY_KEY_HOURS must be at least 1")
# The citizen's own page (roret/helm): a one-time invitation lives this many days; it is blocked
# after this many wrong codes; an address may try this many wrong codes or links in the minutes.
HELM_INVITATION_DAYS = envint("RORET_HELM_INVITATION_DAYS", 14)
HELM_CODE_ATTEMPTS = envint("RORET_HELM_CODE_ATTEMPTS", 5)
HELM_ADDRESS_ATTEMPTS = envint("RORET_HELM_ADDRESS_ATTEMPTS", 20)
HELM_ADDRESS_MINUTES = envint("RORET_HELM_ADDRESS_MINUTES", 15)
if min(HELM_INVITATION_DAYS, HELM_CODE_ATTEMPTS, HELM_ADDRESS_ATTEMPTS, HELM_ADDRESS_MINUTES) < 1:
    raise ImproperlyConfigured("the RORET_HELM_* settings must be at least 1")
# The citizen's own rating of a goal and the staff's latest progress "differ" when they are more
# than this many points apart on the 1-10 scale (roret.helm.services.differing_views); the
# follow-up page then puts the difference on the meeting's agenda.
RORET_VIEWS_DIFFER = envint("RORET_VIEWS_DIFFER", 3)
if not 0 <= RORET_VIEWS_DIFFER <= 9:
    raise ImproperlyConfigured("RORET_VIEWS_DIFFER must be from 0 to 9 (points on the 1-10 scale)")
# The reason asked for above is read per request (and from an API client's X-Access-Reason header).
MIDDLEWARE.append("roret.core.access_reasons.AccessReasonMiddleware")
# Last, around the view alone: a form's token sent a second time replays the first result (a form
# sent twice writes once; docs/security.md, "Double submits").
MIDDLEWARE.append("roret.core.form_tokens.FormTokenMiddleware")

# --- Single sign-on with OpenID Connect (docs/security.md) ---------------------------------------
# Off by default: then nothing below is set, no app, URL or backend is added, and mozilla-django-oidc
# is not imported. RORET_STAFF_OIDC=1: staff log in at the municipality's identity provider only (no
# local passwords; roret.core.oidc). RORET_CITIZEN_OIDC=1: a citizen may sign in to their own page
# with MitID through the municipality's broker (/me/login/mitid/, roret.helm.oidc), a client of its own.
RORET_STAFF_OIDC = envbool("RORET_STAFF_OIDC", False)
RORET_CITIZEN_OIDC = envbool("RORET_CITIZEN_OIDC", False)
#: The backend that loads the user of a session roret opened itself (an invitation's first use).
RORET_SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _oidc_client(prefix: str, switch: str) -> dict:
    """One OpenID Connect client's settings from the environment (``prefix`` + the name), refusing
    to start when ``switch`` is on and an endpoint or the client's id or secret is missing."""
    required = ("RP_CLIENT_ID", "RP_CLIENT_SECRET", "OP_AUTHORIZATION_ENDPOINT", "OP_TOKEN_ENDPOINT",
                "OP_JWKS_ENDPOINT")
    values = {f"{prefix}{name}": envstr(f"{prefix}{name}") for name in required}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ImproperlyConfigured(f"{switch}=1 needs these environment variables: {', '.join(missing)}")
    values.update({
        f"{prefix}RP_SIGN_ALGO": envstr(f"{prefix}RP_SIGN_ALGO", "RS256"),
        # Optional: the claims may all come in the signed ID token.
        f"{prefix}OP_USER_ENDPOINT": envstr(f"{prefix}OP_USER_ENDPOINT", ""),
        # Optional: when set, the ID token's issuer (iss) must be exactly this.
        f"{prefix}OP_ISSUER": envstr(f"{prefix}OP_ISSUER", ""),
        f"{prefix}USE_PKCE": envbool(f"{prefix}USE_PKCE", True),
    })
    if values[f"{prefix}RP_SIGN_ALGO"][:2] not in ("RS", "ES", "PS"):
        raise ImproperlyConfigured(f"{prefix}RP_SIGN_ALGO must be an asymmetric algorithm (RS256, ES256, PS256)")
    return values


if RORET_STAFF_OIDC or RORET_CITIZEN_OIDC:
    INSTALLED_APPS.append("mozilla_django_oidc")
    # Seconds to wait for the identity provider's token, key and user-info endpoints.
    OIDC_TIMEOUT = envint("OIDC_TIMEOUT", 10)
if RORET_STAFF_OIDC:
    globals().update(_oidc_client("OIDC_", "RORET_STAFF_OIDC"))
    OIDC_RP_SCOPES = envstr("OIDC_RP_SCOPES", "openid email profile")
    # django-axes first still (it refuses a locked-out address); no ModelBackend: no local passwords.
    AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "roret.core.oidc.RoleFromGroupsBackend"]
    RORET_SESSION_BACKEND = "roret.core.oidc.RoleFromGroupsBackend"
    # The groups claim's groups that give each role, "role=group" in order of precedence (the first
    # matching wins): e.g. "caseworker=HP-Visitation,admin=HP-roret-Admin".
    RORET_OIDC_ROLE_GROUPS = []
    for _pair in envlist("RORET_OIDC_ROLE_GROUPS", []):
        _role, _sep, _group = _pair.partition("=")
        if not _sep or not _role.strip() or not _group.strip():
            raise ImproperlyConfigured(f"RORET_OIDC_ROLE_GROUPS: {_pair!r} is not role=group")
        RORET_OIDC_ROLE_GROUPS.append((_role.strip(), _group.strip()))
    if not RORET_OIDC_ROLE_GROUPS:
        raise ImproperlyConfigured("RORET_STAFF_OIDC=1 needs RORET_OIDC_ROLE_GROUPS (role=group,...)")
    RORET_OIDC_GROUPS_CLAIM = envstr("RORET_OIDC_GROUPS_CLAIM", "groups")
    # The IdP's stable id for a person (sub; oid on Entra ID), roret's user name: not the e-mail.
    RORET_OIDC_USERNAME_CLAIM = envstr("RORET_OIDC_USERNAME_CLAIM", "sub")
    # acr values that also prove a second factor, for an IdP that says so in acr rather than amr.
    RORET_OIDC_MFA_ACR = envlist("RORET_OIDC_MFA_ACR", [])
if RORET_CITIZEN_OIDC:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "roret.helm.oidc.CitizenBackend"]
    globals().update(_oidc_client("OIDC_CITIZEN_", "RORET_CITIZEN_OIDC"))
    OIDC_CITIZEN_RP_SCOPES = envstr("OIDC_CITIZEN_RP_SCOPES", "openid")
    # The broker's claim with the CPR number, and the lowest NSIS assurance level (acr) accepted.
    OIDC_CITIZEN_CPR_CLAIM = envstr("OIDC_CITIZEN_CPR_CLAIM", "dk:gov:saml:attribute:CprNumberIdentifier")
    OIDC_CITIZEN_MIN_LEVEL = envstr("OIDC_CITIZEN_MIN_LEVEL", "substantial").strip().lower()
    if OIDC_CITIZEN_MIN_LEVEL not in ("low", "substantial", "high"):
        raise ImproperlyConfigured("OIDC_CITIZEN_MIN_LEVEL must be low, substantial or high")
    # Sent as acr_values, so the broker asks for that level (e.g. the NSIS URI of "substantial").
    OIDC_CITIZEN_ACR_VALUES = envstr("OIDC_CITIZEN_ACR_VALUES", "")
