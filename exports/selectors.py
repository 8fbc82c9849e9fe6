"""Read what an export needs from the database, in a fixed handful of queries, as the plain
data that `exports.workbook` builds workbooks from."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import translation

from exports.data import (
    SEAT_WITHOUT_PHONE,
    ComparedSession,
    ElementData,
    ParticipantData,
    SessionData,
    StatementData,
    in_lang,
)
from instrument.i18n import localized
from instrument.models import Statement
from notes.models import ExtraSeat, Note, Observation
from sessions.models import Role, Source, Workshop
from sessions.selectors import counted_participants
from survey.selectors import compared_series, counted_answers

FETCH_ROWS = 20_000


def fetch_rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` queryset, the same values as `list(queryset)`: on
    PostgreSQL in psycopg's binary format.

    In the text format every timestamp is parsed in Python (Django's time-zone loader is a
    Python subclass of psycopg's, so the C one is not used): the 920,000 times of a
    10,000-participant session's answers took about 4 s of CPU, in binary 0.3 s
    (bench/bench_export.py). Django's cursors bind parameters client-side, which has no binary
    results, so the query runs on a server-binding cursor of the same connection (in the same
    transaction), its errors wrapped as Django's."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    rows: list[tuple[Any, ...]] = []
    # A server-side cursor, read FETCH_ROWS at a time: the client library never holds the
    # whole result beside the rows made of it.
    with transaction.atomic(savepoint=False), connection.wrap_database_errors:
        connection.ensure_connection()
        with psycopg.ServerCursor(connection.connection, "export_rows") as cursor:
            cursor.execute(sql, params, binary=True)
            while batch := cursor.fetchmany(FETCH_ROWS):
                rows.extend(batch)
    return rows


def element_data(*, instrument_ids: Iterable[int]) -> dict[int, list[tuple[Any, list[Statement]]]]:
    """Per instrument: its elements in order, each with its statements in order (one query;
    the instrument rides along for the statements' full text)."""
    statements = (
        Statement.objects.filter(element__instrument_id__in=instrument_ids)
        .select_related("element__instrument")
        .order_by("element__instrument_id", "element__order", "order")
    )
    grouped: dict[int, list[tuple[Any, list[Statement]]]] = defaultdict(list)
    for statement in statements:
        per_instrument = grouped[statement.element.instrument_id]
        if not per_instrument or per_instrument[-1][0].pk != statement.element_id:
            per_instrument.append((statement.element, []))
        per_instrument[-1][1].append(statement)
    return grouped


def _elements(
    grouped: list[tuple[Any, list[Statement]]], *, city: str, lang: str
) -> list[ElementData]:
    return [
        ElementData(
            key=element.key,
            name=localized(element, "name", lang),
            statements=tuple(
                StatementData(
                    statement_id=s.pk,
                    key=s.key,
                    label=localized(s, "label", lang),
                    text=s.full_text(city, lang),
                )
                for s in statements
            ),
        )
        for element, statements in grouped
    ]


# Kinds as the hand-out writes them: the chairs' plus, minus, "eens", "verschil".
NOTE_KIND_LABELS = {
    "nl": {"plus": "+", "minus": "\u2212", "agree": "eens", "differ": "verschil"},
    "en": {"plus": "+", "minus": "\u2212", "agree": "agree", "differ": "differ"},
}
OBSERVATION_KIND_LABELS = {
    "nl": {"theme": "thema", "example": "voorbeeld", "statement": "opvallende uitspraak"},
    "en": {"theme": "theme", "example": "example", "statement": "striking statement"},
}


def _note_rows(workshop: Workshop, lang: str) -> list[Any]:
    """The session's table notes as rows of export_workbook.NOTE_FIELDS: one query."""
    kinds = in_lang(NOTE_KIND_LABELS, lang)
    notes = (
        Note.objects.filter(workshop=workshop)
        .select_related("table", "participant__table", "element")
        .order_by("table__number", "element__order", "created_at", "pk")
    )
    return [
        (
            n.table.number,
            n.participant.seat_label if n.participant else (n.anonymised_seat or None),
            localized(n.element, "name", lang),
            kinds.get(n.kind, n.kind),
            n.is_quote,
            n.text,
            n.author,
            n.created_at,
        )
        for n in notes
    ]


def _observation_rows(workshop: Workshop, lang: str) -> list[Any]:
    """The session's observations as rows of export_workbook.OBSERVATION_FIELDS: one query."""
    kinds = in_lang(OBSERVATION_KIND_LABELS, lang)
    observations = (
        Observation.objects.filter(workshop=workshop)
        .select_related("element", "author", "table")
        .order_by("created_at", "pk")
    )
    return [
        (
            kinds.get(o.kind, o.kind),
            localized(o.element, "name", lang) if o.element_id else None,
            o.text,
            # A chair's observation is attributed to its table, a researcher's to the login.
            o.author_label,
            o.created_at,
        )
        for o in observations
    ]


def session_data(*, workshop: Workshop, lang: str) -> SessionData:
    """Everything one session's workbook shows: five queries, however large the session."""
    # Answers before participants: a phone that joins in between then shows up as a
    # participant without answers, never as answers without a participant.
    # Participants the organiser excluded are in no export (counted_*).
    answers = fetch_rows(
        counted_answers(workshop_ids=[workshop.pk]).values_list(
            "participant_id", "statement_id", "score", "answered_at", "updated_at"
        )
    )
    participants = (
        counted_participants(workshop_ids=[workshop.pk])
        .select_related("table")
        .annotate(no_phone_seat=Exists(ExtraSeat.objects.filter(participant=OuterRef("pk"))))
    )
    with translation.override(lang):
        # Translated once per role, not per participant (lazy labels cost ~0.3 ms each).
        roles = {value: str(label) for value, label in Role.choices}
        phase = str(workshop.get_phase_display())
    people = [
        ParticipantData(
            participant_id=p.pk,
            seat_label=p.seat_label,
            table=p.table.number if p.table else None,
            seat=p.seat,
            role=roles.get(p.role, p.role),
            joined_at=p.joined_at,
            role_code=p.role,
            # A seat the chair added for someone without a phone, whose paper form was not
            # typed in: neither a phone nor a paper form ("seat").
            source=SEAT_WITHOUT_PHONE if p.no_phone_seat and p.source == Source.PHONE else p.source,
            consent_version=p.consent_id,
        )
        for p in participants
    ]
    instrument = workshop.instrument
    grouped = element_data(instrument_ids=[instrument.pk])[instrument.pk]
    tables = list(workshop.tables.order_by("number").values_list("number", "focus"))
    return SessionData(
        code=workshop.code,
        city=workshop.city,
        date=workshop.date,
        title=workshop.title,
        instrument=localized(instrument, "name", lang),
        instrument_version=instrument.version,
        phase=phase,
        elements=_elements(grouped, city=workshop.city, lang=lang),
        participants=people,
        answers=answers,
        notes=_note_rows(workshop, lang),
        observations=_observation_rows(workshop, lang),
        table_focus={n: focus for n, focus in tables if focus},
        scale=tuple(localized(instrument, "scale", lang) or ()),
        roles=tuple(roles.items()),
        tables=tuple(n for n, _focus in tables),
        instrument_slug=instrument.slug,
        anonymised_at=workshop.anonymised_at,
        kept=workshop.aggregates if workshop.anonymised_at is not None else None,
    )


def comparison_data(*, workshops: Sequence[Workshop], lang: str) -> list[ComparedSession]:
    """The compared sessions' elements, answers and participant counts: three queries for any
    number of sessions. In the order and the colours of the comparison page
    (survey.selectors.compared_series)."""
    series = compared_series(workshops=workshops)
    workshops = [s.workshop for s in series]
    grouped = element_data(instrument_ids={w.instrument_id for w in workshops})
    answers: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
    rows = counted_answers(workshop_ids=[w.pk for w in workshops])
    for workshop_id, participant_id, statement_id, score in rows.values_list(
        "participant__workshop_id", "participant_id", "statement_id", "score"
    ).iterator(chunk_size=5000):
        answers[workshop_id].append((participant_id, statement_id, score))
    joined = dict(
        counted_participants(workshop_ids=[w.pk for w in workshops])
        .values("workshop_id")
        .annotate(n=Count("id"))
        .values_list("workshop_id", "n")
    )
    return [
        ComparedSession(
            code=w.code,
            participants=(
                int(w.aggregates["participants"]) if w.aggregates else joined.get(w.pk, 0)
            ),
            kept=w.aggregates if w.anonymised_at is not None else None,
            city=w.city,
            date=w.date,
            title=w.title,
            elements=_elements(grouped.get(w.instrument_id, []), city=w.city, lang=lang),
            answers=answers[w.pk],
            colour=one.colour,
        )
        for one, w in zip(series, workshops, strict=True)
    ]
