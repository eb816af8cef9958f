"""Django settings for Jichi, read from the environment.

Variables (see README "Configuration"):

- ``JICHI_DATABASE_URL``  default ``sqlite:///var/jichi.sqlite3``
- ``JICHI_SECRET_KEY``    required unless ``JICHI_DEBUG`` is on
- ``JICHI_DEBUG``         ``1``/``true`` for development
- ``JICHI_ALLOWED_HOSTS`` comma-separated
- ``JICHI_DATA_DIR``      where keys and the SQLite file live (default ``var``)
- ``JICHI_PLATFORM_KEY``  path of the platform's Ed25519 private key (PEM)
- ``JICHI_TASKS``         ``database`` | ``rq``;  ``JICHI_REDIS_URL``
- ``JICHI_PUBLIC_URL``    the address residents reach (printed in certificates' QR codes)
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("JICHI_DEBUG")
# pytest (8.2+) sets PYTEST_VERSION for the whole run.
TESTING = _flag("JICHI_TESTING") or "PYTEST_VERSION" in os.environ
DATA_DIR = Path(os.environ.get("JICHI_DATA_DIR", BASE_DIR / "var")).resolve()

SECRET_KEY = os.environ.get("JICHI_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "JICHI_SECRET_KEY must be set (or JICHI_DEBUG=1 for development)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("JICHI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
if TESTING:
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "jichi.web.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "jichi.tenancy",
    "jichi.audit",
    "jichi.linkage",
    "jichi.registry",
    "jichi.identity",
    "jichi.certificates",
    "jichi.procedures",
    "jichi.counter",
    "jichi.benefits.elections",
    "jichi.benefits.schooling",
    "jichi.benefits.allowance",
    "jichi.web",
]

MIDDLEWARE = [
    "jichi.web.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jichi.tenancy.middleware.TenantMiddleware",
]

ROOT_URLCONF = "jichi.urls"
WSGI_APPLICATION = "jichi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jichi.web.context.tenant",
            ],
        },
    },
]

# --- database -------------------------------------------------------------

DATABASE_URL = os.environ.get("JICHI_DATABASE_URL", f"sqlite:///{DATA_DIR / 'jichi.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the
    # write lock at BEGIN so two writers queue instead of failing mid-way.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }
    _db["TEST"] = {"NAME": os.environ.get("JICHI_TEST_SQLITE_NAME") or None}
else:
    _db.setdefault("OPTIONS", {})
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -------------------------------------------------------------------

AUTH_USER_MODEL = "tenancy.StaffUser"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests create many users; the hash's strength is not what they test.
    PASSWORD_HASHERS.insert(0, "jichi.tenancy.hashers.FastTestArgon2Hasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
JICHI_LOGIN_MAX_FAILURES = int(os.environ.get("JICHI_LOGIN_MAX_FAILURES", "5"))
JICHI_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("JICHI_LOGIN_LOCKOUT_MINUTES", "15"))

SESSION_COOKIE_AGE = int(os.environ.get("JICHI_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # the expiry counts from the last request
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG and not TESTING
CSRF_COOKIE_SECURE = not DEBUG and not TESTING
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and not TESTING:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("JICHI_HSTS_SECONDS", "0"))

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- i18n -------------------------------------------------------------------

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "jichi" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- jichi ------------------------------------------------------------------

JICHI_PLATFORM_KEY = os.environ.get(
    "JICHI_PLATFORM_KEY", str(DATA_DIR / "keys" / "platform-ed25519.pem")
)
# Master key for encryption at rest (個人番号 etc., see jichi/common/secrets.py): a file
# holding 32 random bytes in base64, or the key itself in JICHI_DATA_KEY_B64 (wins when set).
JICHI_DATA_KEY = os.environ.get("JICHI_DATA_KEY", str(DATA_DIR / "keys" / "data-key"))
JICHI_DATA_KEY_B64 = os.environ.get("JICHI_DATA_KEY_B64")
# How far ahead a 転出 may be recorded (the planned day of moving out).
JICHI_PUBLIC_URL = os.environ.get("JICHI_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
JICHI_MOVE_OUT_ADVANCE_DAYS = int(os.environ.get("JICHI_MOVE_OUT_ADVANCE_DAYS", "14"))
# Mail to residents (reservation reminders): SMTP when JICHI_SMTP_HOST is set, otherwise
# printed on the console (development, the demo).
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("JICHI_SMTP_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("JICHI_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("JICHI_SMTP_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("JICHI_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JICHI_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("JICHI_SMTP_TLS", "1") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("JICHI_MAIL_FROM", "noreply@jichi.invalid")

# --- background work (Django's task framework) ---------------------------------
# The database queue by default (`jichi worker` runs it); RQ on Redis when the
# workers are split out. Queues: "default" and "webhooks" (event delivery).
JICHI_TASKS = os.environ.get("JICHI_TASKS", "database")
# Tests keep to a database of their own (15), never a developer's queues.
JICHI_REDIS_URL = os.environ.get(
    "JICHI_REDIS_URL", f"redis://127.0.0.1:6379/{15 if TESTING else 0}"
)
TASK_QUEUES = ["default", "webhooks"]
if JICHI_TASKS == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
elif JICHI_TASKS == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
else:
    raise ImproperlyConfigured("JICHI_TASKS is database or rq")
RQ_QUEUES = {name: {"URL": JICHI_REDIS_URL, "DEFAULT_TIMEOUT": 300} for name in TASK_QUEUES}
# How long a delivery worker holds a subscription before another may take it over.
JICHI_WEBHOOK_LEASE_SECONDS = int(os.environ.get("JICHI_WEBHOOK_LEASE_SECONDS", "60"))
# How long a process keeps an API token it has looked up (0: never); a revocation made in
# another process takes effect there at most this late.
JICHI_TOKEN_CACHE_SECONDS = int(os.environ.get("JICHI_TOKEN_CACHE_SECONDS", "10"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "jichi.common.logging.PersonalDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["personal_data"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("JICHI_LOG_LEVEL", "INFO")},
    # Django's own loggers get the same filtered handler instead of their defaults.
    "loggers": {
        name: {"handlers": ["console"], "level": "INFO", "propagate": False}
        for name in (
            "django",
            "django.server",
            "django.request",
            "gunicorn.access",
            "gunicorn.error",
        )
    }
    # The HTTP client logs every request line (a webhook per event): warnings only.
    | {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
