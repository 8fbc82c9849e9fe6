"""Settings for Scentiss Live, read from the environment (django-environ).

Embedded default: SQLite and the in-memory channel layer, so `make run` needs nothing installed.
Deployment and CI: DATABASE_URL (PostgreSQL) and REDIS_URL (channels-redis).
"""

import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")


def _secret_key() -> str:
    """Use SECRET_KEY if set; otherwise keep a generated one in .secret_key.

    A persisted key keeps participants' signed cookies valid across restarts of `make run`.
    """
    if env.str("SECRET_KEY", default=""):
        return env.str("SECRET_KEY")
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "csp",
    "sessions.apps.WorkshopsConfig",
    "survey.apps.SurveyConfig",
    "notes.apps.NotesConfig",
    "profiles.apps.ProfilesConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "scentiss.middleware.AsyncWhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "scentiss.urls"
ASGI_APPLICATION = "scentiss.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let concurrent phones write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not :memory:, so that server processes started by the tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if _POSTGRES and env.bool("DB_POOL", default=True):
    # A connection pool per process: under ASGI Django opens a connection per request
    # (CONN_MAX_AGE must stay 0), and a PostgreSQL connection costs more than an answer.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": env.int("DB_POOL_SIZE", default=10),
        "timeout": 10,
    }
# HTTP requests inside Django at once per process (0: no limit); see scentiss/asgi.py.
HTTP_CONCURRENCY = env.int("HTTP_CONCURRENCY", default=8)
# Threads per process that save the taps arriving over the phones' websockets
# (survey/consumers.py); each holds a database connection while it saves one.
TAP_THREADS = env.int("TAP_THREADS", default=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 changed two defaults that channels-redis relies on. It reads with
                # a 5 s socket timeout, the same as channels-redis's blocking receive
                # (BZPOPMIN, 5 s): after 5 s without a message the consumer that runs the
                # receive dies with TimeoutError and its websocket closes (None: redis-py 7's
                # default). And its pool refuses a 101st connection at once
                # (MaxConnectionsError): a room's phones reconnecting together each need one
                # for group_add/group_discard.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 2000}],
                "prefix": env.str("CHANNEL_PREFIX", default="scentiss"),
                # Results are coalesced per session, so a projector's queue stays short;
                # the headroom covers bursts of other events.
                "capacity": 500,
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# At most one results message per session per this many seconds, per server process.
RESULTS_BROADCAST_INTERVAL = env.float("RESULTS_BROADCAST_INTERVAL", default=0.1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "organiser-home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing one before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "scentiss.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Before collectstatic (tests, a fresh clone) serve straight from the finders; after it, the
# collected files, with their compressed copies (plotly.min.js: 4.8 MB, 1.4 MB gzipped).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=not any(STATIC_ROOT.iterdir()))
WHITENOISE_MAX_AGE = 3600

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from hx-headers on <body>, not the cookie.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env.bool("HTTPS", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content-Security-Policy (django-csp 4). No inline scripts anywhere: data reaches the scripts
# through json_script (type=application/json, not executed) and data attributes. htmx's indicator
# <style> is switched off by the htmx-config meta in base.html (includeIndicatorStyles: false).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # The projector's, phone's and organiser's websockets go to the same host; older
        # Safari does not count ws:/wss: as 'self', hence the schemes.
        "connect-src": [SELF, "ws:", "wss:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# The phone's participant cookie: signed, so a phone cannot claim another participant.
PARTICIPANT_COOKIE_MAX_AGE = 60 * 60 * 24 * 14

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
