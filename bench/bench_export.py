"""How long the organiser waits for a large session's workbook.

Creates (in the database DATABASE_URL names) a session of --participants participants (1,000
by default; the conference goal is 10,000: 460,000 answers) each answering all 46 statements,
passes 5 synthetic note rows per participant to the builder (not stored: this measures the
workbook, the read of stored notes is in tests/test_export.py), exports its workbook several
times as the download does (read from the database, build, save to a temporary file), and
writes bench/results/export.json and a line in bench/results/export.md. Target: < 5 s and
< 300 MB peak memory for 10,000 participants.

The machine is shared, so every phase is timed in CPU time of this process (time.process_time:
the database's own work is not in it) beside the wall clock; the peak memory is measured in a
fresh process that does one export (`--memory`: its peak RSS (VmHWM), and the growth over
the process before the export; with --tracemalloc also Python's own peak, which is slower).
`--keep` keeps the session and `--session CODE` exports a kept one again (creating 10,000
participants' answers takes minutes on a busy machine).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_bench \
        .venv/bin/python bench/bench_export.py [--participants 10000] [--runs 5] [--notes N]
        [--profile] [--keep] [--memory] [--tracemalloc]

The database must be migrated first (`manage.py migrate`). The session is deleted afterwards
unless --keep is given.
"""

import argparse
import cProfile
import dataclasses
import datetime
import json
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
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

from bench.fixtures import answered_session, delete_sessions  # noqa: E402
from exports.selectors import session_data  # noqa: E402
from exports.views import workbook_file  # noqa: E402
from exports.workbook import build_session_workbook  # noqa: E402
from sessions.models import Workshop  # noqa: E402
from survey.models import Answer  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results"
TARGET_SECONDS = 5.0
TARGET_PEAK_MB = 300
TABLES = 25


def make_session(seed: int, participants: int) -> Workshop:
    """`participants` at 25 tables, each answering all 46 statements (8% don't know)."""
    return answered_session(
        city="Zwolle",
        date=datetime.date(2026, 11, 26),
        title="bench_export",
        participants=participants,
        tables=TABLES,
        rng=random.Random(seed),
    )


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
    """One export as the download makes it; wall clock and this process's CPU per phase."""
    started, cpu_started = time.perf_counter(), time.process_time()
    data = session_data(workshop=workshop, lang="nl")
    if notes:
        data = dataclasses.replace(data, notes=notes)
    read, cpu_read = time.perf_counter(), time.process_time()
    workbook = build_session_workbook(data=data, exported_at=timezone.now(), lang="nl")
    built, cpu_built = time.perf_counter(), time.process_time()
    content = workbook_file(workbook)
    saved, cpu_saved = time.perf_counter(), time.process_time()
    size = content.seek(0, os.SEEK_END)
    return {
        "read_s": round(read - started, 4),
        "build_s": round(built - read, 4),
        "save_s": round(saved - built, 4),
        "total_s": round(saved - started, 4),
        "read_cpu_s": round(cpu_read - cpu_started, 4),
        "build_cpu_s": round(cpu_built - cpu_read, 4),
        "save_cpu_s": round(cpu_saved - cpu_built, 4),
        "total_cpu_s": round(cpu_saved - cpu_started, 4),
        "bytes": size,
        "_content": content,
    }


