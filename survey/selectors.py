import datetime
import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.palette import series_colour
from instrument.models import Element, Statement
from sessions.models import (
    TABLE_ADVISED_MAX,
    Participant,
    ProjectorMode,
    Source,
    Table,
    Workshop,
)
from sessions.selectors import counted_participants, join_bursts, session_exclusions
from survey.aggregation import ElementSpec, ItemSpec, aggregate, aggregate_tallies
from survey.models import Answer, ElementTally, ItemTally

NO_TABLE = "\u2013"  # shown for participants who chose no table


@functools.lru_cache(maxsize=64)
def instrument_structure(instrument_id: int) -> tuple[tuple[Element, tuple[Statement, ...]], ...]:
    """The instrument's elements in order, each with its statements in order, read once per
    process: an instrument a session used is never edited (a change is a new version), and
    every phone loads six such pages. The instances are shared: read them, never save them.
    The other views of the instrument below are derived from this one."""
    elements = Element.objects.filter(instrument_id=instrument_id).prefetch_related(
        Prefetch("statements", queryset=Statement.objects.order_by("order"))
    )
    return tuple((e, tuple(e.statements.all())) for e in elements.order_by("order"))


@functools.lru_cache(maxsize=64)
def _specs(instrument_id: int) -> tuple[ElementSpec, ...]:
    return tuple(
        ElementSpec(
            key=e.key,
            name=e.name_nl,
            items=tuple(ItemSpec(statement_id=s.pk, key=s.key, label=s.label_nl) for s in ss),
        )
        for e, ss in instrument_structure(instrument_id)
    )


def instrument_specs(*, instrument_id: int) -> tuple[ElementSpec, ...]:
    """The instrument's elements and statements as plain specs (Dutch names: the JSON feed's
    language; pages put their own language's names on top by key)."""
    return _specs(instrument_id)


@functools.lru_cache(maxsize=64)
def _element_index(instrument_id: int) -> dict[int, int]:
    """element id -> its place in the instrument's specs."""
    return {e.pk: index for index, (e, _ss) in enumerate(instrument_structure(instrument_id))}


@functools.lru_cache(maxsize=64)
def instrument_statement_elements(instrument_id: int) -> dict[int, int]:
    """statement id -> element id, for checking and filing a tap without a query."""
    return {s.pk: e.pk for e, ss in instrument_structure(instrument_id) for s in ss}


