"""The Django side of the load benchmark: create the sessions, then check the stored answers.

Runs in the load generator's process but only before and after its event loop, never while
it measures: the ORM is synchronous and must not stall the clients' timings.
"""

import datetime
import os
import subprocess
import sys
from dataclasses import dataclass

from bench.servers import BASE_DIR, DATABASE_URL, SECRET_KEY, server_env

BENCH_CITY_PREFIX = "Bench "


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


def delete_bench_sessions() -> int:
    """Remove the sessions of earlier runs, so every run starts from the same database size."""
    from sessions.models import Participant, Workshop

    workshops = Workshop.objects.filter(city__startswith=BENCH_CITY_PREFIX)
    count = workshops.count()
    # Participants first: deleting a session first sets their tables to NULL, and seats
    # shared across tables would then collide in the "seat_without_table" constraint.
    Participant.objects.filter(workshop__in=workshops).delete()
    workshops.delete()
    return count


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