def _high_water_kb() -> int:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux hands the parent's
    peak on to a child across fork and exec, and the benchmark's parent holds the whole
    session it created."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_child(code: str, notes_count: int, seed: int, trace: bool) -> None:
    """One export in this fresh process; prints its memory as JSON."""
    import tracemalloc

    workshop = Workshop.objects.select_related("instrument").get(code=code)
    notes = synthetic_notes(notes_count, seed)
    Answer.objects.filter(participant__workshop=workshop).exists()  # connection, imports
    before = _high_water_kb()
    if trace:
        tracemalloc.start()
    run = export_once(workshop, notes)
    run.pop("_content").close()
    peak = _high_water_kb()
    result = {
        "peak_rss_mb": round(peak / 1024, 1),
        "peak_rss_before_mb": round(before / 1024, 1),
        "peak_rss_growth_mb": round((peak - before) / 1024, 1),
        "total_cpu_s": run["total_cpu_s"],
    }
    if trace:
        result["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    print(json.dumps(result))


def measure_memory(code: str, notes_count: int, seed: int, trace: bool) -> dict:
    args = [sys.executable, __file__, "--child", code, "--notes", str(notes_count)]
    args += ["--seed", str(seed), *(["--tracemalloc"] if trace else [])]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--notes", type=int, help="synthetic note rows (5 per participant)")
    parser.add_argument("--memory", action="store_true", help="peak memory in a fresh process")
    parser.add_argument("--tracemalloc", action="store_true", help="and Python's own peak")
    parser.add_argument("--session", help="export this kept benchmark session's code")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one export")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark session")
    args = parser.parse_args()
    if args.notes is None and not args.session:
        args.notes = 5 * args.participants
    if args.child:
        memory_child(args.child, args.notes, args.seed, args.tracemalloc)
        return 0

    t = time.perf_counter()
    if args.session:
        workshop = Workshop.objects.get(code=args.session)
        args.participants = workshop.participants.count()
        args.notes = 5 * args.participants if args.notes is None else args.notes
    else:
        workshop = make_session(args.seed, args.participants)
    notes = synthetic_notes(args.notes, args.seed)
    setup_s = time.perf_counter() - t
    workshop = Workshop.objects.select_related("instrument").get(pk=workshop.pk)
    answers = Answer.objects.filter(participant__workshop=workshop).count()
    print(
        f"session {workshop.code}: {args.participants} participants, {answers} answers, "
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
                f"{run['build_s']:.3f} + save {run['save_s']:.3f} ({run['bytes']:,} bytes); "
                f"CPU {run['total_cpu_s']:.3f} s = {run['read_cpu_s']:.3f} + "
                f"{run['build_cpu_s']:.3f} + {run['save_cpu_s']:.3f}"
            )
            if len(runs) < args.runs:
                content.close()
        # The benchmark counts only if the file holds every answer.
        content.seek(0)
        check = openpyxl.load_workbook(content, read_only=True)
        rows = sum(1 for _ in check["antwoorden"].iter_rows(min_row=2, values_only=True))
        assert rows == answers, (rows, answers)
        note_rows = sum(1 for _ in check["notities"].iter_rows(min_row=2, values_only=True))
        assert note_rows == len(notes), (note_rows, len(notes))
        check.close()
        content.close()
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.runcall(export_once, workshop, notes)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        memory = (
            measure_memory(workshop.code, args.notes, args.seed, args.tracemalloc)
            if args.memory
            else None
        )
        if memory:
            print(f"  memory (fresh process, one export): {memory}")
    finally:
        if not args.keep:
            delete_sessions([workshop])

    totals = [r["total_s"] for r in runs]
    cpu = [r["total_cpu_s"] for r in runs]
    peak_mb = memory["peak_rss_mb"] if memory else None
    result = {
        "benchmark": "export session workbook (read + build + save to a file)",
        "when": timezone.now().isoformat(timespec="seconds"),
        "load_average": os.getloadavg()[0],
        "database": connection.vendor,
        "participants": args.participants,
        "answers": answers,
        "notes": args.notes,
        "notes_source": "synthetic rows passed to the builder (not stored)",
        "runs": runs,
        "median_s": round(statistics.median(totals), 3),
        "best_s": round(min(totals), 3),
        "worst_s": round(max(totals), 3),
        "median_cpu_s": round(statistics.median(cpu), 3),
        "best_cpu_s": round(min(cpu), 3),
        "memory": memory,
        "target_s": TARGET_SECONDS,
        "target_peak_mb": TARGET_PEAK_MB,
        # CPU time: on the shared machine the wall clock measures the other jobs too.
        "under_target": statistics.median(cpu) < TARGET_SECONDS
        and (peak_mb is None or peak_mb < TARGET_PEAK_MB),
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
        cpu_note = (
            f" (CPU median {result['median_cpu_s']:.3f} s, best {result['best_cpu_s']:.3f} s"
            + (f"; peak RSS {peak_mb} MB" if peak_mb else "")
            + f"; load {result['load_average']:.1f})"
        )
        f.write(
            f"| {result['when']} | {result['database']} | {args.participants} | {answers} "
            f"| {args.notes} | "
            f"{result['median_s']:.3f}{cpu_note} | {result['best_s']:.3f} | "
            f"{result['worst_s']:.3f} | {runs[-1]['bytes']:,} B |\n"
        )
    verdict = "under" if result["under_target"] else "OVER"
    print(
        f"median {result['median_s']:.3f} s wall, {result['median_cpu_s']:.3f} s CPU; "
        f"peak {peak_mb} MB: {verdict} target"
    )
    return 0 if result["under_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
