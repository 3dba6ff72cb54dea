"""Django settings for roret.

Development (``make run``) needs nothing: SQLite in ``var/``, DEBUG on, a development key.
Production (``RORET_DEBUG=0``) refuses to start without SECRET_KEY, DATABASE_URL,
ALLOWED_HOSTS and FIELD_ENCRYPTION_KEY.
"""

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
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "roret.core",
    "roret.citizens",
    "roret.offers",
    "roret.placements",
    "roret.visitation",
    "roret.outcomes",
    "roret.economy",
    "roret.capacity",
    "roret.reports",
    "roret.api",
    "roret.front",
    "roret.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "roret.core.middleware.DanishUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "roret.core.input_guard.InputGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
        },
    },
]

WSGI_APPLICATION = "roret.wsgi.application"

DATABASES = {"default": dj_database_url.parse(_DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 0))}
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
elif envstr("RORET_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": envstr("RORET_TEST_DB_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    BASE_DIR / "roret" / "static",
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_cpr": {"()": "roret.citizens.cpr.MaskCprFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_cpr"]}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
    # The development server's request log, masked too (a CPR number in a ?q= would show).
    "loggers": {"django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Municipality-level configuration (the demo municipality overrides nothing here).
RORET = {
    "MUNICIPALITY_CODE": envstr("RORET_MUNICIPALITY_CODE", "0657"),
    "MUNICIPALITY_NAME": envstr("RORET_MUNICIPALITY_NAME", "Demo Kommune"),
}

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
# The reason asked for above is read per request (and from an API client's X-Access-Reason header).
MIDDLEWARE.append("roret.core.access_reasons.AccessReasonMiddleware")
