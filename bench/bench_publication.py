"""How long the organiser waits for a five-city programme's publication (the whole hand-out).

Creates (in the database DATABASE_URL names) five sessions (Amsterdam, Groningen, Rotterdam,
Utrecht, Zwolle) of 30 participants each, all answering the 46 statements, with 120 chairs'
notes per city and a full profile per city (a quote, three strong points, three bottlenecks and
a duiding per element, six opportunities, context, summary and closing quote), and a programme
with the hand-out's starting text. Then it builds the publication several times (read from the
database, build, save to bytes) and writes bench/results/publication-<when>.json. Target: < 5 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_bench \
        .venv/bin/python bench/bench_publication.py [--runs 5] [--profile] [--keep]

The database must be migrated first (`manage.py migrate`). The sessions and the programme are
deleted afterwards unless --keep is given.
"""

import argparse
import cProfile
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
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scentiss.settings")

import django  # noqa: E402

django.setup()

import docx  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.fixtures import answered_session, delete_sessions  # noqa: E402
from instrument.models import Element  # noqa: E402
from notes.models import Note  # noqa: E402
from notes.services import note_create  # noqa: E402
from profiles.models import Programme  # noqa: E402
from profiles.publication import programme_publication  # noqa: E402
from profiles.services import (  # noqa: E402
    point_create,
    profile_element_update,
    profile_update,
    programme_create,
)
from sessions.models import Workshop  # noqa: E402
from survey.services import tallies_rebuild  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results"
TARGET_SECONDS = 5.0
CITIES = ("Amsterdam", "Groningen", "Rotterdam", "Utrecht", "Zwolle")
PARTICIPANTS = 30
TABLES = 5
NOTES = 120
LOREM = "Er is veel kennis in de stad, maar die is versnipperd en lastig te vinden. "


def make_city(city: str, day: int, rng: random.Random) -> Workshop:
    workshop = answered_session(
        city=city,
        date=datetime.date(2026, 4, 1) + datetime.timedelta(days=day),
        title="bench_publication",
        participants=PARTICIPANTS,
        tables=TABLES,
        rng=rng,
    )
    tallies_rebuild(workshop_id=workshop.pk)  # the results read from the tallies
    tables = list(workshop.tables.order_by("number"))
    people = list(workshop.participants.order_by("pk"))
    elements = list(Element.objects.filter(instrument=workshop.instrument).order_by("order"))
    notes: dict[int, list[Note]] = {e.pk: [] for e in elements}
    for i in range(NOTES):
        element = elements[i % len(elements)]
        person = people[i % len(people)]
        kind = rng.choice(["plus", "minus", "agree", "differ"])
        about_one = kind in ("plus", "minus") and person.table_id == tables[i % TABLES].pk
        note = note_create(
            table=tables[i % TABLES],
            element_id=element.pk,
            kind=kind,
            text=f"{city} notitie {i}: " + LOREM * rng.randint(1, 3),
            client_id=uuid.uuid4(),
            participant_id=person.pk if about_one else None,
            is_quote=i % 10 == 0,
        ).note
        notes[element.pk].append(note)
    for element in elements:
        chosen = notes[element.pk]
        for k in range(3):
            point_create(
                workshop=workshop,
                section="strength",
                element_id=element.pk,
                text=f"Sterk punt {k + 1}: " + LOREM,
                source_ids=[chosen[k].pk],
            )
            point_create(
                workshop=workshop,
                section="bottleneck",
                element_id=element.pk,
                text=f"Knelpunt {k + 1}: " + LOREM,
                source_ids=[chosen[k + 3].pk],
            )
        quote = next(n for n in chosen if n.is_quote) if any(n.is_quote for n in chosen) else None
        profile_element_update(
            workshop=workshop,
            element_id=element.pk,
            synthesis=LOREM * 6,
            quote="" if quote else "Een representatieve uitspraak.",
            quote_note_id=quote.pk if quote else None,
        )
    for k in range(6):
        point_create(workshop=workshop, section="opportunity", text=f"Kans {k + 1}: " + LOREM)
    profile_update(
        workshop=workshop,
        local_context=(LOREM * 4 + "\n\n") * 2,
        summary=LOREM * 8,
        closing_quote="We zijn eigenlijk gewoon heel goed op weg!",
    )
    return workshop


def build_once(programme: Programme) -> dict:
    started = time.perf_counter()
    content = programme_publication(programme=programme)
    return {
        "total_s": round(time.perf_counter() - started, 4),
        "bytes": len(content),
        "_content": content,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one build")
    parser.add_argument("--keep", action="store_true", help="keep the sessions and programme")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    t = time.perf_counter()
    workshops = [make_city(city, day * 14, rng) for day, city in enumerate(CITIES)]
    programme = programme_create(
        name="Impact ondernemerschap in 5 steden (bench)",
        workshop_ids=[w.pk for w in workshops],
    )
    programme.foreword = LOREM * 10
    programme.save(update_fields=["foreword"])
    setup_s = time.perf_counter() - t
    print(f"programme {programme.pk}: {len(workshops)} cities ({setup_s:.1f} s to set up)")
    try:
        build_once(programme)  # warm-up: imports, fonts, connection, query plans
        runs = []
        for _ in range(args.runs):
            run = build_once(programme)
            content = run.pop("_content")
            runs.append(run)
            print(f"  total {run['total_s']:.3f} s ({run['bytes']:,} bytes)")
        # The benchmark counts only if the file holds the publication.
        check = docx.Document(io.BytesIO(content))
        pictures = len(check.inline_shapes)
        assert pictures == len(CITIES) + 1, pictures
        statements = sum(
            len(t.rows) - 1 for t in check.tables if t.rows[0].cells[-1].text == "Label"
        )
        assert statements == 46, statements
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(build_once, programme)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    finally:
        if not args.keep:
            programme.delete()
            delete_sessions(workshops)

    totals = [r["total_s"] for r in runs]
    when = timezone.now()
    result = {
        "benchmark": "publication of a five-city programme (read + build + save to bytes)",
        "when": when.isoformat(timespec="seconds"),
        "database": connection.vendor,
        "cities": len(CITIES),
        "participants_per_city": PARTICIPANTS,
        "notes_per_city": NOTES,
        "pictures_checked": pictures,
        "statements_checked": statements,
        "runs": runs,
        "median_s": round(statistics.median(totals), 3),
        "best_s": round(min(totals), 3),
        "worst_s": round(max(totals), 3),
        "target_s": TARGET_SECONDS,
        "under_target": max(totals) < TARGET_SECONDS,
        "python": platform.python_version(),
        "python-docx": getattr(docx, "__version__", "?"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"publication-{when:%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    verdict = "under" if result["under_target"] else "OVER"
    print(
        f"median {result['median_s']:.3f} s, worst {result['worst_s']:.3f} s: {verdict} target "
        f"({out.relative_to(BASE_DIR)})"
    )
    return 0 if result["under_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
