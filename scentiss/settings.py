"""Settings for Scentiss Live, read from the environment (django-environ).

Embedded default: SQLite and the in-memory channel layer, so `make run` needs nothing installed.
Deployment and CI: DATABASE_URL (PostgreSQL) and REDIS_URL (channels-redis).
"""

import datetime
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
    "axes",
    "accounts.apps.AccountsConfig",
    "instrument.apps.InstrumentConfig",
    "sessions.apps.WorkshopsConfig",
    "survey.apps.SurveyConfig",
    "console.apps.ConsoleConfig",
    "exports.apps.ExportsConfig",
    "notes.apps.NotesConfig",
    "profiles.apps.ProfilesConfig",
    "live.apps.LiveConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "scentiss.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (a phone's first survey page 13.8 KB -> about 3 KB over the venue's
    # wifi). Below WhiteNoise, which serves static files compressed itself. BREACH: Django's
    # GZipMiddleware pads each response with random bytes (the "Heal the Breach" mitigation)
    # and the CSRF token on the pages is masked afresh per response; no other secret is
    # reflected in a page. Workbooks and documents, zip files already, are sent as they are.
    "scentiss.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "scentiss.middleware.DatabaseUnavailableMiddleware",
    # Turns django-axes' lockout into the lockout page (async-capable: no thread hop).
    "axes.middleware.AxesMiddleware",
    # A form's address opened as a page: a 405 page with the way back, not a bare 405.
    "scentiss.middleware.MethodNotAllowedMiddleware",
    # Innermost: a refusal (core.errors.Rejected) out of a view is a 400 with its message.
    "scentiss.middleware.RejectedMiddleware",
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
                "scentiss.context_processors.palette",
                "accounts.context_processors.team_manager",
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
        # 12: HTTP_CONCURRENCY (3) requests, TAP_THREADS (2) websocket taps, the snapshot
        # thread, and room to raise the first two without waiting for connections.
        "max_size": env.int("DB_POOL_SIZE", default=12),
        # A request waits at most this long for a connection, then gets the friendly 503 page
        # (scentiss/middleware.py), within a phone's patience; at most HTTP_CONCURRENCY
        # requests per process use the pool at once, so it waits only when the database is away.
        "timeout": env.float("DB_POOL_TIMEOUT", default=3),
    }
if _POSTGRES:
    # libpq's wait for a server that accepts the connection and then says nothing.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DB_CONNECT_TIMEOUT", default=3
    )
# After a request found the database unreachable, the process answers 503 at once for this
# many seconds instead of letting every request wait DB_POOL_TIMEOUT (then one tries again).
DB_UNAVAILABLE_RETRY_AFTER = env.float("DB_UNAVAILABLE_RETRY_AFTER", default=1)
# HTTP requests inside Django at once per process (0: no limit); see scentiss/asgi.py. Each runs
# its whole middleware chain and view in one thread (scentiss/handler.py), so more runnable
# threads only share one GIL with the event loop and the snapshot thread: at 200 HTTP taps/s on
# two processes, 8 put the projector's p50 at 381 ms, 4 at 155-220 ms, 3 at 103-107 ms with
# the taps' save p50 36-40 ms (bench/README.md).
HTTP_CONCURRENCY = env.int("HTTP_CONCURRENCY", default=3)
# What a slow or stalled client may cost (scentiss/transport.py, scentiss/asgi.py).
# Headers: seconds from the connection's start (or the previous response) until they are
# complete, and their size (the request line and header lines, not the body).
HTTP_HEADER_TIMEOUT = env.float("HTTP_HEADER_TIMEOUT", default=10)
HTTP_MAX_HEADER_SIZE = env.int("HTTP_MAX_HEADER_SIZE", default=64 * 1024)
# Body: any request may take HTTP_BODY_TIMEOUT seconds before its body must come at
# HTTP_BODY_MIN_RATE bytes a second on average (a client that stops is refused 408 within
# seconds, whatever length it announced). Forms are a few kilobytes: HTTP_MAX_BODY_SIZE for
# every request, except on HTTP_UPLOAD_URL_NAMES from a logged-in session, which get
# HTTP_MAX_UPLOAD_SIZE (the answers import takes files up to 20 MB and says so itself).
HTTP_BODY_TIMEOUT = env.float("HTTP_BODY_TIMEOUT", default=10)
HTTP_BODY_MIN_RATE = env.int("HTTP_BODY_MIN_RATE", default=50_000)
HTTP_MAX_BODY_SIZE = env.int("HTTP_MAX_BODY_SIZE", default=1024 * 1024)
HTTP_MAX_UPLOAD_SIZE = env.int("HTTP_MAX_UPLOAD_SIZE", default=25 * 1024 * 1024)
HTTP_UPLOAD_URL_NAMES = ["import-answers"]
# The largest message a client may send over a websocket (a tap is ~100 bytes; the other
# sockets ignore what they receive); larger ones close the socket with 1009.
WS_MAX_MESSAGE_SIZE = env.int("WS_MAX_MESSAGE_SIZE", default=64 * 1024)