# Two statements in plain SQL (both databases): the projector of every session asks for a
# snapshot up to ten times a second, and building these through the ORM cost more CPU than
# running them. The session's row (and its version) is read first.
# Excluded participants (sessions.models.Exclusion) count nowhere: the participant count and
# the element tallies leave them out (NOT EXISTS over the few excluded rows: a join with the
# participants that are not excluded read the whole participant table once per session, 47 of
# the 48 ms of a 32-session tick), and their answers are taken back off the item tallies
# (which answer_save keeps per session, for everyone), so excluding and undoing change no
# tally and race with no tap.
# A projector on "one table against the room" (ProjectorMode.TABLE) gets that table from the
# same two statements: its id and focus from the first; when a session shows one, the second
# has more rows (_SNAPSHOT_TABLES): the element means of the table's participants (kind 2)
# and of the rest of the room (kind 3), and the table's respondents (kind 4), each with the
# table's id in the place of n. The other sessions' snapshots run the statement without them.
_SNAPSHOT_SESSIONS = """
SELECT w.id, w.code, w.city, w.results_version, w.instrument_id, w.phase, w.results_revealed,
       w.projector_mode, w.projector_element, w.round_ends_at, w.round_minutes,
       w.projector_table,
       (SELECT COUNT(*) FROM {participant} p WHERE p.workshop_id = w.id
        AND p.exclusion_id IS NULL
        AND NOT (p.source = 'phone' AND EXISTS (
            SELECT 1 FROM {extra_seat} e WHERE e.participant_id = p.id))),
       (SELECT COUNT(DISTINCT t.participant_id) FROM {element_tally} t
        WHERE t.workshop_id = w.id AND t.answered > 0 AND NOT EXISTS (
            SELECT 1 FROM {participant} p
            WHERE p.id = t.participant_id AND p.exclusion_id IS NOT NULL)),
       w.aggregates, tb.id, tb.focus
FROM {workshop} w
LEFT JOIN {table} tb ON w.projector_mode = 'table' AND tb.workshop_id = w.id
     AND tb.number = w.projector_table
WHERE w.id IN ({ids})
"""
_SNAPSHOT_TALLIES = """
SELECT workshop_id, 0, statement_id, score, n, CAST(0 AS DOUBLE PRECISION)
FROM {item_tally} WHERE workshop_id IN ({ids}) AND n > 0
UNION ALL
SELECT p.workshop_id, 0, a.statement_id, COALESCE(a.score, 0), -COUNT(*),
       CAST(0 AS DOUBLE PRECISION)
FROM {answer} a JOIN {participant} p ON p.id = a.participant_id
WHERE p.workshop_id IN ({ids}) AND p.exclusion_id IS NOT NULL
GROUP BY p.workshop_id, a.statement_id, COALESCE(a.score, 0)
UNION ALL
SELECT t.workshop_id, 1, t.element_id, COUNT(*), 0,
       SUM(CAST(t.total AS DOUBLE PRECISION) / t.scored)
FROM {element_tally} t
WHERE t.workshop_id IN ({ids}) AND t.scored > 0 AND NOT EXISTS (
    SELECT 1 FROM {participant} p WHERE p.id = t.participant_id AND p.exclusion_id IS NOT NULL)
GROUP BY t.workshop_id, t.element_id
"""
_SNAPSHOT_TABLES = """
UNION ALL
SELECT w.id, CASE WHEN p.table_id = tb.id THEN 2 ELSE 3 END, t.element_id, COUNT(*), tb.id,
       SUM(CAST(t.total AS DOUBLE PRECISION) / t.scored)
FROM {workshop} w
JOIN {table} tb ON tb.workshop_id = w.id AND tb.number = w.projector_table
JOIN {element_tally} t ON t.workshop_id = w.id
JOIN {participant} p ON p.id = t.participant_id
WHERE w.id IN ({ids}) AND w.projector_mode = 'table' AND t.scored > 0
      AND p.exclusion_id IS NULL
GROUP BY w.id, CASE WHEN p.table_id = tb.id THEN 2 ELSE 3 END, t.element_id, tb.id
UNION ALL
SELECT w.id, 4, 0, COUNT(DISTINCT t.participant_id), tb.id, CAST(0 AS DOUBLE PRECISION)
FROM {workshop} w
JOIN {table} tb ON tb.workshop_id = w.id AND tb.number = w.projector_table
JOIN {participant} p ON p.table_id = tb.id
JOIN {element_tally} t ON t.participant_id = p.id
WHERE w.id IN ({ids}) AND w.projector_mode = 'table' AND t.answered > 0
      AND p.exclusion_id IS NULL
GROUP BY w.id, tb.id
"""


@functools.cache
def _snapshot_statements() -> tuple[str, str, str]:
    """The two statements with the models' table names ({ids} is filled in per call), the
    second with and without the rows of a projector's table (_SNAPSHOT_TABLES). The
    chairs' seats are the notes app's, which sits above this one: its model is looked up in
    the app registry by label (not imported), on the first snapshot, once the apps are loaded."""
    tables = {
        "participant": Participant._meta.db_table,
        "workshop": Workshop._meta.db_table,
        "element_tally": ElementTally._meta.db_table,
        "item_tally": ItemTally._meta.db_table,
        "answer": Answer._meta.db_table,
        "extra_seat": apps.get_model("notes", "ExtraSeat")._meta.db_table,
        "table": Table._meta.db_table,
        "ids": "{ids}",
    }
    tallies = _SNAPSHOT_TALLIES.format(**tables)
    return (
        _SNAPSHOT_SESSIONS.format(**tables),
        tallies,
        tallies + _SNAPSHOT_TABLES.format(**tables),
    )


