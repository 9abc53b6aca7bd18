"""Django settings for gonghui, driven by the environment (see docs/operations.md).

GONGHUI_ENV=production switches on the deployment hardening that `gonghui check --deploy`
checks; everything else is the embedded default: SQLite in WAL mode in the data dir.
"""

import os
from pathlib import Path

import dj_database_url

from gonghui import conf

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = conf.data_dir()
ENV = os.environ.get("GONGHUI_ENV", "development")
PRODUCTION = ENV == "production"
TESTING = os.environ.get("GONGHUI_TESTING") == "1"

SECRET_KEY = os.environ.get("GONGHUI_SECRET_KEY") or conf.read_or_create_secret("secret_key", 64)
# Field-encryption master key: environment first, else the keys folder (outside the database).
FIELD_ENCRYPTION_KEY = os.environ.get("GONGHUI_FIELD_KEY") or conf.read_or_create_secret("field_key", 32)

# Off unless asked for: an office PC install is not "production" (no HTTPS) but must
# still show the Chinese error pages, never Django's technical ones.
DEBUG = os.environ.get("GONGHUI_DEBUG", "0") == "1" and not PRODUCTION

if PRODUCTION:
    ALLOWED_HOSTS = [h.strip() for h in os.environ.get("GONGHUI_ALLOWED_HOSTS", "").split(",") if h.strip()]
else:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"] + [
        h.strip() for h in os.environ.get("GONGHUI_ALLOWED_HOSTS", "").split(",") if h.strip()
    ]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    # Serves the API docs' Swagger UI from its own static files (no CDN, no inline script).
    "ninja",
    # Layers, lowest first (docs/architecture.md, "Layers"): core, access (a package),
    # web, exchange; then the domain apps; ops (the commands) on top.
    "gonghui.core",
    "gonghui.web",
    "gonghui.exchange",
    "gonghui.audit",
    "gonghui.accounts",
    "gonghui.orgs",
    "gonghui.members",
    "gonghui.assistance",
    "gonghui.benefits",
    "gonghui.donations",
    "gonghui.activities",
    "gonghui.summary",
    "gonghui.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gonghui.web.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gonghui.accounts.middleware.IdleLogoutMiddleware",
    "gonghui.accounts.middleware.ActorMiddleware",
    "gonghui.web.middleware.NulGuardMiddleware",
    "gonghui.web.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gonghui.audit.middleware.DenialAuditMiddleware",
]

# The union model the access layer scopes by (like AUTH_USER_MODEL: named, not imported).
GONGHUI_ORG_MODEL = "orgs.Org"

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.web.context_processors.shell",
            ],
            "builtins": ["gonghui.web.templatetags.gh"],
        },
    },
]

# --- database -------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "gonghui.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # WAL lets the web server, the worker and the CLI read while one writes;
                # IMMEDIATE avoids lock-upgrade deadlocks between those processes.
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": str(DATA_DIR / "test-gonghui.sqlite3")} if os.environ.get("GONGHUI_SQLITE_TEST_FILE") else {},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Before any connection: SQLite must find its file already private (conf.secure_data_dir);
# what cannot be fixed here is reported by the gonghui.W001-W003 checks (core/checks.py).
conf.secure_data_dir(DATA_DIR, sqlite_path=conf.sqlite_file(DATABASES["default"]))

# --- auth and security ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Django's own rules, through subclasses whose messages are Chinese (accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "gonghui.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "gonghui.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "gonghui.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "gonghui.accounts.passwords.UserAttributeSimilarityValidator"},
]
GONGHUI_LOCKOUT_THRESHOLD = int(os.environ.get("GONGHUI_LOCKOUT_THRESHOLD", "5"))
GONGHUI_LOCKOUT_IP_THRESHOLD = int(os.environ.get("GONGHUI_LOCKOUT_IP_THRESHOLD", "5"))
GONGHUI_LOCKOUT_MINUTES = int(os.environ.get("GONGHUI_LOCKOUT_MINUTES", "15"))
GONGHUI_IDLE_MINUTES = int(os.environ.get("GONGHUI_IDLE_MINUTES", "30"))
# Behind a reverse proxy the client address comes from this header (set it only then).
GONGHUI_CLIENT_IP_HEADER = os.environ.get("GONGHUI_CLIENT_IP_HEADER", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("GONGHUI_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("GONGHUI_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS if not h.startswith(".")]

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Figures on pages: 3,463 like money's 37,250 (gonghui/formats/zh_Hans/formats.py).
FORMAT_MODULE_PATH = ["gonghui.formats"]
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATE_FORMAT = "Y-m-d"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"]

# --- static and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # filled only by `gonghui collectstatic` on a server
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(DATA_DIR / "uploads")}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app folders without collectstatic on the embedded install.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Uploaded spreadsheets: refused while they stream in when larger than this (exchange/uploads.py).
GONGHUI_MAX_UPLOAD_MB = int(os.environ.get("GONGHUI_MAX_UPLOAD_MB", "50"))
# The address members' phones reach this site at (e.g. http://192.168.1.20:8000 or
# https://gh.example.org): check-in QR codes carry it. Empty: the address the staff's page
# was opened with.
GONGHUI_PUBLIC_URL = os.environ.get("GONGHUI_PUBLIC_URL", "").strip().rstrip("/")
# Each activity photo, scan or study file (activities/attachments.py).
GONGHUI_ACTIVITY_FILE_MB = int(os.environ.get("GONGHUI_ACTIVITY_FILE_MB", "10"))
FILE_UPLOAD_HANDLERS = [
    "gonghui.exchange.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# What one spreadsheet may hold, and the memory and CPU time of the child process that
# reads it (exchange/sheet_read.py `Limits`).
GONGHUI_SHEET_LIMITS = {
    key: int(os.environ[env])
    for key, env in (
        ("max_rows", "GONGHUI_SHEET_MAX_ROWS"),
        ("memory_mb", "GONGHUI_SHEET_MEMORY_MB"),
        ("seconds", "GONGHUI_SHEET_SECONDS"),
        ("max_unzipped_mb", "GONGHUI_SHEET_MAX_UNZIPPED_MB"),
    )
    if os.environ.get(env)
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A larger upload is spooled to disk while the request runs: a roster with ID numbers, so
# into the private data dir rather than the shared /tmp.
FILE_UPLOAD_TEMP_DIR = str(conf.private_dir(DATA_DIR / "work" / "spool"))
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- background work ------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if TESTING:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGHUI_LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