# Threads per process that save the taps arriving over the phones' websockets
# (live/taps.py); each holds a database connection while it saves one.
TAP_THREADS = env.int("TAP_THREADS", default=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Every key the app writes to Redis starts with this (parallel runs on one Redis stay apart).
CHANNEL_PREFIX = env.str("CHANNEL_PREFIX", default="scentiss")
# Redis connections per process for the channel layer, and again for the connection caps
# (live/connection_caps.py). Each pool holds at most this many; a call that finds them all busy
# waits for one (a group_add holds one for well under a millisecond) instead of opening more:
# a thousand sockets closing at once used to leave a thousand idle connections behind.
REDIS_POOL_MAX_CONNECTIONS = env.int("REDIS_POOL_MAX_CONNECTIONS", default=30)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels-redis's layer with redis-py's BlockingConnectionPool (live/channel_layer.py).
            "BACKEND": "live.channel_layer.BoundedRedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout, the same as channels-redis's
                # blocking receive (BZPOPMIN, 5 s): after 5 s without a message the consumer
                # that runs the receive dies with TimeoutError and its websocket closes (None:
                # redis-py 7's default).
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": None,
                        "max_connections": REDIS_POOL_MAX_CONNECTIONS,
                    }
                ],
                # Seconds a call waits for a free connection before it fails.
                "pool_timeout": 10,
                "prefix": CHANNEL_PREFIX,
                # Results are coalesced per session, so a projector's queue stays short;
                # the headroom covers bursts of other events.
                "capacity": 500,
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Websockets one session's projector key may hold open at once, across all processes
# (live/connection_caps.py): the projector, a second screen, a few results feeds. The
# organiser's own login does not count.
WS_PER_PROJECTOR_KEY = env.int("WS_PER_PROJECTOR_KEY", default=20)
# Phone websockets one participant may hold open at once, across all processes: the survey
# page, a reload whose old socket has not closed yet, and a second tab. More are closed with
# 4429 (the phone's taps then go over HTTP).
WS_PER_PARTICIPANT = env.int("WS_PER_PARTICIPANT", default=3)
# Taps one participant may send over its phone websockets, per server process, in the
# `limits` notation. A phone that was offline sends every queued tap at once (46 statements),
# so the window allows a burst of that size; a finger does not tap faster than a few a
# second. A tap over the rate is answered {"type": "refused", "status": 429}: the phone keeps
# it and sends it again after a pause.
PHONE_TAP_RATE = env.str("PHONE_TAP_RATE", default="60/10 seconds")

# At most one results message per session per interval, for the whole cluster (one process
# claims the interval in Redis: live/broadcast.py; the in-memory layer is one process). The
# interval is four times what the last snapshot took, between these two (seconds).
RESULTS_BROADCAST_INTERVAL = env.float("RESULTS_BROADCAST_INTERVAL", default=0.1)
RESULTS_BROADCAST_MIN_INTERVAL = env.float("RESULTS_BROADCAST_MIN_INTERVAL", default=0.025)

# Django's own list unless the environment names others (dotted paths, comma-separated; the
# first hashes new passwords): e.g. Argon2 on a server that has argon2-cffi, or the tests'
# one-iteration PBKDF2 (tests/hashers.py) in the servers the tests start.
if env.str("PASSWORD_HASHERS", default=""):
    PASSWORD_HASHERS = env.list("PASSWORD_HASHERS")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Rate limits and the login lockout (sessions/rate_limits.py, django-axes). A venue's phones share
