"""How long the organiser waits for a large session's workbook.

Creates (in the database DATABASE_URL names) a session of 1,000 participants with 46,000
answers, passes 5,000 synthetic note rows to the builder (not stored: this measures the
workbook, the read of stored notes is in tests/test_export.py), exports its
workbook several times (read from the database, build, save to bytes), and writes
bench/results/export.json and a line in bench/results/export.md. Target: < 3 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_bench \
        .venv/bin/python bench/bench_export.py [--runs 5] [--notes 5000] [--profile] [--keep]

The database must be migrated first (`manage.py migrate`). The session is deleted afterwards
unless --keep is given.
"""

import argparse
import cProfile
import dataclasses
import datetime
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scentiss.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from exports.selectors import session_data  # noqa: E402
from exports.views import workbook_bytes  # noqa: E402
from exports.workbook import build_session_workbook  # noqa: E402
from instrument.loader import instrument_load, read_instrument  # noqa: E402
from sessions.models import Participant, Phase, Role, Workshop  # noqa: E402
from sessions.services import workshop_create  # noqa: E402
from survey.models import Answer, Statement  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results"
TARGET_SECONDS = 3.0
TABLES = 25
PARTICIPANTS = 1000
DONT_KNOW_SHARE = 0.08


def make_session(seed: int) -> Workshop:
    """1,000 participants at 25 tables, each answering all 46 statements (8% don't know)."""
    rng = random.Random(seed)
    instrument = instrument_load(read_instrument())[0]
    workshop = workshop_create(
        city="Zwolle",
        date=datetime.date(2026, 11, 26),
        tables=TABLES,
        title="bench_export",
        instrument=instrument,
        phase=Phase.SURVEY,
    )
    tables = list(workshop.tables.order_by("number"))
    roles = [*Role.values, ""]
    Participant.objects.bulk_create(
        Participant(
            workshop=workshop,
            table=tables[i % TABLES],
            seat=i // TABLES + 1,
            role=rng.choice(roles),
        )
        for i in range(PARTICIPANTS)
    )
    statement_ids = list(
        Statement.objects.filter(element__instrument=instrument).values_list("pk", flat=True)
    )
    participant_ids = list(workshop.participants.values_list("pk", flat=True))
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


def synthetic_notes(count: int, seed: int) -> list[tuple]:
    """Note rows as exports.selectors gives them to the builder (5,000 by default, the notes of
    a large session)."""
    rng = random.Random(seed)
    kinds = ["+", "\N{MINUS SIGN}", "eens", "verschil"]
    elements = ["Kennis & Vaardigheden", "Sociaal Netwerk", "Cultuur & Mindset"]
    at = timezone.now()
    return [
        (
            i % TABLES + 1,
            f"T{i % TABLES + 1}·P{rng.randint(1, 40)}",
            rng.choice(elements),
            rng.choice(kinds),
            rng.random() < 0.1,
            f"Notitie {i}: " + "lorem ipsum dolor sit amet " * rng.randint(1, 6),
            f"tafelvoorzitter {i % TABLES + 1}",
            at - datetime.timedelta(seconds=i),
        )
        for i in range(count)
    ]


def export_once(workshop: Workshop, notes: list[tuple]) -> dict:
    started = time.perf_counter()
    data = session_data(workshop=workshop, lang="nl")
    if notes:
        data = dataclasses.replace(data, notes=notes)
    read = time.perf_counter()
    workbook = build_session_workbook(data=data, exported_at=timezone.now(), lang="nl")
    built = time.perf_counter()
    content = workbook_bytes(workbook)
    saved = time.perf_counter()
    return {
        "read_s": round(read - started, 4),
        "build_s": round(built - read, 4),
        "save_s": round(saved - built, 4),
        "total_s": round(saved - started, 4),
        "bytes": len(content),
        "_content": content,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--notes", type=int, default=5000, help="synthetic note rows")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one export")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark session")
    args = parser.parse_args()

    t = time.perf_counter()
    workshop = make_session(args.seed)
    notes = synthetic_notes(args.notes, args.seed)
    setup_s = time.perf_counter() - t
    workshop = Workshop.objects.select_related("instrument").get(pk=workshop.pk)
    answers = Answer.objects.filter(participant__workshop=workshop).count()
    print(
        f"session {workshop.code}: {PARTICIPANTS} participants, {answers} answers, "
        f"{len(notes)} synthetic notes ({setup_s:.1f} s)"
    )
    try:
        export_once(workshop, notes)  # warm-up: imports, connection, query plans
        runs = []
        for _ in range(args.runs):
            run = export_once(workshop, notes)
            content = run.pop("_content")
            runs.append(run)
            print(
                f"  total {run['total_s']:.3f} s = read {run['read_s']:.3f} + build "
                f"{run['build_s']:.3f} + save {run['save_s']:.3f} ({run['bytes']:,} bytes)"
            )
        # The benchmark counts only if the file holds every answer.
        check = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        rows = sum(1 for _ in check["antwoorden"].iter_rows(min_row=2, values_only=True))
        assert rows == answers, (rows, answers)
        note_rows = sum(1 for _ in check["notities"].iter_rows(min_row=2, values_only=True))
        assert note_rows == len(notes), (note_rows, len(notes))
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(export_once, workshop, notes)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    finally:
        if not args.keep:
            # Participants first: deleting the session would first set their tables to NULL
            # (Participant.table is SET_NULL), and seats shared across tables then collide
            # in the "seat_without_table" constraint.
            Participant.objects.filter(workshop=workshop).delete()
            workshop.delete()

    totals = [r["total_s"] for r in runs]
    result = {
        "benchmark": "export session workbook (read + build + save to bytes)",
        "when": timezone.now().isoformat(timespec="seconds"),
        "database": connection.vendor,
        "participants": PARTICIPANTS,
        "answers": answers,
        "notes": args.notes,
        "notes_source": "synthetic rows passed to the builder (not stored)",
        "runs": runs,
        "median_s": round(statistics.median(totals), 3),
        "best_s": round(min(totals), 3),
        "worst_s": round(max(totals), 3),
        "target_s": TARGET_SECONDS,
        "under_target": max(totals) < TARGET_SECONDS,
        "answers_rows_checked": rows,
        "python": platform.python_version(),
        "openpyxl": openpyxl.__version__,
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "export.json").write_text(json.dumps(result, indent=2) + "\n")
    md = RESULTS / "export.md"
    if not md.exists():
        md.write_text(
            "| when | database | participants | answers | notes "
            "| median s | best s | worst s | size |\n"
            "|---|---|---|---|---|---|---|---|---|\n"
        )
    with md.open("a") as f:
        f.write(
            f"| {result['when']} | {result['database']} | {PARTICIPANTS} | {answers} "
            f"| {args.notes} | "
            f"{result['median_s']:.3f} | {result['best_s']:.3f} | {result['worst_s']:.3f} | "
            f"{runs[-1]['bytes']:,} B |\n"
        )
    verdict = "under" if result["under_target"] else "OVER"
    print(f"median {result['median_s']:.3f} s, worst {result['worst_s']:.3f} s: {verdict} target")
    return 0 if result["under_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