def results_snapshot(*, workshop_id: int) -> dict[str, Any]:
    """The session's live results: the object the projector, results_url and live_url share.

    Read from the tallies that answer_save keeps. The version is read before them, so a
    snapshot holds at least every answer up to its version (it may hold newer ones; the next
    snapshot carries their version).
    """
    snapshots = results_snapshots(workshop_ids=[workshop_id])
    if workshop_id not in snapshots:
        raise Workshop.DoesNotExist(workshop_id)
    return snapshots[workshop_id]


def results_snapshots(*, workshop_ids: list[int]) -> dict[int, dict[str, Any]]:
    """results_snapshot of several sessions in two statements (the broadcaster's tick); a
    session that does not exist is left out."""
    if not workshop_ids:
        return {}
    # Only placeholders are formatted into the SQL; the ids go as parameters.
    ids = ", ".join(["%s"] * len(workshop_ids))
    sessions_sql, tallies_sql, with_tables_sql = _snapshot_statements()
    with connection.cursor() as cursor:
        cursor.execute(sessions_sql.format(ids=ids), workshop_ids)
        sessions = cursor.fetchall()
        # A session whose projector shows a table has that table's id (the row's 16th column).
        if any(row[15] is not None for row in sessions):
            cursor.execute(with_tables_sql.format(ids=ids), [*workshop_ids] * 5)
        else:
            cursor.execute(tallies_sql.format(ids=ids), [*workshop_ids] * 3)
        tallies = cursor.fetchall()
    items: dict[int, list[Any]] = defaultdict(list)
    elements: dict[int, list[Any]] = defaultdict(list)
    # (workshop id, table id) -> kind 2 (the table) or 3 (the rest) -> element id -> (n, sum)
    at_table: dict[tuple[int, int], dict[int, dict[int, tuple[int, float]]]] = defaultdict(
        lambda: {2: {}, 3: {}}
    )
    table_respondents: dict[tuple[int, int], int] = {}
    for workshop_id, kind, key, count, n, means in tallies:
        if kind == 0:
            items[workshop_id].append((key, count, n))
        elif kind == 1:
            elements[workshop_id].append((key, count, means))
        elif kind == 4:
            table_respondents[workshop_id, n] = count
        else:
            at_table[workshop_id, n][kind][key] = (count, means)
    snapshots = {}
    for row in sessions:
        (workshop_id, code, city, version, instrument_id, phase, revealed, mode, element,
         round_ends_at, round_minutes, table, participants, respondents, kept,
         table_id, table_focus) = row  # fmt: skip
        specs = instrument_specs(instrument_id=instrument_id)
        index_of = _element_index(instrument_id)
        results = aggregate_tallies(
            specs,
            items[workshop_id],
            (
                (index_of[eid], count, means)
                for eid, count, means in elements[workshop_id]
                if eid in index_of
            ),
            respondents=respondents,
        )
        # Before the kept numbers of an anonymised session replace the room's: the table's
        # rest is read from the same participants as the table.
        at_the_table = table_respondents.get((workshop_id, table_id), 0)
        rest_respondents = respondents - at_the_table
        if kept is not None:  # anonymised: the numbers kept when its participants were removed
            kept = json.loads(kept) if isinstance(kept, str) else kept
            results = {"respondents": kept["respondents"], "elements": kept["elements"]}
            participants = kept["participants"]
        focus = specs[min(element, len(specs)) - 1].key if specs else None
        projector: dict[str, Any] = {"mode": mode, "element": focus}
        if mode == ProjectorMode.TABLE and table is not None:
            projector["table"] = (
                None
                if table_id is None
                else _projector_table(
                    specs,
                    index_of,
                    at_table[workshop_id, table_id],
                    number=table,
                    focus=table_focus,
                    respondents=(at_the_table, rest_respondents),
                )
            )
        snapshots[workshop_id] = {
            "session": code,
            "city": city,
            "version": version,
            "phase": phase,
            "revealed": bool(revealed),
            "projector": projector,
            # The round timer: its end in milliseconds since the epoch (None: not running).
            "round": {"ends_at": _epoch_ms(round_ends_at), "minutes": round_minutes},
            "respondents": results["respondents"],
            "participants": participants,
            "elements": results["elements"],
        }
    return snapshots


