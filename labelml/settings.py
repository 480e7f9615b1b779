"""labelml settings: one module, configured from the environment (12-factor).

Embedded default (no variable set): SQLite, Celery eager, files on local disk, console e-mail,
so that `make run` gives a working demo. Production sets DATABASE_URL, REDIS_URL,
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DJANGO_DEBUG=0 (see docker-compose.yml).
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from labelml.core.logs import LOG_FORMATS, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable; anything but the usual spellings stops the start (a typo must not
    silently mean False)."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} doit valoir 1/0, true/false, yes/no ou on/off (valeur reçue : {value!r})."
    )


def env_int(name: str, default: int) -> int:
    return _env_number(name, default, int)


def env_float(name: str, default: float) -> float:
    return _env_number(name, default, float)


def _env_number(name: str, default: Any, kind: Callable[[str], Any]) -> Any:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        message = f"{name} doit être un nombre (valeur reçue : {value!r})."
        raise ImproperlyConfigured(message) from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# "production" in the production stack (docker-compose.yml): demo data is refused there.
ENVIRONMENT = os.environ.get("LABELML_ENV", "development")
# "demo" is `make run`: the demonstration on this machine, served as in production (DEBUG off:
# the application's own 400/403/404/413/500 pages under its CSP), but over plain HTTP on
# loopback, with the static files served by WhiteNoise from the source folders (no
# collectstatic). `DEBUG=1 make run` asks for Django's debug pages.
DEMO = ENVIRONMENT == "demo"
DEBUG = env_bool("DJANGO_DEBUG", ENVIRONMENT not in ("production", "demo"))
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not DEMO:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY est obligatoire quand DJANGO_DEBUG=0.")
    # Never used in production: only with DEBUG on or for the demonstration on loopback.
    SECRET_KEY = "dev-only-insecure-key-labelml"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its templates, for FORM_RENDERER below
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "csp",
    "guardian",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Bottom to top, as the layers go (docs/architecture.md); each app keeps its label.
    "labelml.structures",
    "labelml.accounts",
    "labelml.notifications",
    "referentiel",
    "campagnes",
    "campagnes.autoevaluations",
    "campagnes.plans",
    "audits",
    "audits.commission",
    "audits.suivis",
    "audits.pratiques",
    "labelml.documents",
    "labelml.pilotage",
    "labelml.api",
    "labelml.demo",
]

MIDDLEWARE = [
    # First: every response (redirects included) and every log line get the request id.
    "labelml.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (see the security section).
    "csp.middleware.CSPMiddleware",
    "labelml.core.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inactivity and absolute session timeouts (labelml/accounts/sessions.py), before anything else
    # looks at the user.
    "labelml.accounts.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "labelml.accounts.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "labelml.urls"
WSGI_APPLICATION = "labelml.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # French plurals (0 and 1 singular) for the `pluralize` filter: labelml/core/pluriel.py
            "builtins": ["labelml.core.pluriel"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "labelml.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default (`make run`) under simultaneous writes: readers never wait (WAL), a
    # write transaction takes the write lock when it begins (IMMEDIATE, so it never fails
    # half-way when upgrading a read lock) and waits for it up to the busy timeout instead of
    # answering "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_float("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")

# Redis unreachable: the cache degrades to an empty one (labelml/core/cache.py: pages, saves and
# logins go on, rate limits are not enforced, logged) and gives up a connection after 0.25 s.
REDIS_CONNECT_TIMEOUT = env_float("REDIS_CONNECT_TIMEOUT", 0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "labelml.core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "labelml"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": env_float("REDIS_SOCKET_TIMEOUT", 1),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery: eager without a broker, Redis otherwise -------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
# The queue tasks are published to ("celery"); a test worker publishes to its own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Paris"
# A message delivered to a worker that dies before acknowledging it is handed out again after
# the visibility timeout. The same value for the broker and the result backend, and every task's
# hard time limit well under it (checked by tests/test_celery_config.py), so that a task still
# running is never delivered a second time.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for messages whose worker died (kombu sweeps every interval ×
    # throttle seconds; 100 s by default, enough against a one-hour timeout).
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
    # Redis unreachable: a publication gives up connecting quickly (see below).
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
}
# Redis unreachable when a request enqueues a task: the publication gives up within about a
# second (instead of Celery's 20 one-second retries of the result store), the enqueue helpers
# (labelml/core/jobs.py) catch the failure, the row stays queued and is published again once Redis
# is back (labelml.documents.tasks.requeue_pending, every minute and when a worker starts).
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 1)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY,
}
# A row still queued this long after its message was published (the message was lost, e.g.
# Redis restarted without its data) is published again (seconds). A row whose publication
# failed is published again at the next recovery run, JOB_REQUEUE_GRACE seconds after.
JOB_REQUEUE_LOST_AFTER = env_int("JOB_REQUEUE_LOST_AFTER", 3600)
JOB_REQUEUE_GRACE = env_int("JOB_REQUEUE_GRACE", 30)
CELERY_RESULT_EXPIRES = 24 * 3600
# A worker process is replaced once it holds more than this (KiB) after a task: WeasyPrint's
# memory is returned to the system only when the process ends.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_KB", 400000)
# Default limits of any task (seconds); a PDF render has its own below.
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Hard and soft limits of a PDF render (seconds).
DOCUMENT_RENDER_TIME_LIMIT = env_int("DOCUMENT_RENDER_TIME_LIMIT", 150)
DOCUMENT_RENDER_SOFT_TIME_LIMIT = DOCUMENT_RENDER_TIME_LIMIT - 30
# Hard and soft limits of an XLSX export (seconds): a national export of the answers is
# 43 000 rows.
EXPORT_TIME_LIMIT = env_int("EXPORT_TIME_LIMIT", 600)
EXPORT_SOFT_TIME_LIMIT = EXPORT_TIME_LIMIT - 60
# Exported files hold personal data: they are deleted after this many days.
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 7)
# Periodic tasks, run by `celery -A labelml beat` (docker-compose.yml), in CELERY_TIMEZONE.
CELERY_BEAT_SCHEDULE = {
    # Deadline reminders (self-assessment closing, gap answers, label expiry), once each.
    "rappels-echeances": {
        "task": "notifications.send_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "purge-exports": {
        "task": "pilotage.purge_exports",
        "schedule": crontab(hour=3, minute=30),
    },
    # Reports, exports and e-mails whose task could not be published (Redis was down) or whose
    # message was lost: published again (labelml/core/jobs.py). Also run when a worker starts.
    "republier-taches": {
        "task": "documents.requeue_pending",
        "schedule": 60.0,
    },
    # Follow-up audits at mid-validity of the labels, scheduled before the day's reminders.
    "audits-de-suivi": {
        "task": "suivis.schedule_followups",
        "schedule": crontab(hour=6, minute=30),
    },
}
# Follow-up audit (SPEC §7b): where in the label's validity it takes place (0.5: mid-way), how
# many days ahead it is scheduled, and when the structure is reminded to send its file.
SUIVI_MI_PARCOURS = os.environ.get("SUIVI_MI_PARCOURS", "0.5")
SUIVI_PLANIFICATION_JOURS = env_int("SUIVI_PLANIFICATION_JOURS", 90)
SUIVI_RAPPEL_JOURS = env_int("SUIVI_RAPPEL_JOURS", 30)

# --- Authentication: allauth (e-mail login, no open sign-up, TOTP) + guardian -----------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    # allauth's login by e-mail, with verified addresses only (labelml/accounts/emails.py).
    "labelml.accounts.emails.VerifiedEmailBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "labelml.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Accounts come from invitations sent to their address (verified: labelml/accounts/emails.py);
# an address added later is sent a verification link and is neither a login nor primary until
# it is verified.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_FORMS = {"add_email": "labelml.accounts.emails.AddEmailForm"}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # a reset never opens a session, so it cannot skip TOTP
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[labelml] "
# Login throttling (allauth, in Django's cache: Redis when REDIS_URL is set, shared by every web
# process). "login_failed" also counts wrong TOTP/recovery codes, keyed by user (allauth.mfa).
ACCOUNT_RATE_LIMITS = {  # nosec # B105: rates of "…password" actions, not passwords
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
}
# Behind the production reverse proxy, the client's address is the last X-Forwarded-For entry
# the proxy appended (it must append, not pass the client's own header through): without it,
# every client would share the proxy's address and its per-IP limits.
ALLAUTH_TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if ENVIRONMENT == "production" else "0")
)
MFA_ADAPTER = "labelml.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "labelml"

GUARDIAN_ANONYMOUS_USER_NAME = None  # no anonymous user row: anonymous visitors see nothing
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sessions: inactivity and absolute timeouts (labelml/accounts/sessions.py, docs/security.md)
# ------
# A session ends after SESSION_IDLE_TIMEOUT seconds without a request (an autosave is one) and
# SESSION_ABSOLUTE_TIMEOUT seconds after the login, whatever the activity; the login page then
# says why. The cookie and the stored session live as long as the absolute timeout, so that
# the middleware sees an expired session and can say so; it ends it there.
SESSION_IDLE_TIMEOUT = 60 * env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_ABSOLUTE_TIMEOUT = 3600 * env_int("SESSION_ABSOLUTE_TIMEOUT_HOURS", 12)
# Last activity is written to the session at most this often (seconds): not one write a request.
SESSION_ACTIVITY_RESOLUTION = 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and not DEMO
SESSION_COOKIE_SAMESITE = "Lax"
# "Mes sessions" (labelml/accounts/sessions_views.py) lists them from allauth.usersessions' rows.
USERSESSIONS_TRACK_ACTIVITY = False

# --- The public API (/api/v1/, labelml/api, docs/api.md) -------------------------------------
# Personal tokens only (no session, so no CSRF question), problem details in French, cursor
# pages, a rate limit per token (429 with Retry-After). The docs page is served from
# drf-spectacular-sidecar's static files, under the CSP below.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["labelml.api.authentication.JetonAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["labelml.api.permissions.JetonScope"],
    "DEFAULT_THROTTLE_CLASSES": ["labelml.api.throttling.JetonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"jeton": os.environ.get("API_RATE_PER_TOKEN", "600/min")},
    "DEFAULT_PAGINATION_CLASS": "labelml.api.pagination.Curseur",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "labelml.api.errors.problem_handler",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API labelml",
    "DESCRIPTION": (
        "L'API du label qualité des Missions Locales : référentiels, structures, campagnes, "
        "dossiers, auto-évaluation, plan d'amélioration, évaluation externe, décisions et "
        "labels, chiffres du pilotage. Un jeton d'accès personnel (Authorization: Bearer …) "
        "agit avec les droits de son titulaire. Erreurs : problem details (RFC 9457)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every object's state is its `statut` (docs/architecture.md, Words): one name per set.
    "ENUM_NAME_OVERRIDES": {
        "DossierStatutEnum": "campagnes.models.Dossier.Statut",
        "ActionStatutEnum": "campagnes.plans.models.Action.Statut",
    },
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# --- Security headers and Content-Security-Policy (docs/security.md) --------------------------
# The CSRF token travels in forms and in the hx-headers of base.html, never read from the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG and not DEMO
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every script and style is a static file of this site: no inline code, no eval (htmx runs with
# allowEval off and without its injected indicator styles, see templates/base.html). Files that
# are downloaded or previewed carry their own stricter policy ("default-src 'none'; sandbox").
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
    }
}
# Browser features the application never uses (labelml/core/security.py).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
if not DEBUG and not DEMO:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Health probes come over plain HTTP from inside the network (docker-compose.yml, balancer).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Internationalisation: French UI, wrapped for translation ---------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files -------------------------------------------------------------------------------------
STATIC_URL = "static/"
# Forms render through the project's templates: templates/django/forms/div.html puts a form's
# own errors (not tied to a field) in one alert box, so that no page repeats them.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded evidence is private: MEDIA_ROOT is never served by URL, only through views that
# check permissions.
MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "media"))
# Files go to an S3-compatible bucket when S3_BUCKET is set (production: web and workers on
# several machines share it), to MEDIA_ROOT otherwise. The bucket stays private: objects are
# written without ACL (the bucket's own policy, private) and downloads are streamed by the
# permission-checked views; a URL, were one ever asked for, would be signed and short-lived.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "location": os.environ.get("S3_PREFIX", ""),
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": os.environ.get("S3_REGION") or None,
            # Without keys, boto3 looks for credentials itself (instance role, AWS_* variables).
            "access_key": os.environ.get("S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("S3_SECRET_KEY") or None,
            "signature_version": "s3v4",
            # MinIO and most S3-compatible services want path-style addresses.
            "addressing_style": os.environ.get(
                "S3_ADDRESSING_STYLE", "path" if S3_ENDPOINT_URL else "auto"
            ),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            # Like FileSystemStorage: a name already taken gets a suffix, never overwritten.
            "file_overwrite": False,
            # A file read for a download is spooled to disk beyond 5 MB, not held in memory.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or DEMO
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The demonstration serves the static files straight from their folders (labelml/settings.py,
# DEMO), through WhiteNoise, with DEBUG off.
WHITENOISE_USE_FINDERS = DEBUG or DEMO
WHITENOISE_AUTOREFRESH = DEBUG

# A multipart body (file upload) larger than the largest file accepted plus its form is refused
# with a 413 before it is read (labelml/core/uploads.py); a form without file is bounded by
# DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB), also a 413 (labelml/core/errors.py).
FILE_UPLOAD_HANDLERS = [
    "labelml.core.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "labelml <no-reply@labelml.fr>")

INVITATION_VALIDITY_DAYS = env_int("INVITATION_VALIDITY_DAYS", 14)

# --- Logs: one line per record on stderr, with the request id (labelml/core/logs.py)
# ---------------
# JSON in production (LOG_FORMAT=json), plain text in development. Celery workers and beat use
# this configuration too, and gunicorn's access log (labelml/gunicorn_conf.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if ENVIRONMENT == "production" else "text")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT doit valoir {' ou '.join(LOG_FORMATS)}.")
LOGGING = logging_config(
    LOG_FORMAT,
    LOG_LEVEL,
    # WeasyPrint logs every layout step at INFO; only its warnings matter.
    loggers={"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
)

# --- Health (/healthz, labelml/core/health.py)
# ------------------------------------------------------
# Seconds given to Redis and to the first worker to answer.
HEALTH_CHECK_TIMEOUT = env_float("HEALTH_CHECK_TIMEOUT", 0.5)
