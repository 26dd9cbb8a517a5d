"""Settings come from the environment; a wrong value stops the process at start."""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # the SQLite database, beat's schedule and the local secret key live here

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default=False):
    """A boolean from the environment; anything but 1/0, true/false, yes/no, on/off stops the process."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE:
        return True
    if raw.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1 or 0 (true/false, yes/no, on/off).")


def env_int(name, default, *, minimum=0):
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


DEBUG = env_bool("DEBUG")
# The key comes from the environment, or from the file `make run` writes once (var/secret_key, mode 600).
SECRET_KEY_FILE = Path(os.environ.get("SECRET_KEY_FILE") or VAR_DIR / "secret_key")
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production set SECRET_KEY to a long random string, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'. Locally, `make run` and "
            f"`make test` write one to {SECRET_KEY_FILE} for you."
        )
    SECRET_KEY = "django-insecure-debug-only-key"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "wargame.exercises",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: served pre-compressed, before anything else
    # Pages: gzip, after whitenoise (which answers static requests itself) and before every middleware that
    # reads or writes the body. Skips text/event-stream; BREACH is discussed in wargame/compression.py.
    "wargame.compression.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The person's language: their cookie (set by /i18n/setlang/), else the browser's Accept-Language, else English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wargame.exercises.middleware.refuse_control_characters",
]

ROOT_URLCONF = "wargame.urls"
ASGI_APPLICATION = "wargame.asgi.application"
WSGI_APPLICATION = "wargame.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the Celery worker and uvicorn subprocesses of the tests must see it.
    # One file per test run, so two suites on one checkout never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# Keep each thread's connection between requests (a new one costs ~0.7 ms on SQLite, several on PostgreSQL).
# Connections are bounded by web processes × WEB_THREADS + the worker's concurrency; SSE streams close theirs.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Pub/sub channels ignore Redis' database number, so tests and a dev server on one Redis need distinct prefixes.
LIVE_CHANNEL_PREFIX = env.str("LIVE_CHANNEL_PREFIX", default="wargame")
LIVE_STREAM_SECONDS = env.int("LIVE_STREAM_SECONDS", default=300)
LIVE_KEEPALIVE_SECONDS = env.int("LIVE_KEEPALIVE_SECONDS", default=15)

CACHES = {
    "default": {
        "BACKEND": "wargame.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": LIVE_CHANNEL_PREFIX,
        # A hung Redis must not hang a page: fail in a second, and the callers fall back.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}
# Template fragments ({% cache … using="fragments" %}): the same Redis, but a failure is a miss.
CACHES["fragments"] = {**CACHES["default"], "BACKEND": "wargame.cache.ForgivingRedisCache"}
# Sessions read from Redis (one GET) and fall back to the database if the cache misses or is down.
SESSION_ENGINE = "wargame.sessions"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="wargame")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A resolution takes well under a second: when a worker dies holding one, Redis hands it to another worker
# after a minute instead of the default hour, which would stall the turn.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60}
# With Redis down, a publish fails within a second or two instead of hanging the request; beat re-queues
# a turn left locked. Both the broker and the result store (which subscribes at publish) retry briefly.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY}
# Control broadcasts (/healthz's worker ping) are per Redis database; naming them after the queue means
# only this app's workers answer, not those of another run (tests, a second checkout) on the same database.
CELERY_CONTROL_EXCHANGE = CELERY_TASK_DEFAULT_QUEUE
CELERY_BEAT_SCHEDULE = {
    # A tick nobody took within 10 s is stale (the next one is queued): dead workers don't pile them up.
    "enforce-turn-deadlines": {"task": "wargame.exercises.tasks.enforce_deadlines", "schedule": 5.0,
                               "options": {"expires": 10}},
}

if env.bool("FAST_PASSWORD_HASHING", default=False):
    # Tests only: PBKDF2's deliberate slowness would dominate a suite that signs in hundreds of times.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "facilitator-login"
LOGIN_REDIRECT_URL = "facilitator-home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語"), ("ru", "Русский")]  # each named in its own language
# The language a person picks (the selector on every page) is remembered for a year in this browser.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (app.3f2a….css), a manifest, and .gz copies whitenoise serves with a year's max-age.
    # Needs `collectstatic`: scripts/run.sh, `make test` and the Dockerfile run it. Strict: a file missing
    # from the manifest is an error at render time, not a silent unhashed, short-cached URL.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# WHITENOISE_USE_FINDERS and autorefresh default to DEBUG: with DEBUG off only collected files are served.
# Files at the site root (favicon.ico), served by whitenoise without a URL route.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a TLS proxy (docker-compose turns these on); `make run` serves the room over plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container health checks call plain HTTP from inside
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER") else None
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE")
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")

JOIN_ATTEMPTS_PER_WINDOW = env.int("JOIN_ATTEMPTS_PER_WINDOW", default=10)
JOIN_WINDOW_SECONDS = 300
# Sign-in (facilitator and admin): failed attempts allowed per client IP, and per username, in a window.
LOGIN_ATTEMPTS_PER_WINDOW = env_int("LOGIN_ATTEMPTS_PER_WINDOW", 5, minimum=1)
LOGIN_WINDOW_SECONDS = env_int("LOGIN_WINDOW_SECONDS", 300, minimum=1)
TEAM_MAX_PLAYERS = 8
MESSAGE_MAX_CHARS = 2000



def _not_a_health_probe(record):
    """/healthz reports what is down in its answer; logging each 503 while a worker starts is noise."""
    request = getattr(record, "request", None)
    return not (getattr(record, "status_code", None) == 503 and getattr(request, "path", "") == "/healthz")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"not_health_probe": {"()": "django.utils.log.CallbackFilter", "callback": _not_a_health_probe}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["not_health_probe"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