def _projector_table(
    specs: tuple[ElementSpec, ...],
    index_of: dict[int, int],
    means: dict[int, dict[int, tuple[int, float]]],
    *,
    number: int,
    focus: str,
    respondents: tuple[int, int],
) -> dict[str, Any]:
    """The projector's "one table against the room": the table's element scores beside those
    of the rest of the room (focus_comparison's rule: each participant's own mean, averaged),
    from the snapshot's rows (`means`: kind 2, the table, and 3, the rest; element id -> the
    number of participants with a 1-5 answer there and the sum of their own means; `index_of`:
    element id -> its place in `specs`)."""
    by_index = [
        {index_of[eid]: n_sum for eid, n_sum in means[kind].items() if eid in index_of}
        for kind in (2, 3)
    ]
    elements = []
    for index, spec in enumerate(specs):
        (n, total), (rest_n, rest_total) = (kind.get(index, (0, 0.0)) for kind in by_index)
        mine = total / n if n else None
        rest = rest_total / rest_n if rest_n else None
        elements.append(
            {
                "key": spec.key,
                "table": mine,
                "rest": rest,
                "diff": None if mine is None or rest is None else mine - rest,
            }
        )
    return {
        "number": number,
        "focus": focus,
        "respondents": respondents[0],
        "rest_respondents": respondents[1],
        "elements": elements,
    }


