"""Settings: one file, every deployment difference read from the environment."""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from pmqa.lib.fonts import fontpkg_sarabun_files

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

# A local installation keeps its own settings in .env (`make run` writes it once, with a random
# secret key), so that every command works in a new shell. The environment wins over the file;
# PMQA_ENV_FILE names another file, or none when empty. Production sets its variables itself.
_ENV_FILE = os.environ.get("PMQA_ENV_FILE", str(PROJECT_DIR / ".env"))
if _ENV_FILE and "PMQA_ENV_FILE" in os.environ and not Path(_ENV_FILE).is_file():
    raise ImproperlyConfigured(f"PMQA_ENV_FILE names {_ENV_FILE}, which is not a file.")
if _ENV_FILE:
    load_dotenv(_ENV_FILE, override=False)


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("PMQA_DEBUG", False)
SECRET_KEY = env_str("PMQA_SECRET_KEY", "insecure-development-key" if DEBUG else None)
ALLOWED_HOSTS = env_list("PMQA_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("PMQA_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "pmqa.accounts.signin.csrf_failure"

INSTALLED_APPS = [
    "pmqa.adminapp.PmqaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Login safety (docs/security.md): lockouts, and the second factor's devices. Before
    # pmqa.accounts, whose admin takes the devices out of the Django admin.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pmqa.lib",
    "pmqa.accounts",
    "pmqa.organisations",
    "pmqa.notifications",
    "pmqa.criteria",
    "pmqa.assessments",
    "pmqa.verification",
    "pmqa.feedback",
    "pmqa.reports",
    "pmqa.evaluation",
    "pmqa.dashboards",
    "pmqa.privacy",
    "pmqa.api",
    "pmqa.audit",
    "pmqa.demo",
    # After pmqa.lib, whose db_worker command (it also recovers dead workers' tasks) wins.
    "django_tasks",
    "django_tasks_db",
    "csp",
]

MIDDLEWARE = [
    # Outermost, so that every response (static files and error pages too) has a request id.
    "pmqa.lib.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "pmqa.lib.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pmqa.lib.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which person the pages are shown to, for tabs left open (accounts/tabs.py).
    "pmqa.accounts.tabs.PageUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Login safety (docs/security.md): which device verified the session, the idle timeout,
    # then the second factor that assessors and administrators must have given.
    "django_otp.middleware.OTPMiddleware",
    "pmqa.accounts.idle.IdleTimeoutMiddleware",
    "pmqa.accounts.twofactor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pmqa.lib.middleware.InputGuardMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its own page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pmqa.urls"
WSGI_APPLICATION = "pmqa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pmqa.accounts.context_processors.navigation",
                "pmqa.accounts.tabs.context",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    (PROJECT_DIR / "var").mkdir(exist_ok=True)
# Production keeps each worker's database connection open for 10 minutes (checked before
# reuse) instead of opening one per request; the development server opens one per request.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'var' / 'pmqa.sqlite3'}"),
        conn_max_age=env_int("PMQA_DB_CONN_MAX_AGE", 0 if DEBUG else 600),
        conn_health_checks=True,
    )
}
if env_bool("PMQA_DB_PGBOUNCER", False):
    # Behind PgBouncer in transaction mode (docs/operations.md): PgBouncer holds the pool, so
    # Django neither keeps connections nor uses server-side cursors.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer is given up after this many seconds: the request
    # then answers the retryable 503 well before gunicorn's own timeout turns it into a 502.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "PMQA_DB_CONNECT_TIMEOUT", 5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while an editor saves. A write waits at most 5 s for the lock; past
    # that the request answers 503 and the page tries again, rather than hanging for long.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("PMQA_SQLITE_TIMEOUT", 5),
    }

# Background work (pmqa.lib.tasks, docs/decisions/0004): "database" keeps the queue in a table
# of this database for `pmqa db_worker` processes on any machine; "immediate" runs each task in
# the process that queues it, after its transaction commits. PostgreSQL defaults to the queue,
# the embedded SQLite to running in process.
PMQA_TASKS = env_str(
    "PMQA_TASKS",
    "immediate" if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else "database",
)
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if PMQA_TASKS not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"PMQA_TASKS must be database or immediate, not {PMQA_TASKS!r}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[PMQA_TASKS]}}
# On-demand PDFs (drafts, previews, variants not stored at publication) print with one browser
# per process, one at a time: this many may run or wait at once, each waiting this long.
PMQA_PRINT_QUEUE = env_int("PMQA_PRINT_QUEUE", 4)
PMQA_PRINT_WAIT_SECONDS = env_int("PMQA_PRINT_WAIT_SECONDS", 30)
# A task left running this long by a worker of another machine is put back in the queue.
PMQA_TASK_STALE_MINUTES = env_int("PMQA_TASK_STALE_MINUTES", 30)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "pmqa.accounts.backends.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "pmqa.accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "pmqa.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "pmqa.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "pmqa.accounts.passwords.NumericPasswordValidator"},
]