# ONE public address behind its NAT, so the per-address limits leave room for a full room
# joining at once (300 phones and their retries); the per-browser limit (its CSRF cookie)
# stops one client from making participants in a loop. Rates in the `limits` notation
# ("N/minute", "N/10 minutes", "N/hour"); set them from the environment.
# A session is full when `participant_cap` places are held (sessions/selectors.join_refusal).
# A phone that joined holds one for JOIN_HOLD_SECONDS, then only once it answered: joins that
# never answer (a script's) free their places after that. The participants that are not
# excluded are bounded at JOIN_ROWS_PER_PLACE times the cap whatever they did.
JOIN_HOLD_SECONDS = env.int("JOIN_HOLD_SECONDS", default=60)
JOIN_ROWS_PER_PLACE = env.int("JOIN_ROWS_PER_PLACE", default=4)
JOIN_RATE_PER_CLIENT = env.str("JOIN_RATE_PER_CLIENT", default="10/10 minutes")
JOIN_RATE_PER_IP = env.str("JOIN_RATE_PER_IP", default="600/10 minutes")
LOGIN_RATE_PER_IP = env.str("LOGIN_RATE_PER_IP", default="30/10 minutes")
# After LOGIN_FAILURE_LIMIT wrong passwords for one user name from one address, that name is
# locked for that address for LOGIN_LOCKOUT_MINUTES, even with the right password (another
# address, or another organiser, is not). `manage.py axes_reset_username NAME` unlocks.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "sessions.rate_limits.client_ip"
AXES_LOCKOUT_CALLABLE = "scentiss.auth.lockout_response"
AXES_USERNAME_CALLABLE = "scentiss.auth.login_username"  # bounded length, no NUL
AXES_VERBOSE = False

# E-mail (optional): with EMAIL_URL set (django-environ's form, e.g.
# smtp+tls://user:password@mail.example.org:587), an invitation or new link is also mailed to the
# colleague's address; without it the manager copies the link from the page.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
INVITATION_EMAIL = bool(env.str("EMAIL_URL", default=""))
# A mail server that does not answer must not hold one of the few request threads for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")

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
    # WhiteNoise's compressed copies (gzip and brotli), the app's own scripts and stylesheets
    # minified first (scentiss/staticstorage.py).
    "staticfiles": {"BACKEND": "scentiss.staticstorage.MinifiedCompressedStaticFilesStorage"},
}
# Before collectstatic (tests, a fresh clone) serve straight from the finders; after it, the
# collected files, with their compressed copies (plotly.min.js: 4.8 MB, 1.4 MB gzipped, 1.1 MB
# in brotli, which takes collectstatic about 9 s of CPU).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=not any(STATIC_ROOT.iterdir()))
WHITENOISE_MAX_AGE = 3600

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from hx-headers on <body>, not the cookie.
SECURE_CONTENT_TYPE_NOSNIFF = True
# The header on every response (Django's default, said here because the chair pages rely on
# it): Referer and Origin go to this site only, so keyed URLs stay in; Origin: null fails CSRF.
SECURE_REFERRER_POLICY = "same-origin"
# A refused form post says so in the user's language and offers the way back (scentiss.views).
CSRF_FAILURE_VIEW = "scentiss.views.csrf_failure"
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
    # Not on the scripts and stylesheets: a policy governs the document (and workers) it comes
    # with, so on a .js or .css it does nothing, and it was 245 of the 645 bytes of headers each
    # of them cost a phone's first load. Every page, and any other static file (the admin's
    # SVGs, which a browser may open as a document), keeps it.
    "EXCLUDE_URL_PREFIXES": tuple(
        f"{STATIC_URL}{folder}/" for folder in ("js", "css", "django_htmx", "plotly")
    ),
}

# The phone's participant cookie: signed, so a phone cannot claim another participant. The
# signature's age is checked too (not only the browser's expiry): a copied cookie stops
# working after this many seconds. Three days: a session is one day, and a phone may come
# back the next day for the revealed results.
PARTICIPANT_COOKIE_MAX_AGE = env.int("PARTICIPANT_COOKIE_MAX_AGE", default=60 * 60 * 24 * 3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403) is one warning line, without the exception's traceback.
    "filters": {
        "refusal_without_traceback": {"()": "scentiss.log_filters.RefusalWithoutTraceback"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["refusal_without_traceback"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