def _epoch_ms(value: datetime.datetime | str | None) -> int | None:
    """A timestamp column as read by plain SQL (SQLite gives text) in ms since the epoch."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return int(value.timestamp() * 1000)


def role_counts(*, workshop_ids: list[int]) -> dict[tuple[int, str], tuple[int, int]]:
    """Per session and role ("" for none given): how many participants joined and how many of
    them answered at least one statement (the publication's counts per city and role). An
    anonymised session's are the counts kept when its participants were removed."""
    joined: dict[tuple[int, str], int] = defaultdict(int)
    for workshop_id, role, n in (
        Participant.objects.filter(workshop_id__in=workshop_ids)
        .values_list("workshop_id", "role")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        joined[(workshop_id, role)] += n
    answered: dict[tuple[int, str], int] = defaultdict(int)
    for workshop_id, role, n in (
        ElementTally.objects.filter(workshop_id__in=workshop_ids, answered__gt=0)
        .values_list("workshop_id", "participant__role")
        .annotate(n=Count("participant_id", distinct=True))
        .order_by()
    ):
        answered[(workshop_id, role)] += n
    counts = {key: (joined[key], answered[key]) for key in joined.keys() | answered.keys()}
    for workshop_id, kept in Workshop.objects.filter(
        pk__in=workshop_ids, aggregates__isnull=False
    ).values_list("pk", "aggregates"):
        counts = {key: value for key, value in counts.items() if key[0] != workshop_id}
        for role, (n_joined, n_answered) in (kept or {}).get("roles", {}).items():
            counts[(workshop_id, role)] = (int(n_joined), int(n_answered))
    return counts


def session_aggregates(*, workshop: Workshop) -> dict[str, Any]:
    """The numbers an anonymised session keeps (Workshop.aggregates), read now from its
    participants and answers: the results snapshot (element and item scores, respondents,
    participants), the counts per role and per table, the answers and don't-knows."""
    snapshot = results_snapshot(workshop_id=workshop.pk)
    roles = role_counts(workshop_ids=[workshop.pk])
    dashboard = session_dashboard(workshop=workshop)
    counted = counted_answers(workshop_ids=[workshop.pk])
    return {
        "respondents": snapshot["respondents"],
        "participants": snapshot["participants"],
        "elements": snapshot["elements"],
        "roles": {role: list(n) for (_w, role), n in sorted(roles.items())},
        "tables": [
            {key: row[key] for key in ("table", "focus", "joined", "finished", "answers")}
            for row in dashboard["tables"]
        ],
        "finished": dashboard["finished"],
        "answers": counted.count(),
        "dont_know": counted.filter(score__isnull=True).count(),
        "excluded": dashboard["excluded"],
        "withdrawn": dashboard["withdrawn"],
    }


def participant_answers(*, participant_id: int) -> dict[int, int | None]:
    """All of a participant's answers, {statement id: score (None: don't know)}, at most one
    row per statement: what every page of the phone shows checked, and its progress.

    Plain SQL: composing the same `values_list` through the ORM cost more server CPU than
    running it (py-spy: half of the query's samples), and every phone reads this on the first
    survey page and again for its offline pages, right after it joined."""
    with connection.cursor() as cursor:
        cursor.execute(_PARTICIPANT_ANSWERS, [participant_id])
        return dict(cursor.fetchall())


_PARTICIPANT_ANSWERS = (
    f"SELECT statement_id, score FROM {Answer._meta.db_table} WHERE participant_id = %s"  # noqa: S608
)


def participant_scores(*, participant: Participant) -> list[dict[str, Any]]:
    """A participant's own element scores beside the room's (for the phone after the reveal)."""
    specs = instrument_specs(instrument_id=participant.workshop.instrument_id)
    own_rows = Answer.objects.filter(participant=participant).values_list(
        "participant_id", "statement_id", "score"
    )
    own = aggregate(specs, own_rows)["elements"]
    room = results_snapshot(workshop_id=participant.workshop_id)["elements"]
    return [
        {"key": o["key"], "own": o["score"], "room": r["score"], "n": r["n"]}
        for o, r in zip(own, room, strict=True)
    ]


def table_scores(*, table: Table) -> list[dict[str, Any]]:
    """A table's element scores beside the room's: the answers of those who sit there now
    (and count), against the whole session's (the chair's tablet and the projector)."""
    specs = instrument_specs(instrument_id=table.workshop.instrument_id)
    rows = (
        counted_answers(workshop_ids=[table.workshop_id])
        .filter(participant__table=table)
        .values_list("participant_id", "statement_id", "score")
    )
    own = aggregate(specs, rows)["elements"]
    room = results_snapshot(workshop_id=table.workshop_id)["elements"]
    return [
        {"key": o["key"], "table": o["score"], "room": r["score"], "n": o["n"]}
        for o, r in zip(own, room, strict=True)
    ]


def counted_answers(*, workshop_ids: Iterable[int]) -> QuerySet[Answer]:
    """The answers of the participants that count (sessions.selectors.counted_participants):
    every export reads answers through this."""
    return Answer.objects.filter(
        participant__workshop_id__in=list(workshop_ids), participant__exclusion__isnull=True
    )


NUDGE_ROWS = 40


def joined_participants(*, workshop: Workshop) -> QuerySet[Participant]:
    """Who joined and counts (not excluded by the organiser: counted_participants): the phones
    and the paper forms. A seat the chair added for someone without
    a phone is not among them until that person's paper form is typed in (it has no answers
    to wait for); the snapshot's count (_SNAPSHOT_SESSIONS) says the same in SQL."""
    return counted_participants(workshop_ids=[workshop.pk]).exclude(
        source=Source.PHONE, extra_seat__isnull=False
    )


def session_dashboard(*, workshop: Workshop) -> dict[str, Any]:
    """The organiser's live counts: who joined, who finished what, who still needs a nudge."""
    elements = list(
        Element.objects.filter(instrument_id=workshop.instrument_id)
        .order_by("order")
        .annotate(size=Count("statements"))
    )
    total = sum(e.size for e in elements)
    participants = list(
        joined_participants(workshop=workshop).select_related("table").order_by("pk")
    )
    per_participant: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for participant_id, element_id, n in ElementTally.objects.filter(workshop=workshop).values_list(
        "participant_id", "element_id", "answered"
    ):
        per_participant[participant_id][element_id] += n

    def answered(p: Participant) -> int:
        return sum(per_participant[p.pk].values())

    nudge = sorted(
        (
            {"seat": p.seat_label, "answered": answered(p)}
            for p in participants
            # Only a phone can be nudged: a paper form's blanks were left on paper.
            if answered(p) < total and p.source == Source.PHONE
        ),
        key=lambda r: (r["answered"], r["seat"]),
    )
    tables: dict[str, dict[str, Any]] = {}
    for p in participants:
        label = str(p.table.number) if p.table else NO_TABLE
        row = tables.setdefault(
            label,
            {"table": label, "joined": 0, "finished": 0, "answers": 0, "focus": ""},
        )
        if p.table_id:
            row["focus"] = getattr(p.table, "focus", "")
        row["joined"] += 1
        row["answers"] += answered(p)
        row["finished"] += answered(p) == total
    return {
        "participants": len(participants),
        "excluded": Participant.objects.filter(
            workshop=workshop, exclusion__isnull=False, withdrawn_at__isnull=True
        ).count(),
        # Who withdrew from their phone (sessions.services.participant_withdraw).
        "withdrawn": Participant.objects.filter(
            workshop=workshop, withdrawn_at__isnull=False
        ).count(),
        "bursts": join_bursts(workshop=workshop),
        "exclusions": session_exclusions(workshop=workshop),
        "respondents": sum(1 for p in participants if answered(p)),
        "finished": sum(1 for p in participants if answered(p) == total),
        "total": total,
        "elements": [
            {
                "name": e.tr("name"),
                "finished": sum(1 for p in participants if per_participant[p.pk][e.pk] == e.size),
            }
            for e in elements
        ],
        "tables": sorted(
            (
                {**r, "over": r["table"] != NO_TABLE and r["joined"] > TABLE_ADVISED_MAX}
                for r in tables.values()
            ),
            key=lambda r: (r["table"] == NO_TABLE, r["table"].zfill(3)),
        ),
        "advised_max": TABLE_ADVISED_MAX,
        # The first NUDGE_ROWS of those who have not finished, fewest answers first: the
        # page stays small however many phones joined.
        "nudge": nudge[:NUDGE_ROWS],
        "nudge_more": max(0, len(nudge) - NUDGE_ROWS),
    }


def participants_busy(*, workshop: Workshop) -> list[dict[str, Any]]:
    """The phones that have not answered every statement yet, fewest answers first: whom
    closing the survey would cut off. Seats added for people without a phone never answer on
    one, so they are not counted."""
    total = Statement.objects.filter(element__instrument_id=workshop.instrument_id).count()
    answered: dict[int, int] = defaultdict(int)
    for participant_id, n in ElementTally.objects.filter(workshop=workshop).values_list(
        "participant_id", "answered"
    ):
        answered[participant_id] += n
    phones = (
        counted_participants(workshop_ids=[workshop.pk])
        .filter(extra_seat__isnull=True)
        .select_related("table")
        .order_by("pk")
    )
    busy = [
        {"id": p.pk, "seat": p.seat_label, "answered": answered[p.pk], "total": total}
        for p in phones
        if answered[p.pk] < total
    ]
    return sorted(busy, key=lambda r: (r["answered"], r["seat"]))


def session_counts(*, workshop: Workshop) -> dict[str, Any]:
    """What deleting the session would delete."""
    return {
        "tables": workshop.tables.count(),
        "participants": Participant.objects.filter(workshop=workshop).count(),
        "answers": Answer.objects.filter(participant__workshop=workshop).count(),
    }


@dataclass(frozen=True)
class ComparedSeries:
    """One compared session as every chart and table shows it: its place and its colour."""

    workshop: Workshop
    colour: str

    @property
    def label(self) -> str:
        return f"{self.workshop.city} ({self.workshop.date.isoformat()})"


def compared_series(*, workshops: Iterable[Workshop]) -> list[ComparedSeries]:
    """The one rule for the order and the colour of compared sessions, used by the comparison
    page, compare.xlsx and the programme's documents (.docx, print page): by date, then city,
    then the session's id; the palette's colours in that order. A session given twice counts
    once."""
    unique = {w.pk: w for w in workshops}.values()
    ordered = sorted(unique, key=lambda w: (w.date, w.city, w.pk))
    return [ComparedSeries(workshop=w, colour=series_colour(i)) for i, w in enumerate(ordered)]


def sessions_comparison(*, workshops: list[Workshop], base: str | None = None) -> dict[str, Any]:
    """Element scores of several sessions side by side, each equal to the session's own results,
    in the order of `compared_series`; differences are against the session whose code is
    `base` (the first one when `base` is not among them)."""
    series = compared_series(workshops=workshops)
    workshops = [s.workshop for s in series]
    snapshots = [results_snapshot(workshop_id=w.pk) for w in workshops]
    if not snapshots:
        return {"sessions": [], "rows": [], "names": {}, "base": None}
    codes = [w.code for w in workshops]
    base_index = codes.index(base) if base in codes else 0
    keys = [e["key"] for e in snapshots[0]["elements"]]
    names = {
        e.key: e.tr("name")
        for e in Element.objects.filter(instrument_id=workshops[0].instrument_id)
    }
    scores = [{e["key"]: e["score"] for e in s["elements"]} for s in snapshots]
    rows = []
    for key in keys:
        values = [by_key.get(key) for by_key in scores]
        base_value = values[base_index]
        rows.append(
            {
                "key": key,
                "name": names.get(key, key),
                "scores": values,
                "diffs": [
                    None if v is None or base_value is None or i == base_index else v - base_value
                    for i, v in enumerate(values)
                ],
            }
        )
    return {
        "sessions": [
            {
                "code": w.code,
                "city": w.city,
                "date": w.date.isoformat(),
                "participants": s["participants"],
                "respondents": s["respondents"],
                "scores": [by_key.get(k) for k in keys],
                "colour": one.colour,
                "label": one.label,
                "is_base": i == base_index,
            }
            for i, (one, w, s, by_key) in enumerate(
                zip(series, workshops, snapshots, scores, strict=True)
            )
        ],
        "rows": rows,
        "names": [names.get(k, k) for k in keys],
        "base": codes[base_index],
    }


def focus_comparison(*, workshop: Workshop) -> list[dict[str, Any]]:
    """Each table with a focus (a sector, a district) against the rest of its room: the
    element scores of the participants at that table beside those of everyone else who counts
    (other tables, and no table), computed by the one aggregation rule."""
    tables = list(workshop.tables.exclude(focus="").order_by("number"))
    if not tables:
        return []
    rows = _table_rows(workshop.pk)
    names = {e.key: e.tr("name") for e, _statements in instrument_structure(workshop.instrument_id)}
    return [_against_rest(table, workshop.instrument_id, rows, names) for table in tables]


def _table_rows(workshop_id: int) -> list[tuple[int | None, int, int, int | None]]:
    """(table id, participant id, statement id, score) of every answer that counts."""
    return list(
        counted_answers(workshop_ids=[workshop_id]).values_list(
            "participant__table_id", "participant_id", "statement_id", "score"
        )
    )


def _against_rest(
    table: Table,
    instrument_id: int,
    rows: list[tuple[int | None, int, int, int | None]],
    names: dict[str, str],
) -> dict[str, Any]:
    """One table's element scores beside the rest of the room's, from `_table_rows`."""
    specs = instrument_specs(instrument_id=instrument_id)
    mine = aggregate(specs, ((p, s, v) for t, p, s, v in rows if t == table.pk))
    rest = aggregate(specs, ((p, s, v) for t, p, s, v in rows if t != table.pk))
    return {
        "table": table,
        "respondents": mine["respondents"],
        "rest_respondents": rest["respondents"],
        "rows": [
            {
                "key": f["key"],
                "name": names.get(f["key"], f["key"]),
                "focus": f["score"],
                "focus_n": f["n"],
                "rest": r["score"],
                "rest_n": r["n"],
                "diff": None
                if f["score"] is None or r["score"] is None
                else f["score"] - r["score"],
            }
            for f, r in zip(mine["elements"], rest["elements"], strict=True)
        ],
    }


def sessions_focus(*, workshops: Iterable[Workshop]) -> list[dict[str, Any]]:
    """`focus_comparison` of each compared session that has a table with a focus, in the
    order of `compared_series`."""
    out = []
    for one in compared_series(workshops=workshops):
        tables = focus_comparison(workshop=one.workshop)
        if tables:
            out.append({"workshop": one.workshop, "colour": one.colour, "tables": tables})
    return out