# Login safety (docs/security.md). Repeated failed logins: django-axes locks the user name at
# the address it was tried from after PMQA_LOGIN_FAILURE_LIMIT failures, and the address
# itself after PMQA_LOGIN_ADDRESS_FAILURE_LIMIT failures over any user names (an office
# behind one address shares it), for PMQA_LOGIN_LOCKOUT_MINUTES; a success clears the count.
PMQA_LOGIN_FAILURE_LIMIT = env_int("PMQA_LOGIN_FAILURE_LIMIT", 5)
PMQA_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("PMQA_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
PMQA_LOGIN_LOCKOUT_MINUTES = env_int("PMQA_LOGIN_LOCKOUT_MINUTES", 15)
# Proxies whose X-Forwarded-For is believed (nginx on this machine by default); a request
# from anywhere else is known by its own address.
PMQA_TRUSTED_PROXIES = env_list("PMQA_TRUSTED_PROXIES", "127.0.0.1,::1")
AXES_HANDLER = "pmqa.accounts.signin.LoginAttempts"
AXES_FAILURE_LIMIT = PMQA_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=PMQA_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A try while locked out is refused without counting, so the lockout ends when it said.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "pmqa.lib.clientaddr.client_address"
AXES_LOCKOUT_CALLABLE = "pmqa.accounts.signin.locked_out"
# Logins and logouts are in the audit trail; axes keeps only the failures it counts.
AXES_DISABLE_ACCESS_LOG = True
# A session without a request for PMQA_IDLE_MINUTES is logged out; the page warns first.
PMQA_IDLE_MINUTES = env_int("PMQA_IDLE_MINUTES", 30)
for _name in ("PMQA_LOGIN_FAILURE_LIMIT", "PMQA_LOGIN_ADDRESS_FAILURE_LIMIT", "PMQA_IDLE_MINUTES"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")
# The TOTP apps show this name beside the account.
OTP_TOTP_ISSUER = "PMQA 4.0"
# The Django admin would show the devices' secrets: it shows none (they are not in it).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("PMQA_STATIC_ROOT", str(PROJECT_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static", ("fonts/sarabun", fontpkg_sarabun_files())]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not DEBUG:
    # Production names each static file by its content's hash (browsers keep it for a year) and
    # serves it compressed, from the manifest `pmqa collectstatic` writes (`make serve` runs it).
    # The test suite keeps the files' own names (tests/conftest.py).
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# Evidence and stored reports: on the filesystem (MEDIA_ROOT) by default, or in a private bucket
# of S3-compatible object storage (MinIO, Ceph, a cloud's) when PMQA_S3_BUCKET is set. Either
# way the files are read by the application and served only through its permission checks:
# the bucket is private and no signed link is ever handed out.
PMQA_S3_BUCKET = env_str("PMQA_S3_BUCKET", "")
if PMQA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PMQA_S3_BUCKET,
            "endpoint_url": env_str("PMQA_S3_ENDPOINT", "") or None,
            "region_name": env_str("PMQA_S3_REGION", "") or None,
            "access_key": env_str("PMQA_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("PMQA_S3_SECRET_KEY", "") or None,
            "location": env_str("PMQA_S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Uploaded evidence lives outside the static root and is only served through permission checks.
MEDIA_ROOT = Path(env_str("PMQA_MEDIA_ROOT", str(PROJECT_DIR / "var" / "media")))
# Largest evidence file accepted, in megabytes.
PMQA_EVIDENCE_MAX_MB = env_int("PMQA_EVIDENCE_MAX_MB", 20)
# An Excel import is refused before it is opened when its sheets span more cells than this
# (rows × columns, summed over the sheets; a filled template spans a few thousand) or its
# parts unpack to more megabytes than this: openpyxl would hold them all in memory.
PMQA_EXCEL_IMPORT_MAX_CELLS = env_int("PMQA_EXCEL_IMPORT_MAX_CELLS", 50_000)
PMQA_EXCEL_IMPORT_MAX_MB = env_int("PMQA_EXCEL_IMPORT_MAX_MB", 25)
# Files above this size are streamed to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Requests one API token may make ("600/min", "10000/day"; empty: no limit). Each process
# counts its own.
PMQA_API_RATE = env_str("PMQA_API_RATE", "600/min")
# The longest an API token lasts, in days; a token made without an expiry gets this one.
PMQA_API_TOKEN_MAX_DAYS = env_int("PMQA_API_TOKEN_MAX_DAYS", 90)
if PMQA_API_TOKEN_MAX_DAYS < 1:
    raise ImproperlyConfigured("PMQA_API_TOKEN_MAX_DAYS must be 1 or more.")
# The privacy notice (/privacy/): who runs this system and decides on its personal data, and
# where requests about personal data go (its data protection officer; by default the address
# the system's e-mails come from, below, so that the notice always names one).
PMQA_PRIVACY_OPERATOR = env_str(
    "PMQA_PRIVACY_OPERATOR", "สำนักงานคณะกรรมการพัฒนาระบบราชการ (สำนักงาน ก.พ.ร.)"
)
PMQA_PRIVACY_CONTACT = env_str("PMQA_PRIVACY_CONTACT", "")
# Address used in e-mails for links back to the site. Unset: the address `make run` serves
# on (PMQA_RUN_URL, which it sets), else the default local one.
PMQA_SITE_URL = env_str(
    "PMQA_SITE_URL", os.environ.get("PMQA_RUN_URL") or "http://127.0.0.1:8000"
).rstrip("/")

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_bool("PMQA_SMTP", False)
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("PMQA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("PMQA_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("PMQA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("PMQA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PMQA_EMAIL_TLS", False)
# A mail server that does not answer must not hold a worker (or, on SQLite, a request).
EMAIL_TIMEOUT = env_int("PMQA_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("PMQA_FROM_EMAIL", "pmqa@localhost")
PMQA_PRIVACY_CONTACT = PMQA_PRIVACY_CONTACT or DEFAULT_FROM_EMAIL

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("PMQA_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# No page may be framed, except an evidence PDF in the assessors' own page (its view says so).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# https: with PMQA_SITE_URL on https, http is redirected and browsers are told to use https
# only (HSTS) for a year; behind nginx, gunicorn passes on the scheme nginx was asked in.
_HTTPS_SITE = PMQA_SITE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env_bool("PMQA_SSL_REDIRECT", _HTTPS_SITE and not DEBUG)
SECURE_HSTS_SECONDS = env_int("PMQA_HSTS_SECONDS", 31_536_000 if _HTTPS_SITE and not DEBUG else 0)
# Names under the site's own (e.g. files.pmqa.example.go.th) are https only too.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PMQA_HSTS_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
# Browsers' preload list takes whole registered domains (example.go.th), which an agency's
# one service cannot speak for: off unless the domain's owner asks, and its check silenced.
SECURE_HSTS_PRELOAD = env_bool("PMQA_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# The /healthz probe is asked over plain http on the machine itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/queue)?$"]
# Content-Security-Policy (django-csp): scripts only from our own files (no inline script or
# handler; htmx may not evaluate attributes), nothing from other sites. Inline styles stay
# allowed: matplotlib's SVG charts and the printed report carry their styles inline, and
# every value in them is escaped or our own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# Browser features no page uses, turned off (pmqa.lib.middleware.PermissionsPolicyMiddleware).
PMQA_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()"
)

# Logs: one JSON object per line in production, plain text in development, each with the
# request's id (pmqa.lib.requestid). The request log (one line per request) goes to standard
# output, everything else to standard error, so that a command's output stays its own.
PMQA_LOG_FORMAT = env_str("PMQA_LOG_FORMAT", "text" if DEBUG else "json")
if PMQA_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"PMQA_LOG_FORMAT must be json or text, not {PMQA_LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "pmqa.lib.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "pmqa.lib.requestid.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": PMQA_LOG_FORMAT,
        },
        "requests": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": PMQA_LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("PMQA_LOG_LEVEL", "WARNING")},
    # The development server logs each request itself.
    "loggers": {
        "pmqa.request": {
            "handlers": ["requests"],
            "level": "WARNING" if DEBUG else "INFO",
            "propagate": False,
        }
    },
}
