"""The Django side of the load benchmark: create the sessions, then check the stored answers.

Runs in the load generator's process but only before and after its event loop, never while
it measures: the ORM is synchronous and must not stall the clients' timings. The export and
publication benchmarks make their sessions here too (`answered_session`); this module imports
nothing at its top that they do not need (the servers' module brings uvicorn, which would count
in the export's memory).
"""

import datetime
import os
import random
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

BENCH_CITY_PREFIX = "Bench "
DONT_KNOW_SHARE = 0.08  # the answers of an answered session that are "weet ik niet"


@dataclass(frozen=True)
class SessionInfo:
    code: str
    projector_key: str
    participants: int  # how many phones the benchmark will join to it
    tables: int
    statements: tuple[tuple[int, int], ...]  # (statement id, element number), in survey order


def ensure_database() -> None:
    """Create the benchmark's own database if missing, migrate it and collect the static
    files, as a deployment does (a fresh clone works)."""
    import psycopg
    from psycopg import sql

    from bench.servers import BASE_DIR, DATABASE_URL, server_env

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    commands = (
        ["migrate", "--noinput", "-v0"],
        ["compilemo"],
        ["collectstatic", "--clear", "--noinput", "-v0"],
    )
    for command in commands:
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=server_env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )


def setup_django() -> None:
    from bench.servers import BASE_DIR, DATABASE_URL, SECRET_KEY

    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        SECRET_KEY=SECRET_KEY,
        DJANGO_SETTINGS_MODULE="scentiss.settings",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)  # the generator never broadcasts through the app
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def delete_sessions(workshops: Iterable[Any]) -> None:
    """Delete these sessions (a queryset or a list of them) with their participants."""
    from sessions.models import Participant, Workshop

    pks = [w.pk for w in workshops]
    # Participants first: deleting a session first sets their tables to NULL
    # (Participant.table is SET_NULL), and seats shared across tables would then collide in
    # the "seat_without_table" constraint.
    Participant.objects.filter(workshop__in=pks).delete()
    Workshop.objects.filter(pk__in=pks).delete()


def delete_bench_sessions() -> int:
    """Remove the sessions of earlier runs, so every run starts from the same database size."""
    from sessions.models import Workshop

    workshops = list(Workshop.objects.filter(city__startswith=BENCH_CITY_PREFIX))
    delete_sessions(workshops)
    return len(workshops)


def answered_session(
    *,
    city: str,
    date: datetime.date,
    title: str,
    participants: int,
    tables: int,
    rng: random.Random,
) -> Any:
    """A session (Workshop) in the survey phase with `participants` seated round `tables`
    tables, each with a random role or none, each answering every statement of the
    instrument (DONT_KNOW_SHARE of them "weet ik niet", the rest a random 1-5). Stored as
    rows in bulk: no tallies (survey.services.tallies_rebuild counts them where needed)."""
    from instrument.loader import instrument_load, read_instrument
    from instrument.models import Statement
    from sessions.models import Participant, Phase, Role
    from sessions.services import workshop_create
    from survey.models import Answer

    instrument = instrument_load(read_instrument())[0]
    workshop = workshop_create(
        city=city,
        date=date,
        tables=tables,
        title=title,
        instrument=instrument,
        phase=Phase.SURVEY,
    )
    at = list(workshop.tables.order_by("number"))
    roles = [*Role.values, ""]
    Participant.objects.bulk_create(
        (
            Participant(
                workshop=workshop,
                table=at[i % tables],
                seat=i // tables + 1,
                role=rng.choice(roles),
            )
            for i in range(participants)
        ),
        batch_size=5000,
    )
    statement_ids = list(
        Statement.objects.filter(element__instrument=instrument).values_list("pk", flat=True)
    )
    participant_ids = list(workshop.participants.order_by("pk").values_list("pk", flat=True))
    Answer.objects.bulk_create(
        (
            Answer(
                participant_id=pid,
                statement_id=sid,
                score=None if rng.random() < DONT_KNOW_SHARE else rng.randint(1, 5),
            )
            for pid in participant_ids
            for sid in statement_ids
        ),
        batch_size=5000,
    )
    return workshop


def create_sessions(sizes: list[int], label: str) -> list[SessionInfo]:
    """One session per size, in the survey phase, each sized for that many phones."""
    from instrument.loader import instrument_load, read_instrument
    from instrument.models import Statement
    from sessions.models import MAX_TABLES, PARTICIPANT_CAP_DEFAULT, Phase
    from sessions.services import workshop_create

    instrument = instrument_load(read_instrument())[0]
    statements = tuple(
        Statement.objects.filter(element__instrument=instrument)
        .order_by("element__order", "order")
        .values_list("pk", "element__order")
    )
    sessions = []
    for index, size in enumerate(sizes):
        tables = max(1, min(MAX_TABLES, round(size / 8)))
        workshop = workshop_create(
            city=f"{BENCH_CITY_PREFIX}{label} {index + 1}",
            date=datetime.date.today(),
            tables=tables,
            instrument=instrument,
            phase=Phase.SURVEY,
            # A bench session may be a conference (1,000 phones): above the default cap.
            participant_cap=max(PARTICIPANT_CAP_DEFAULT, size),
        )
        sessions.append(
            SessionInfo(
                code=workshop.code,
                projector_key=workshop.projector_key,
                participants=size,
                tables=tables,
                statements=statements,
            )
        )
    return sessions


def stored_answers(codes: list[str]) -> tuple[dict[tuple[str, int], int | None], int, int]:
    """The database's answers of these sessions as {(participant token, statement): score},
    with the number of rows (a duplicate would make it exceed the mapping's size) and the
    number of participants."""
    from sessions.models import Participant
    from survey.models import Answer

    rows = list(
        Answer.objects.filter(participant__workshop__code__in=codes).values_list(
            "participant__token", "statement_id", "score"
        )
    )
    stored = {(str(token), statement): score for token, statement, score in rows}
    participants = Participant.objects.filter(workshop__code__in=codes).count()
    return stored, len(rows), participants


BENCH_ORGANISER = "bench-organiser"


def ensure_organiser() -> tuple[str, str]:
    """A superuser for the benchmark's organiser actions (the reminder, the phase change), with
    a fresh password each run: (user name, password). The benchmark logs in as anyone does."""
    import secrets

    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(16)
    user, _created = get_user_model().objects.get_or_create(
        username=BENCH_ORGANISER, defaults={"is_staff": True, "is_superuser": True}
    )
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return BENCH_ORGANISER, password


def default_setting(name: str) -> str:
    """A setting as the app has it without the benchmark's overrides (server_env), e.g. the
    per-address join limit as deployed."""
    from django.conf import settings

    return str(getattr(settings, name))


def analyze(*, joined_only: bool = False) -> None:
    """The planner's statistics brought up to date, as autovacuum does a minute after a room
    has joined. The CI machines' PostgreSQL runs with autovacuum off: without this, the
    answering phases are planned for empty tables (the join rows estimated at 7 for 2,202),
    and PostgreSQL used 45-79% CPU where it uses 24-39% (make bench, quiet machine).
    joined_only: the tables a join writes, not the answers and tallies (analysed before the
    first tap, they would be planned as empty: the snapshot's respondents count took 10.6 ms
    instead of 2.1 per tick)."""
    from django.db import connection

    from sessions.models import Participant, Table, Workshop

    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in (Participant, Table, Workshop)] if joined_only else []
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
    connection.close()
