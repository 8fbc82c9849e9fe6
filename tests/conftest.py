import collections
import datetime
import functools
import hashlib
import os
import queue
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import hypothesis
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import Client

from instrument.loader import instrument_load, read_instrument
from instrument.models import Instrument
from scentiss.transport import UVICORN_ARGS
from sessions.models import Phase, Workshop
from sessions.selectors import PARTICIPANT_COOKIE_SALT, participant_cookie_name
from sessions.services import workshop_create

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

BASE_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS = BASE_DIR / "test-artifacts"  # screenshots, PDFs and documents to look at
ARTIFACTS.mkdir(exist_ok=True)


# The property tests (Hypothesis) try all their examples in `make test` (CI); `make test-fast`
# loads the profile "quick" (--hypothesis-profile quick), a quarter of them, for a quicker loop
# while changing code: the tests that give their own number scale it with property_examples.
hypothesis.settings.register_profile("quick", max_examples=25)


def property_examples(full: int) -> int:
    """`full` examples, or the loaded profile's share of them (100 is Hypothesis's default)."""
    return max(5, full * hypothesis.settings.default.max_examples // 100)


# What the slow tier costs, counted per run and printed at its end ("test costs: ..."): server
# processes started, instruments loaded into an emptied database, database flushes.
COSTS: collections.Counter[str] = collections.Counter()


# The instruments (by id) this process loaded or compared with the file: a later test finds
# the same row unchanged (a test's own changes are rolled back or flushed, and a flush's
# reload makes a new id, as the sequences are never reset), so it skips the comparison.
_CHECKED_INSTRUMENTS: set[int] = set()


@functools.cache
def _instrument_file() -> dict:
    return read_instrument()


def ensure_instrument() -> Instrument:
    """The Scentiss instrument: loaded by the data migration, and again after a transactional
    test flushed the tables. One query when this process has seen it already; the loader's
    comparison of every statement with the file (8 queries, 12 ms of CPU) the first time."""
    data = _instrument_file()
    found = Instrument.objects.filter(slug=data["slug"], version=data["version"]).first()
    if found is not None and found.pk in _CHECKED_INSTRUMENTS:
        return found
    instrument, created = instrument_load(data)
    COSTS["instrument loads"] += created
    _CHECKED_INSTRUMENTS.add(instrument.pk)
    return instrument


@pytest.fixture
def instrument(db) -> Instrument:
    return ensure_instrument()


@pytest.fixture
def make_workshop(db, instrument):
    def make(**kwargs) -> Workshop:
        defaults = {
            "city": "Zwolle",
            "date": datetime.date(2026, 11, 26),
            "tables": 3,
            "instrument": instrument,
            "phase": Phase.SURVEY,
        }
        return workshop_create(**{**defaults, **kwargs})

    return make


@pytest.fixture
def workshop(make_workshop) -> Workshop:
    return make_workshop()


def participant_cookie(workshop: Workshop, token: str) -> tuple[str, str]:
    """The signed cookie a phone holds after joining, as (name, value)."""
    name = participant_cookie_name(workshop)
    response = HttpResponse()
    response.set_signed_cookie(name, token, salt=PARTICIPANT_COOKIE_SALT)
    return name, response.cookies[name].value


# The TLS context of every httpx client in the tests. Without one httpx builds a context per
# client and loads the system's CA bundle into it: 26 ms of CPU a client here, and the join
# flood alone makes 300 of them. The tests speak plain HTTP to 127.0.0.1, so it is never used.
HTTPX_TLS = ssl.create_default_context()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: list[str] = field(default_factory=list)  # every line of its stderr so far

    def errors(self) -> list[str]:
        """The log lines of errors and tracebacks: a refused client must cause none."""
        return [line for line in self.log if "Traceback" in line or "ERROR" in line]

    @property
    def host(self) -> str:
        return self.url.split("//", 1)[1]


def _database_url(name: str | None = None) -> str:
    """The URL of the test database pytest-django created (or of the database `name` on the
    same server), for server subprocesses."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or ""
    auth = f"{user}:{s['PASSWORD']}@" if s.get("PASSWORD") else (f"{user}@" if user else "")
    host = f"{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}"
    return f"postgres://{auth}{host}/{name or s['NAME']}"


# The files a migrated database depends on: the migrations and the code and data they read
# (the instrument's files, the answer function's SQL), and the locked versions of Django and
# the rest. Any change to one of them makes a new template (below).
_SCHEMA_SOURCES = (
    "accounts",
    "console",
    "core",
    "exports",
    "instrument",
    "live",
    "notes",
    "profiles",
    "scentiss",
    "sessions",
    "survey",
)
_SCHEMA_SUFFIXES = {".py", ".sql", ".json"}


def _schema_key() -> str:
    digest = hashlib.sha256()
    files = [BASE_DIR / "requirements" / "dev.lock"]
    for top in _SCHEMA_SOURCES:
        files += [p for p in (BASE_DIR / top).rglob("*") if p.suffix in _SCHEMA_SUFFIXES]
    for path in sorted(files):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(BASE_DIR)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _migrated_template(*, kept: bool) -> str | None:
    """A migrated database on the test database's PostgreSQL server, `test_<NAME>_template`,
    made once for the files it depends on (_schema_key, kept as the database's comment) and
    kept between runs: each test database pytest-django creates is a copy of it (CREATE
    DATABASE ... TEMPLATE), so the migrations run once, not once per pytest-xdist worker and
    run (about 4 s of Python CPU and 20 s under load each). The workers that start together
    wait for the one that makes it (an advisory lock). The copy is migrated as before, which
    finds nothing to apply and sends post_migrate (the answer function, content types).
    `kept`: --reuse-db, which uses the worker's database as it is when there is one (its
    migrate applies what is new): then no template is needed."""
    import psycopg
    from psycopg import sql

    s = connection.settings_dict
    if s["ENGINE"] != "django.db.backends.postgresql":
        return None
    name = f"test_{s['NAME']}_template"
    key = _schema_key()
    params = {
        "dbname": "postgres",
        "host": s.get("HOST") or "127.0.0.1",
        "port": s.get("PORT") or 5432,
        "user": s.get("USER") or None,
        "password": s.get("PASSWORD") or None,
        "autocommit": True,
    }
    lock = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        exists = "SELECT 1 FROM pg_database WHERE datname = %s"
        if kept and conn.execute(exists, [connection.creation._get_test_db_name()]).fetchone():
            return None
        conn.execute("SELECT pg_advisory_lock(%s)", [lock])
        try:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [name],
            ).fetchone()
            if row is None or row[0] != key:
                COSTS["template migrations"] += 1
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                subprocess.run(
                    [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                    cwd=BASE_DIR,
                    env={**os.environ, "DATABASE_URL": _database_url(name)},
                    check=True,
                )
                conn.execute(
                    sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                        sql.Identifier(name), sql.Literal(key)
                    )
                )
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [lock])
    return name


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request: pytest.FixtureRequest, django_db_modify_db_settings_parallel_suffix
) -> None:
    """pytest-django's (each xdist worker's database gets a suffix), and the test databases it
    creates are copies of the migrated template (_migrated_template). A database kept by
    --reuse-db is used as it is, as before."""
    config = request.config
    template = _migrated_template(
        kept=bool(config.getvalue("reuse_db") and not config.getvalue("create_db"))
    )
    if template:
        connection.settings_dict.setdefault("TEST", {})["TEMPLATE"] = template


def start_server(
    *, port: int | None = None, extra_env: dict | None = None, timeout: float = 30
) -> Server:
    """Run the app as it is deployed (uvicorn, ASGI) against the test database, on a free port
    or on `port` (to restart a server where its clients expect it).

    Returns once uvicorn reports that it listens (read from its log, not guessed by sleeping).
    """
    COSTS["server starts"] += 1
    port = port or free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": settings.SECRET_KEY,
        # The tests' quick hasher first (tests/hashers.py), so a login does not rehash.
        "PASSWORD_HASHERS": ",".join(settings.PASSWORD_HASHERS),
        **(extra_env or {}),
    }
    # The browser tests allow the ORM next to sync Playwright (_orm_beside_playwright); the app
    # must not.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "scentiss.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "info",
            "--no-access-log",
            *UVICORN_ARGS,
        ],
        cwd=BASE_DIR,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    server = Server(url=f"http://127.0.0.1:{port}", process=process)

    def pump() -> None:  # keeps the pipe drained for the server's whole life
        for line in process.stderr:
            lines.put(line)
            server.log.append(line)  # the list of the test now using it (shared_server)
            sys.stderr.write(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            raise RuntimeError(f"server exited with {process.wait()}")
        if "Uvicorn running on" in line:
            return server
    process.kill()
    raise RuntimeError("server did not come up")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


class Servers:
    """The app server of a module's tests (start_server): one process at a time, which a test
    may stop and start again on the same port, where its clients expect it."""

    def __init__(self, extra_env: dict | None = None) -> None:
        self.extra_env = extra_env
        self.current: Server | None = start_server(extra_env=extra_env)
        self.url = self.current.url
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.current is not None:
            stop_server(self.current)
            self.current = None

    def start_again(self) -> None:
        self.current = start_server(port=self.port, extra_env=self.extra_env)

    def running(self) -> Server:
        """The server, started again if a test before this one stopped it."""
        if self.current is None or self.current.process.poll() is not None:
            self.stop()
            self.start_again()
        assert self.current is not None
        return self.current


class _ServerPool:
    """The app servers of one test process (pytest-xdist worker), by their settings (a module's
    SERVER_ENV): a server is started once and handed from one module to the next, not once per
    module (46 starts of about a second of CPU each with the first requests of the new
    process, which load what a server loads lazily). A server keeps nothing between tests that
    the emptied database would make stale (shared_server), whichever module the test is in."""

    def __init__(self) -> None:
        self.servers: dict[tuple[tuple[tuple[str, str], ...], bool], Servers] = {}

    def get(self, extra_env: dict | None, *, second: bool = False) -> Servers:
        """The server with these settings; `second`: another process with the same settings
        (two_servers)."""
        key = (tuple(sorted((extra_env or {}).items())), second)
        if key not in self.servers:
            self.servers[key] = Servers(extra_env=extra_env)
        return self.servers[key]

    def stop(self) -> None:
        for servers in self.servers.values():
            servers.stop()
        self.servers.clear()


@pytest.fixture(scope="session")
def _server_pool(django_db_setup) -> Iterator[_ServerPool]:
    # After django_db_setup, so the servers are stopped before the test database is dropped.
    pool = _ServerPool()
    yield pool
    pool.stop()


@pytest.fixture(scope="module")
def module_servers(request: pytest.FixtureRequest, _server_pool: _ServerPool) -> Servers:
    """The app server of a module's tests (the fixtures `server`, and `servers` of
    tests/test_browser.py), shared with the other modules of this test process that want the
    same settings (_ServerPool). A module whose server needs other settings names them in
    SERVER_ENV (a dict of environment variables)."""
    return _server_pool.get(getattr(request.module, "SERVER_ENV", None))


def shared_server(request: pytest.FixtureRequest, server: Server) -> Server:
    """Hand the module's server to one more test: with a log of its own (Server.log, errors())
    and, once the test is over, without the pages the test left open in the module's browser,
    so that their sockets end while the test's data still exists; transactional_db (which the
    caller asks for) then empties the database. The server keeps nothing between tests that
    the emptied database would make stale: its caches are keyed by ids the database never
    hands out twice (the sequences are not reset), and the rate limits and connection caps it
    counts in Redis are reset before each test (_fresh_rate_limits)."""
    if server.process.poll() is not None:
        raise RuntimeError(f"the module's server exited with {server.process.returncode}")
    server.log = []
    if "browser" in request.fixturenames:
        browser = request.getfixturevalue("browser")
        request.addfinalizer(lambda: [context.close() for context in browser.contexts])
    return server


@pytest.fixture
def server(request: pytest.FixtureRequest, transactional_db, module_servers) -> Server:
    """The app as deployed (start_server): the module's (module_servers), for one test, with
    committed data it can read (transactional_db, which empties the database after the test)."""
    return shared_server(request, module_servers.running())


@pytest.fixture
def two_servers(request: pytest.FixtureRequest, transactional_db, _server_pool) -> list[Server]:
    """Two processes of the app sharing PostgreSQL and Redis, as scaled out: the module's
    server (module_servers) and a second with the same settings, each shared as `server` is."""
    assert settings.REDIS_URL, "two processes need REDIS_URL (make test sets it)"
    env = getattr(request.module, "SERVER_ENV", None)
    return [
        shared_server(request, _server_pool.get(env, second=second).running())
        for second in (False, True)
    ]


@pytest.fixture
def organiser(db) -> Client:
    """A client logged in as an organiser (user "organiser")."""
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("organiser", password="a-long-password-1")
    )
    return client


@pytest.fixture(scope="module")
def _orm_beside_playwright() -> Iterator[None]:
    # Sync Playwright runs its asyncio loop in this thread (in a greenlet it switches to), so
    # while a browser is open Django sees a running loop and refuses ORM calls with "You cannot
    # call this from an async context". The tests' ORM calls run between Playwright calls,
    # never inside that loop, so they are safe. Module scope: it must outlast pytest-django's
    # flush at the end of each test. The app servers never get the variable (start_server).
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


class _SharedBrowser:
    """Debian's Chromium (tests.browser_helpers) and Playwright's driver, one of each per test
    process, handed from one browser module to the next: starting the driver (a Node process)
    and the browser costs about a second of CPU, and 38 modules used to start their own. It is
    stopped before a test of another module that does not use it (pytest_runtest_teardown):
    sync Playwright keeps its event loop in this thread, where the asyncio of the other tests
    (asgiref, Channels' communicators) would find it running."""

    def __init__(self) -> None:
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None

    def get(self) -> "Browser":
        if self.browser is None or not self.browser.is_connected():
            from playwright.sync_api import sync_playwright

            from tests.browser_helpers import CHROMIUM, CHROMIUM_ARGS

            self.stop()
            COSTS["browser starts"] += 1
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        return self.browser

    def stop(self) -> None:
        if self.browser is not None:
            self.browser.close()
            self.browser = None
        if self.playwright is not None:
            self.playwright.stop()
            self.playwright = None


_SHARED_BROWSER = _SharedBrowser()


@pytest.fixture(scope="module")
def browser(_orm_beside_playwright) -> Iterator["Browser"]:
    """The browser of this test process (_SharedBrowser), for a module's tests; the module
    leaves no page of its own open in it."""
    browser = _SHARED_BROWSER.get()
    yield browser
    for context in browser.contexts:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield
    # Once the module is done (its fixtures torn down), the browser stays only for a next
    # module that uses it.
    if nextitem is None or (
        nextitem.module is not getattr(item, "module", None)
        and "browser" not in getattr(nextitem, "fixturenames", ())
    ):
        _SHARED_BROWSER.stop()
    return result


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Rate-limit counters live in Redis for their window (minutes): every test starts at zero,
    whatever the tests before it joined or logged in from 127.0.0.1."""
    from sessions.rate_limits import rate_limits_reset

    rate_limits_reset()


@pytest.fixture(scope="session", autouse=True)
def _close_worker_thread_connections(django_db_setup):
    """Async tests touch the database from asgiref's worker thread; close its connection so
    the test database can be dropped at the end."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


def _quick_passwords_and_static_files() -> None:
    """Two costs of the test process that a server process pays once, not per test: password
    hashing (tests/hashers.py) and WhiteNoise's scan of the static files, which Django's test
    Client repeats for every Client it makes (it builds the middleware chain per Client):
    together half of the fast tier's CPU, or more once `make run` has collected the files.
    Server processes the tests start are unchanged."""
    from django.contrib.auth import hashers
    from whitenoise.middleware import WhiteNoiseMiddleware

    settings.PASSWORD_HASHERS = [
        "tests.hashers.QuickPBKDF2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()

    # The files of the finders (the apps' static folders, while nothing is collected) and those
    # of STATIC_ROOT (after a `make run` has collected them: every Client then walked it, with
    # the compressed copies of each file, a fifth of the fast tier's CPU).
    def once(scan: Callable[..., None], key: Callable[..., tuple]) -> Callable[..., None]:
        scanned: dict[tuple, dict] = {}

        @functools.wraps(scan)
        def scan_once(self: WhiteNoiseMiddleware, *args: str) -> None:
            k = key(self, *args)
            if k not in scanned:
                before = set(self.files)
                scan(self, *args)
                scanned[k] = {url: found for url, found in self.files.items() if url not in before}
            self.files.update(scanned[k])

        return scan_once

    WhiteNoiseMiddleware.add_files_from_finders = once(
        WhiteNoiseMiddleware.add_files_from_finders, lambda self: ("finders", self.static_prefix)
    )
    WhiteNoiseMiddleware.update_files_dictionary = once(
        WhiteNoiseMiddleware.update_files_dictionary, lambda self, root, prefix: (root, prefix)
    )


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets its own Redis key prefix (rate limits, connection
    caps, channel groups), so one worker's reset of the rate limits never lands in another's
    test; server processes a worker starts inherit it through the environment. Django's
    settings are loaded before any conftest runs, hence the change here rather than in the
    environment. pytest-django gives each worker its own database already."""
    _quick_passwords_and_static_files()
    _quick_flush()
    _count_flushes()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    prefix = f"{settings.CHANNEL_PREFIX}-{worker}"
    os.environ["CHANNEL_PREFIX"] = prefix
    settings.CHANNEL_PREFIX = prefix
    layer_config = settings.CHANNEL_LAYERS.get("default", {}).get("CONFIG", {})
    if "prefix" in layer_config:
        layer_config["prefix"] = prefix


# The fast tier (`make test-fast`): every test that needs no server process and no browser.
# A test is in the slow tier when it drives a browser, starts a server (any fixture named
# *server*), or needs committed data that another process can read (transactional_db, which is
# also what flushes the database after it): the three costs the fast tier leaves out; and the
# walks (marker `walk`, set by hand).
_SLOW_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def _needs_a_process(item: pytest.Item) -> bool:
    # pytest-django's own autouse helpers (_live_server_helper) start nothing.
    names = {n for n in getattr(item, "fixturenames", ()) if not n.startswith("_")}
    if names & _SLOW_FIXTURES or any("server" in n or "browser" in n for n in names):
        return True
    if item.get_closest_marker("browser") or item.get_closest_marker("server"):
        return True
    marker = item.get_closest_marker("django_db")
    return bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )


# The longest modules, longest first (their tests' summed durations in a slow-tier run, three
# workers, at load 12-20: test_day_devices 332 s, test_day_forms 280 s, ... down to 61 s;
# test_hostile_walk and test_deployment moved up after the browser tests' CPU was halved: in
# make test's run at load 11-17, test_hostile_walk's walk alone took 62 s, test_deployment 41 s).
# `make test` hands the workers whole modules (--dist loadscope) in the order of the collection
# (--no-loadscope-reorder), and the collection puts these first, then the other modules by
# their number of tests (the order pytest-xdist's own reordering gave). By that count alone the
# longest, with one to seven tests each, came last and ran on one or two workers while the
# third had nothing left: the last few minutes of a run.
LONGEST_MODULES = (
    "test_day_devices",
    "test_day_forms",
    "test_hostile_walk",
    "test_access",
    "test_day_second_rehearsal",
    "test_taps",
    "test_facilitator_room",
    "test_day_rehearsal",
    "test_offline_browser",
    "test_browser",
    "test_deployment",
    "test_join_hardening",
    "test_facilitator_tools",
    "test_accounts",
    "test_input_pages_browser",
    "test_first_load",
    "test_join_flood",
)


def _module_order(items: list[pytest.Item]) -> None:
    """Reorder `items` module by module (a module's own order kept): the modules that use the
    browser before the others, so that a test process starts its browser once for a run of
    them (_SharedBrowser); in each part LONGEST_MODULES first, then the modules with more tests
    before those with fewer."""

    def module(item: pytest.Item) -> str:
        return item.nodeid.split("::", 1)[0]

    tests = collections.Counter(module(item) for item in items)
    browser = {module(item) for item in items if "browser" in getattr(item, "fixturenames", ())}
    first = {f"tests/{name}.py": rank for rank, name in enumerate(LONGEST_MODULES)}
    items.sort(
        key=lambda item: (
            module(item) not in browser,
            first.get(module(item), len(first)),
            -tests[module(item)],
        )
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # `walk`: the sweeps of every route as every role, a fifth of the fast tier's CPU;
        # the full suite (make test, CI) runs them, the quick loop while changing code not.
        if _needs_a_process(item) or item.get_closest_marker("walk"):
            item.add_marker(pytest.mark.slow)
    _module_order(items)


# What the flush after a transactional test keeps: the rows the post_migrate signal would put
# back at once (content types, permissions), the same rows with the same ids.
_KEPT_BY_FLUSH = frozenset({"django_content_type", "auth_permission"})


def _quick_flush() -> None:
    """The flush after each transactional test (Django's `flush` command, in TransactionTestCase's
    teardown) empties the tables with DELETE in one transaction, not TRUNCATE, and does not
    replay post_migrate. The database it leaves is the same: every table empty but the content
    types and permissions, the answer function in place (post_migrate reinstalls it after a
    migrate; a flush never drops it). On PostgreSQL TRUNCATE makes new files for each of the
    ~45 tables and their indexes: 1.2 to 2.3 s a flush on this machine under load, where the
    DELETEs of a test's few rows took 0.15 to 0.3 s and post_migrate's 116 queries 0.7 to
    1.6 s (docs/development.md, "What the slow tier costs"). Sequences are not reset, by either (a reset_sequences test gets Django's TRUNCATE).
    Only the flush command is changed; migrate still sends post_migrate."""
    from django.core.management.commands import flush

    def sql_flush(style, connection, reset_sequences=True, allow_cascade=False) -> list[str]:
        tables = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        tables = sorted(t for t in tables if t not in _KEPT_BY_FLUSH)
        if reset_sequences or allow_cascade or connection.vendor != "postgresql":
            return connection.ops.sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: checked at the commit of
        # execute_sql_flush's transaction, when every referencing row is gone too.
        quote = connection.ops.quote_name
        deletes = [f"DELETE FROM {quote(t)};" for t in tables]  # noqa: S608 (Django's tables)
        return ["SET CONSTRAINTS ALL DEFERRED;", *deletes]

    def emit_post_migrate_signal(*args: object, **kwargs: object) -> None:
        return None

    flush.sql_flush = sql_flush
    flush.emit_post_migrate_signal = emit_post_migrate_signal


def _count_flushes() -> None:
    """A transactional test empties every table after it (TransactionTestCase's teardown; the
    TestCase's rolls back instead): counted in COSTS. The Scentiss instrument is then loaded
    again at once, committed, as the migrations left it: otherwise every test after the flush
    that asks for it (most do, through `workshop`) loaded it inside its own transaction, which
    rolls it back, so the next test loaded it again (26 queries each time)."""
    from django.test import TransactionTestCase

    teardown = TransactionTestCase._fixture_teardown

    @functools.wraps(teardown)
    def _fixture_teardown(self: TransactionTestCase) -> None:
        COSTS["flushes"] += 1
        teardown(self)
        ensure_instrument()

    TransactionTestCase._fixture_teardown = _fixture_teardown


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: its counts go to the controller
        workeroutput["test_costs"] = dict(COSTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    COSTS.update(getattr(node, "workeroutput", {}).get("test_costs", {}))


def pytest_terminal_summary(terminalreporter) -> None:
    if COSTS:
        costs = ", ".join(f"{name} {count}" for name, count in sorted(COSTS.items()))
        terminalreporter.write_line(f"test costs: {costs}")
