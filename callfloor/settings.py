"""callfloor settings, read from the environment.

With nothing set, callfloor runs embedded: a SQLite file, the in-memory channel layer and Celery
tasks run in-process. `DATABASE_URL` switches to PostgreSQL, `REDIS_URL` to the Redis channel
layer, cache and Celery broker.
"""

import ipaddress
import os
from datetime import datetime
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a local demo).")
    SECRET_KEY = "insecure-demo-key-only-for-debug"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A refused form's security check answers with the product's 403 page (JSON on the API).
CSRF_FAILURE_VIEW = "callfloor.error_pages.csrf_failure"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    "csp",
    "agents",
    "metrics",
    "qa",
    "qa.complaints",
    "scheduling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every answer carries the policy (503s, static files, the admin, the API).
    "callfloor.middleware.ContentSecurityPolicyMiddleware",
    # 503 with Retry-After while the database is away.
    "callfloor.middleware.DatabaseUnavailableMiddleware",
    "callfloor.middleware.RejectNullCharactersMiddleware",
    # Serves the collected static files in production (Daphne does not serve them).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language: the language cookie, then the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    # Pages in the site's zone (CALLFLOOR_TIME_ZONE); the API stays UTC.
    "callfloor.middleware.SiteTimeZoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's own language (stored with them), or a board's ?lang= in its URL.
    "agents.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A person whose password change an admin required sees only the change page.
    "callfloor.passwords.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the result of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "callfloor.urls"
ASGI_APPLICATION = "callfloor.asgi.application"
WSGI_APPLICATION = None

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
                "agents.context_processors.roles",
                "callfloor.page_errors.form_context",
            ],
            # A page form's errors beside their fields (callfloor/page_errors.py).
            "libraries": {"form_errors": "callfloor.templatetags.form_errors"},
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "callfloor.sqlite3",
            # Writers take the lock when their transaction begins and wait up to `timeout`
            # for it: a deferred transaction that reads and then writes (the repeat-call
            # counters, the ingestion) cannot be upgraded while another writes, and SQLite
            # says "database is locked" at once instead of waiting.
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
        }
    }
# A read replica of the primary (PostgreSQL streaming replication) for the reports' reads
# (callfloor/db.py); without it, reports read the primary like everything else.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_URL and DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    # Under tests the replica is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["callfloor.db.ReportReplicaRouter"]
# Behind a pooler in transaction mode (pgbouncer): consecutive transactions may use different
# server connections, so no server-side cursors (Django's `.iterator()` then reads in chunks
# of one query). Every other statement of callfloor keeps to one transaction.
if DATABASE_URL and env_bool("CALLFLOOR_DB_TRANSACTION_POOLING"):
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, Celery ----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
EMBEDDED = not REDIS_URL
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A socket's reader blocks in BZPOPMIN for up to 5 s; redis-py 8 reads with a 5 s
            # timeout by default, which then fails an idle socket with close 1011. The read
            # timeout must exceed the blocking one (it still ends a read from a dead Redis).
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
    CELERY_TASK_EAGER_PROPAGATES = True
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    # Embedded mode: tasks run in-process, in the caller.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat entries are added by the apps (see each app's tasks.py and CELERY_BEAT_SCHEDULE below).
CELERY_BEAT_SCHEDULE: dict = {
    # The daily summary e-mail of yesterday's figures (recipients: metrics.SummaryRecipient).
    "metrics-daily-summary": {
        "task": "metrics.send_daily_summary",
        "schedule": crontab(hour=int(env_str("CALLFLOOR_SUMMARY_HOUR", "6")), minute=0),
        "options": {"expires": 23 * 3600},
    },
    # Repeat-call and survey facts of the reports (yesterday and today).
    "metrics-refresh-call-facts": {
        "task": "metrics.refresh_call_facts",
        "schedule": crontab(minute=5),
        "options": {"expires": 55 * 60},
    },
}
CELERY_BEAT_SCHEDULE["complaints-check-timers"] = {
    "task": "complaints.check_timers",
    "schedule": 60.0,
    "options": {"expires": 55},
}
CELERY_BEAT_SCHEDULE["qa-appeal-reminders"] = {
    "task": "qa.appeal_reminders",
    "schedule": 3600.0,
    "options": {"expires": 3500},
}
CELERY_BEAT_SCHEDULE["qa-draw-due-samples"] = {
    "task": "qa.draw_due_samples",
    "schedule": 3600.0,
    "options": {"expires": 3500},
}
CELERY_BEAT_SCHEDULE["qa-expire-test-attempts"] = {
    "task": "qa.expire_test_attempts",
    "schedule": 60.0,
    "options": {"expires": 55},
}
CELERY_BEAT_SCHEDULE["scheduling-handovers-overdue"] = {
    "task": "scheduling.alert_overdue_handovers",
    "schedule": 60.0,
    "options": {"expires": 55},
}
CELERY_BEAT_SCHEDULE["scheduling-swaps-expire"] = {
    "task": "scheduling.expire_swaps",
    "schedule": 300.0,
    "options": {"expires": 290},
}
# Role swaps start and end on time (requests check the period themselves, too).
CELERY_BEAT_SCHEDULE["agents-apply-role-swaps"] = {
    "task": "agents.apply_role_swaps",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# The floor's pushes have a Celery queue of their own, served by a worker of one process
# (docker-compose.yml: `floor-worker`): a push never waits behind a long task of another
# kind (the hourly call facts read a whole day), and the refresh worker's kept floor has one
# owner, so a push is not read as a gap because another process pushed the one before.
CALLFLOOR_FLOOR_QUEUE = "floor"
CELERY_TASK_ROUTES = {
    "metrics.refresh_floor": {"queue": CALLFLOOR_FLOOR_QUEUE},
    "metrics.floor_heartbeat": {"queue": CALLFLOOR_FLOOR_QUEUE},
}
# The wall board's heartbeat: boards call the feed stale after two missed beats.
CELERY_BEAT_SCHEDULE["floor-heartbeat"] = {
    "task": "metrics.floor_heartbeat",
    "schedule": 5.0,
    "options": {"expires": 4.5},
}
CELERY_BEAT_SCHEDULE["metrics-advance-clocks"] = {
    "task": "metrics.advance_clocks",
    "schedule": 5.0,
    "options": {"expires": 4},
}
# Alerts that leave the board: deliveries whose task was lost are picked up again.
CELERY_BEAT_SCHEDULE["alerts-deliver-due"] = {
    "task": "metrics.alerts.deliver_due",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# Recordings: calls are linked to the files their PBX wrote after they ended.
CELERY_BEAT_SCHEDULE["metrics-link-recordings"] = {
    "task": "metrics.link_recordings",
    "schedule": 120.0,
    "options": {"expires": 110},
}
# Raw telephony events (PostgreSQL): partitions by UTC day created this many days ahead, and
# the days kept (0: every day is kept); older days' partitions are dropped whole, audited.
CELERY_BEAT_SCHEDULE["metrics-raw-event-partitions"] = {
    "task": "metrics.raw_event_partitions",
    "schedule": 3600.0,
    "options": {"expires": 3500},
}
CALLFLOOR_RAW_EVENT_PARTITIONS_AHEAD_DAYS = int(
    env_str("CALLFLOOR_RAW_EVENT_PARTITIONS_AHEAD_DAYS") or 7
)
CALLFLOOR_RAW_EVENT_RETENTION_DAYS = int(env_str("CALLFLOOR_RAW_EVENT_RETENTION_DAYS") or 0)
# Where `make demo` writes its synthetic recordings.
CALLFLOOR_RECORDINGS_DEMO_DIR = env_str(
    "CALLFLOOR_RECORDINGS_DEMO_DIR", str(BASE_DIR / "var" / "recordings")
)
# Channel secrets are encrypted under this key (default: derived from SECRET_KEY); the links in
# alert messages start with the product's public address.
CALLFLOOR_SECRETS_KEY = env_str("CALLFLOOR_SECRETS_KEY")
CALLFLOOR_BASE_URL = env_str("CALLFLOOR_BASE_URL")
CALLFLOOR_ALERTS_RETRY_BASE_S = float(env_str("CALLFLOOR_ALERTS_RETRY_BASE_S") or 30)
CALLFLOOR_ALERTS_MAX_ATTEMPTS = int(env_str("CALLFLOOR_ALERTS_MAX_ATTEMPTS") or 6)
# The board's (and alert rules') windows: a complaint whose escalation is due within these
# minutes; an active telephony source without an event for these seconds.
CALLFLOOR_COMPLAINT_DUE_MIN = float(env_str("CALLFLOOR_COMPLAINT_DUE_MIN") or 30)
CALLFLOOR_SOURCE_SILENT_S = float(env_str("CALLFLOOR_SOURCE_SILENT_S") or 300)
# An AMI source's follower that has not been heard from for these seconds counts as down.
CALLFLOOR_AMI_STALE_S = float(env_str("CALLFLOOR_AMI_STALE_S") or 90)

# --- Server process ------------------------------------------------------------------------------
# Seconds between hand-backs of the C heap's free pages (callfloor/malloc_trim.py).
CALLFLOOR_MALLOC_TRIM_S = float(env_str("CALLFLOOR_MALLOC_TRIM_S") or 30)
# Embedded mode has no Celery beat: with this set, the web process beats itself (make demo).
CALLFLOOR_LOCAL_BEAT = env_bool("CALLFLOOR_LOCAL_BEAT")

# Wall-board sockets one browser session may hold open in one server process.
CALLFLOOR_WS_MAX_PER_SESSION = int(env_str("CALLFLOOR_WS_MAX_PER_SESSION", "10"))
# A socket whose client does not read is dropped past this many unsent bytes (Daphne).
CALLFLOOR_WS_MAX_BUFFER_BYTES = int(env_str("CALLFLOOR_WS_MAX_BUFFER_BYTES", str(8 * 1024 * 1024)))
# --- Phone-system controls from the board (AMI sources) -------------------------------------------
# Team leads listen in, pause and move the agents of their own teams ("own_team"), of the whole
# site ("site"), or use no controls ("none"); supervisors act on the whole site.
CALLFLOOR_PBX_CONTROL_TEAM_LEADS = env_str("CALLFLOOR_PBX_CONTROL_TEAM_LEADS", "own_team")
# The channel the PBX rings for a supervisor's bare extension (a dial string is used as given).
CALLFLOOR_SUPERVISOR_CHANNEL = env_str("CALLFLOOR_SUPERVISOR_CHANNEL", "PJSIP/{extension}")
# How long a control waits for Asterisk to connect and to answer an action.
CALLFLOOR_AMI_ACTION_TIMEOUT_S = float(env_str("CALLFLOOR_AMI_ACTION_TIMEOUT_S", "10"))
# --- Scheduling -----------------------------------------------------------------------------------
CALLFLOOR_HANDOVER_ACK_MINUTES = int(env_str("CALLFLOOR_HANDOVER_ACK_MINUTES", "30"))
CALLFLOOR_SWAP_MIN_NOTICE_HOURS = int(env_str("CALLFLOOR_SWAP_MIN_NOTICE_HOURS", "24"))
CALLFLOOR_MIN_REST_HOURS = int(env_str("CALLFLOOR_MIN_REST_HOURS", "11"))
# A swap may not take an agent above this many hours of shifts in one week (Monday to Sunday).
CALLFLOOR_MAX_WEEKLY_HOURS = float(env_str("CALLFLOOR_MAX_WEEKLY_HOURS", "48"))
CALLFLOOR_LATE_GRACE_MINUTES = int(env_str("CALLFLOOR_LATE_GRACE_MINUTES", "0"))
# Team leads read (never act on) the agents of every team, not only their own: profiles,
# evaluations, appeals, schedules, leave, attendance and reports.
CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR = env_bool("CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR")
# Minutes out of adherence (scheduled activity vs state) before the board marks the agent.
CALLFLOOR_ADHERENCE_THRESHOLD_MINUTES = float(env_str("CALLFLOOR_ADHERENCE_THRESHOLD_MINUTES", "5"))

# --- Auth -----------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Login throttling: five failures for one user name from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(env_str("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The proxies whose X-Forwarded-For is believed for the client's address (lockout, throttling):
# their number ("1" for one TLS proxy) or their addresses and networks. Unset: the header is
# ignored, because any client can send it.
_TRUSTED_PROXIES = env_str("CALLFLOOR_TRUSTED_PROXIES").strip()
CALLFLOOR_TRUSTED_PROXIES: int | list[str] = (
    int(_TRUSTED_PROXIES) if _TRUSTED_PROXIES.isdigit() else env_list("CALLFLOOR_TRUSTED_PROXIES")
)
for _proxy in CALLFLOOR_TRUSTED_PROXIES if isinstance(CALLFLOOR_TRUSTED_PROXIES, list) else []:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"CALLFLOOR_TRUSTED_PROXIES: {_proxy!r} is neither a number nor an address."
        ) from None
AXES_CLIENT_IP_CALLABLE = "callfloor.client_ip.client_ip"
# Password-reset e-mails asked for per hour, per e-mail address and per client address.
CALLFLOOR_PASSWORD_RESETS_PER_EMAIL = int(env_str("CALLFLOOR_PASSWORD_RESETS_PER_EMAIL", "3"))
CALLFLOOR_PASSWORD_RESETS_PER_ADDRESS = int(env_str("CALLFLOOR_PASSWORD_RESETS_PER_ADDRESS", "10"))

# --- Time -----------------------------------------------------------------------------------------
USE_TZ = True
TIME_ZONE = "UTC"  # the database stores UTC
CALLFLOOR_TIME_ZONE = env_str("CALLFLOOR_TIME_ZONE", "UTC")  # the site's zone, applied at the edges
# Post-call survey scores run from low to high; the top `TOP_BOX` scores count as satisfied.
CALLFLOOR_SURVEY_SCALE = (
    int(env_str("CALLFLOOR_SURVEY_MIN", "1")),
    int(env_str("CALLFLOOR_SURVEY_MAX", "5")),
)
CALLFLOOR_SURVEY_TOP_BOX = int(env_str("CALLFLOOR_SURVEY_TOP_BOX", "2"))
# A caller calling any queue again within this many hours makes a repeat call (FCR proxy).
CALLFLOOR_REPEAT_WINDOW_H = float(env_str("CALLFLOOR_REPEAT_WINDOW_H", "24"))
# Times a telephony event may carry. Every source: not before this date, nor more than
# MAX_FUTURE_S ahead of the server's clock. Events sent live (the JSON events API): not older
# than MAX_AGE_DAYS either (0: no such limit). A queue_log file may hold years of history.
CALLFLOOR_EVENT_EARLIEST = env_str("CALLFLOOR_EVENT_EARLIEST", "2000-01-01")
try:
    datetime.fromisoformat(CALLFLOOR_EVENT_EARLIEST)
except ValueError:
    raise ImproperlyConfigured("CALLFLOOR_EVENT_EARLIEST must be a date, e.g. 2000-01-01") from None
CALLFLOOR_EVENT_MAX_FUTURE_S = float(env_str("CALLFLOOR_EVENT_MAX_FUTURE_S", "300"))
CALLFLOOR_EVENT_MAX_AGE_DAYS = float(env_str("CALLFLOOR_EVENT_MAX_AGE_DAYS", "7"))

# --- Languages ------------------------------------------------------------------------------------
# Each language is named in its own words in the language switch.
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
]
# The site's language for people whose browser asks for none of LANGUAGES.
LANGUAGE_CODE = env_str("CALLFLOOR_LANGUAGE", "en").strip().lower()
if LANGUAGE_CODE not in {code for code, _ in LANGUAGES}:
    raise ImproperlyConfigured(
        f"CALLFLOOR_LANGUAGE={LANGUAGE_CODE!r}: use one of en, zh-hans, zh-hant."
    )
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# The chosen language outlives a log-out (the login page stays in it) for a year.
LANGUAGE_COOKIE_NAME = "callfloor_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Files served at the site's root (/favicon.ico).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "callfloor.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "callfloor.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "callfloor.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "callfloor API",
    "DESCRIPTION": "Live floor supervision, quality, complaints and scheduling for call centres.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The API docs page loads its assets from here, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Webhooks (integration events, alerts) are part of the description: OpenAPI 3.1.
    "OAS_VERSION": "3.1.0",
    "WEBHOOKS": [
        f"metrics.alerts.openapi.{name}"
        for name in (
            "ALERT_RAISED",
            "ALERT_CLEARED",
            "HELP_REQUESTED",
            "COMPLAINT_ESCALATED",
            "APPEAL_DECIDED",
            "HANDOVER_SENT",
            "HANDOVER_ACKNOWLEDGED",
        )
    ],
}
# The schema (/api/schema/) and its docs page (/api/docs/) are for logged-in staff unless public.
CALLFLOOR_PUBLIC_API_DOCS = env_bool("CALLFLOOR_PUBLIC_API_DOCS")
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env_str("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2 * 1024 * 1024)))

# --- Security -------------------------------------------------------------------------------------
HTTPS = env_bool("CALLFLOOR_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
# Served over HTTPS (the default without DEBUG): plain HTTP is redirected (except the health
# probe of a load balancer) and browsers are told to stay on HTTPS for an hour; raise
# SECURE_HSTS_SECONDS once the whole site is known to work over HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "3600" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp). No data is parsed as HTML in the pages,
# and nothing inline runs: scripts and styles come from our own static files; a template that
# really needs an inline script gives it `nonce="{{ request.csp_nonce }}"`; the call player hands
# the nonce to wavesurfer.js for the one stylesheet it writes itself. The board's socket
# (ws:// or wss:// of the page's own host) is added per request by the middleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "callfloor@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "daphne": {"level": "WARNING"}},
}
