"""The exports read back as a researcher would: the workbook with openpyxl, the CSV with csv,
and every number checked against the live results and the database."""

import csv
import datetime
import gzip
import io
import statistics
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.chart import RadarChart
from openpyxl.workbook.workbook import Workbook

from exports.data import (
    ComparedSession,
    ElementData,
    ParticipantData,
    SessionData,
    StatementData,
    local_naive,
)
from exports.selectors import session_data
from exports.workbook import build_comparison_workbook, build_session_workbook
from exports.xlsx import BulkWorkbook
from instrument.models import Statement
from sessions.models import Participant, Table, Workshop
from sessions.services import participant_join
from survey.models import Answer
from survey.selectors import results_snapshot
from survey.services import answer_save

SHEETS_NL = [
    "sessie",
    "deelnemers",
    "antwoorden",
    "stellingen",
    "elementen",
    "uitsplitsing",
    "notities",
    "observaties",
    "codeboek",
]


def fill(workshop: Workshop, *, participants: int = 6, offset: int = 0) -> list[Participant]:
    """Participants at tables (and one without), answering a varied pattern of scores and
    don't-knows, one answer changed afterwards, and one participant answering nothing."""
    tables = list(Table.objects.filter(workshop=workshop).order_by("number"))
    roles = ["policy", "", "finance", "research", "entrepreneur", "other"]
    statement_ids = list(
        Statement.objects.filter(element__instrument_id=workshop.instrument_id)
        .order_by("element__order", "order")
        .values_list("pk", flat=True)
    )
    people = []
    for i in range(participants):
        table = None if i == participants - 2 else tables[i % len(tables)]
        people.append(participant_join(workshop=workshop, table=table, role=roles[i % len(roles)]))
    for i, participant in enumerate(people[:-1]):  # the last one joins but never answers
        for j, statement_id in enumerate(statement_ids):
            if (i + j + offset) % 4 == 3:
                continue
            # Participant 1 answers only "don't know" in the third element, so that element's
            # n is below its respondents.
            dont_know = (i * 7 + j + offset) % 9 == 0 or (i == 1 and 17 <= j < 24)
            score = None if dont_know else (i + 2 * j + offset) % 5 + 1
            answer_save(participant=participant, statement_id=statement_id, score=score)
    answer_save(participant=people[0], statement_id=statement_ids[0], score=5)
    return people


@pytest.fixture
def filled(workshop) -> Workshop:
    fill(workshop)
    return workshop


def read(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def saved(workbook: Workbook) -> Workbook:
    out = io.BytesIO()
    workbook.save(out)
    return read(out.getvalue())


def table(ws) -> tuple[tuple, list[tuple]]:
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


def by_header(ws) -> list[dict]:
    header, rows = table(ws)
    return [dict(zip(header, row, strict=False)) for row in rows]


def export(client: Client, workshop: Workshop) -> Workbook:
    response = client.get(f"/s/{workshop.code}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return read(response.content)


def local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


# --- the session workbook, through the organiser's download ---------------------------------


def test_workbook_has_the_dutch_sheets_in_order(organiser, filled):
    assert export(organiser, filled).sheetnames == SHEETS_NL


def test_element_scores_equal_the_live_results(organiser, filled):
    snapshot = results_snapshot(workshop_id=filled.pk)
    rows = by_header(export(organiser, filled)["elementen"])
    assert [r["code"] for r in rows] == [e["key"] for e in snapshot["elements"]]
    for row, element in zip(rows, snapshot["elements"], strict=True):
        assert row["score"] == pytest.approx(element["score"], abs=1e-12)
        assert isinstance(row["score"], float)
        assert (row["n"], row["weet ik niet"]) == (element["n"], element["dont_know"])
        assert row["stellingen"] == len(element["items"])
    # The third element has a participant with don't-knows only: n counts those with a 1-5.
    assert snapshot["elements"][2]["n"] < snapshot["respondents"]


def test_statement_numbers_equal_the_live_results_and_the_answers(organiser, filled):
    snapshot = results_snapshot(workshop_id=filled.pk)
    items = [item for element in snapshot["elements"] for item in element["items"]]
    rows = by_header(export(organiser, filled)["stellingen"])
    assert len(rows) == len(items) == 46
    for row, item in zip(rows, items, strict=True):
        assert row["code"] == item["key"]
        assert row["stelling"] == item["label"]
        assert row["gemiddelde"] == pytest.approx(item["mean"], abs=1e-12)
        assert (row["n"], row["weet ik niet"]) == (item["n"], item["dont_know"])
        assert [row[f"aantal {s}"] for s in range(1, 6)] == item["counts"]
        scores = list(
            Answer.objects.filter(
                participant__workshop=filled, statement__key=item["key"], score__isnull=False
            ).values_list("score", flat=True)
        )
        assert row["standaardafwijking"] == pytest.approx(statistics.stdev(scores))
        assert row["mediaan"] == statistics.median(scores)
        assert row["volledige stelling"].startswith(
            "Voor het bevorderen van impact ondernemerschap in Zwolle "
        )


def test_answers_sheet_has_one_row_per_answer_with_real_numbers_and_dates(organiser, filled):
    ws = export(organiser, filled)["antwoorden"]
    header, rows = table(ws)
    assert header == (
        "deelnemer",
        "element",
        "code stelling",
        "stelling",
        "volledige stelling",
        "score",
        "beantwoord op",
        "gewijzigd op",
        "bron",
    )
    answers = Answer.objects.filter(participant__workshop=filled).select_related(
        "participant__table", "statement__element"
    )
    expected = {
        (a.participant.seat_label, a.statement.key): (
            "weet ik niet" if a.score is None else a.score,
            local(a.answered_at),
            local(a.updated_at),
            a.statement.element.name_nl,
            a.statement.full_text("Zwolle", "nl"),
        )
        for a in answers
    }
    assert len(rows) == len(expected) == answers.count()
    got = {(r[0], r[2]): (r[5], r[6], r[7], r[1], r[4]) for r in rows}
    assert got == expected
    dont_know = [r for r in rows if r[5] == "weet ik niet"]
    assert len(dont_know) == answers.filter(score__isnull=True).count() > 0
    for row_cells in ws.iter_rows(min_row=2, max_row=40):
        score, answered = row_cells[5], row_cells[6]
        if score.value != "weet ik niet":
            assert score.data_type == "n" and isinstance(score.value, int)
        assert isinstance(answered.value, datetime.datetime) and answered.is_date
    # Ordered by participant as the participants sheet lists them, then by statement.
    seats = [r[0] for r in rows]
    assert seats == sorted(seats, key=[p.seat_label for p in filled.participants.all()].index)


def test_a_changed_answer_shows_its_new_score_and_change_time(organiser, filled):
    first = Participant.objects.filter(workshop=filled).order_by("table__number", "seat")[0]
    answer = Answer.objects.get(participant=first, statement__key="kennis-1")
    rows = by_header(export(organiser, filled)["antwoorden"])
    row = next(
        r for r in rows if r["deelnemer"] == first.seat_label and r["code stelling"] == "kennis-1"
    )
    assert row["score"] == answer.score == 5
    assert row["gewijzigd op"] == local(answer.updated_at) >= row["beantwoord op"]


def test_participants_sheet_has_element_scores_and_counts_labelled_as_such(organiser, filled):
    ws = export(organiser, filled)["deelnemers"]
    header, rows = table(ws)
    elements = list(filled.instrument.elements.order_by("order"))
    assert header == (
        "deelnemer",
        "tafel",
        "plek",
        "rol",
        "bron",
        "aangemeld op",
        "aantal antwoorden",
        "aantal weet ik niet",
        *(f"elementscore {e.name_nl}" for e in elements),
        *(f"aantal antwoorden {e.name_nl}" for e in elements),
        "versie toestemmingstekst",
    )
    participants = list(Participant.objects.filter(workshop=filled).select_related("table"))
    assert len(rows) == len(participants) == 6
    for row, p in zip(rows, participants, strict=True):
        given = Answer.objects.filter(participant=p)
        assert row[:6] == (
            p.seat_label,
            p.table.number if p.table else None,
            p.seat,
            p.get_role_display() or None,
            "telefoon",
            local(p.joined_at),
        )
        assert row[6:8] == (given.count(), given.filter(score__isnull=True).count())
        scores = row[8 : 8 + len(elements)]
        for score, e in zip(scores, elements, strict=True):
            own = [a.score for a in given.filter(statement__element=e, score__isnull=False)]
            assert score == (pytest.approx(statistics.mean(own)) if own else None)
        assert list(row[8 + len(elements) : 8 + 2 * len(elements)]) == [
            given.filter(statement__element=e).count() for e in elements
        ]
        assert row[-1] == p.consent_id  # the consent text's version (None: made by the ORM)
    assert rows[0][3] == "Beleidsmaker (gemeente of provincie)"
    assert "P1" in [r[0] for r in rows]  # the participant without a table
    last_joined = max(participants, key=lambda p: p.pk)
    assert rows[participants.index(last_joined)][6] == 0  # joined, never answered
    # The session's element score is the mean of these participant scores.
    sheet = {r[0]: r[2] for r in table(export(organiser, filled)["elementen"])[1]}
    for index, e in enumerate(elements):
        own = [r[8 + index] for r in rows if r[8 + index] is not None]
        assert sheet[e.key] == pytest.approx(statistics.mean(own))


def test_session_sheet_states_the_facts(organiser, filled):
    before = timezone.localtime().replace(tzinfo=None, microsecond=0)
    facts = dict(table(export(organiser, filled)["sessie"])[1])
    snapshot = results_snapshot(workshop_id=filled.pk)
    assert facts["code"] == filled.code
    assert facts["stad"] == "Zwolle"
    assert facts["datum"] == datetime.datetime(2026, 11, 26)  # a date cell reads back as datetime
    assert facts["instrument"] == filled.instrument.name_nl
    assert facts["instrumentversie"] == filled.instrument.version
    assert facts["fase"] == "Vragenlijst"
    assert facts["deelnemers"] == snapshot["participants"] == 6
    assert facts["respondenten"] == snapshot["respondents"] == 5
    assert facts["antwoorden"] == Answer.objects.filter(participant__workshop=filled).count()
    assert facts["weet-ik-niet-antwoorden"] == (
        Answer.objects.filter(participant__workshop=filled, score__isnull=True).count()
    )
    assert facts["notities"] == facts["observaties"] == 0
    assert before <= facts["geëxporteerd op"] <= before + datetime.timedelta(minutes=1)
    assert facts["tijdzone (van alle tijdstippen)"] == "Europe/Amsterdam"
    assert "elementscore" in facts  # the definitions, for a reader who never saw the app


def test_elements_sheet_holds_a_native_radar_chart_of_the_scores(organiser, filled):
    ws = export(organiser, filled)["elementen"]
    assert len(ws._charts) == 1 and not ws._images
    chart = ws._charts[0]
    assert isinstance(chart, RadarChart)
    assert len(chart.series) == 1
    series = chart.series[0]
    assert series.val.numRef.f == "'elementen'!$C$2:$C$7"
    assert series.cat.strRef.f == "'elementen'!$B$2:$B$7"


def test_every_sheet_has_a_frozen_filtered_header_and_readable_widths(organiser, filled):
    wb = export(organiser, filled)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert ws["A1"].font.bold
        for column in range(1, ws.max_column + 1):
            width = ws.column_dimensions[ws.cell(1, column).column_letter].width
            assert 6 <= width <= 80, (ws.title, column)
    assert wb["antwoorden"].auto_filter.ref.endswith(str(1 + Answer.objects.count()))


def test_notes_and_observations_sheets_have_headers_when_empty(organiser, filled):
    wb = export(organiser, filled)
    assert table(wb["notities"]) == (
        ("tafel", "deelnemer", "element", "soort", "quote", "tekst", "auteur", "tijd"),
        [],
    )
    assert table(wb["observaties"]) == (("soort", "element", "tekst", "auteur", "tijd"), [])


def test_notes_and_observations_sheets_hold_what_the_chairs_and_organiser_wrote(organiser, filled):
    import uuid

    from notes.services import note_create, observation_create

    table_ = filled.tables.get(number=1)
    participant = filled.participants.filter(table=table_).first() or filled.participants.first()
    kennis = filled.instrument.elements.get(order=1)
    netwerk = filled.instrument.elements.get(order=2)
    if participant.table_id != table_.pk:
        participant.table = table_
        participant.save()
    note_create(
        table=table_, element_id=kennis.pk, kind="plus", participant_id=participant.pk,
        text="Veel kennis bij de hogeschool", client_id=uuid.uuid4(), is_quote=True,
    )  # fmt: skip
    note_create(
        table=table_, element_id=netwerk.pk, kind="differ", text="Over de rol van de gemeente",
        client_id=uuid.uuid4(),
    )  # fmt: skip
    user = get_user_model().objects.get(username="organiser")
    observation_create(
        workshop=filled, kind="theme", text="Intermediairs", author=user, element_id=None
    )
    wb = export(organiser, filled)
    notes = by_header(wb["notities"])
    assert [(n["tafel"], n["deelnemer"], n["element"], n["soort"], n["quote"], n["tekst"])
            for n in notes] == [
        (1, participant.seat_label, "Kennis & Vaardigheden", "+", True,
         "Veel kennis bij de hogeschool"),
        (1, None, "Sociaal Netwerk", "verschil", False, "Over de rol van de gemeente"),
    ]  # fmt: skip
    assert all(n["auteur"] == "Tafelvoorzitter T1" for n in notes)
    assert all(isinstance(n["tijd"], datetime.datetime) for n in notes)
    [observation] = by_header(wb["observaties"])
    assert (observation["soort"], observation["element"], observation["tekst"]) == (
        "thema", None, "Intermediairs",
    )  # fmt: skip
    assert observation["auteur"] == "organiser"


def test_english_interface_gives_english_sheets_and_texts(organiser, filled):
    organiser.cookies["django_language"] = "en"
    wb = export(organiser, filled)
    assert wb.sheetnames == [
        "session",
        "participants",
        "answers",
        "statements",
        "elements",
        "breakdowns",
        "notes",
        "observations",
        "codebook",
    ]
    answers = by_header(wb["answers"])
    assert {r["score"] for r in answers} >= {"don't know", 1, 5}
    assert answers[0]["full statement"].startswith("To foster impact entrepreneurship in Zwolle, ")
    assert by_header(wb["elements"])[0]["element"] == "Knowledge & Skills"


def test_an_empty_session_exports_headers_and_blank_scores(organiser, workshop):
    wb = export(organiser, workshop)
    assert table(wb["antwoorden"])[1] == []
    rows = by_header(wb["elementen"])
    assert [(r["score"], r["n"]) for r in rows] == [(None, 0)] * 6
    assert len(wb["elementen"]._charts) == 1


def test_session_data_costs_a_fixed_number_of_queries(filled, make_workshop):
    small = make_workshop(city="Deventer")
    fill(small, participants=2)
    counts = []
    for workshop in (small, filled):
        workshop = Workshop.objects.select_related("instrument").get(pk=workshop.pk)
        with CaptureQueriesContext(connection) as queries:
            session_data(workshop=workshop, lang="nl")
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6


# --- the pure builders, without database or HTTP -----------------------------------------


def plain_session(notes=(), observations=()) -> SessionData:
    utc = datetime.UTC
    elements = [
        ElementData(
            key="a",
            name="Alfa",
            statements=(
                StatementData(1, "a-1", "Een", "In Zwolle een"),
                StatementData(2, "a-2", "Twee", "In Zwolle twee"),
            ),
        ),
        ElementData(key="b", name="Beta", statements=(StatementData(3, "b-1", "Drie", "Drie"),)),
    ]
    joined = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=utc)
    participants = [
        ParticipantData(10, "T1·P1", 1, 1, "Beleidsmaker", joined),
        ParticipantData(11, "T1·P2", 1, 2, "", joined),
        ParticipantData(12, "P1", None, 1, "", joined),
    ]
    at = datetime.datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=utc)
    answers = [
        (10, 1, 4, at, at),
        (10, 2, 2, at, at),
        (10, 3, None, at, at),
        (11, 1, 5, at, at),
        (11, 3, 3, at, at),
        (12, 2, None, at, at),
    ]
    return SessionData(
        code="ABC234",
        city="Zwolle",
        date=datetime.date(2026, 11, 26),
        title="Test",
        instrument="Scentiss",
        instrument_version=1,
        phase="Vragenlijst",
        elements=elements,
        participants=participants,
        answers=answers,
        notes=notes,
        observations=observations,
    )


def test_builder_computes_the_hand_counted_numbers():
    data = plain_session()
    wb = saved(build_session_workbook(data=data, exported_at=datetime.datetime(2026, 11, 26, 12)))
    # Alfa: T1·P1 mean(4, 2) = 3, T1·P2 mean(5) = 5 -> 4.0 over 2; P1 only don't know.
    # Beta: T1·P2 3 -> 3.0 over 1, one don't know.
    assert [
        (r["code"], r["score"], r["n"], r["weet ik niet"]) for r in by_header(wb["elementen"])
    ] == [
        ("a", 4.0, 2, 1),
        ("b", 3.0, 1, 1),
    ]
    statements = by_header(wb["stellingen"])
    assert [(r["n"], r["gemiddelde"], r["mediaan"]) for r in statements] == [
        (2, 4.5, 4.5),
        (1, 2.0, 2),
        (1, 3.0, 3),
    ]
    assert statements[0]["standaardafwijking"] == pytest.approx(statistics.stdev([4, 5]))
    assert statements[1]["standaardafwijking"] is None  # one answer has no spread
    answers = table(wb["antwoorden"])[1]
    assert [r[5] for r in answers] == [4, 2, "weet ik niet", 5, 3, "weet ik niet"]
    # 09:30:15 UTC is 10:30:15 in Amsterdam in November; seconds kept, microseconds dropped.
    assert answers[0][6] == datetime.datetime(2026, 11, 26, 10, 30, 15)


def test_times_are_amsterdam_wall_clock_in_winter_and_summer():
    winter = datetime.datetime(2026, 1, 15, 12, 0, 0, 999999, tzinfo=datetime.UTC)
    summer = datetime.datetime(2026, 7, 15, 12, 0, tzinfo=datetime.UTC)
    assert local_naive(winter) == datetime.datetime(2026, 1, 15, 13, 0, 0)
    assert local_naive(summer) == datetime.datetime(2026, 7, 15, 14, 0)
    assert local_naive(datetime.datetime(2026, 7, 15, 9, 1)) == datetime.datetime(2026, 7, 15, 9, 1)


def test_builder_writes_note_and_observation_rows_from_tuples_or_mappings():
    at = datetime.datetime(2026, 11, 26, 13, 5, tzinfo=datetime.UTC)
    notes = [
        (
            2,
            "T2·P3",
            "Kennis & Vaardigheden",
            "+",
            True,
            "  <b>Goed</b> & wel\x07 ",
            "chair T2",
            at,
        ),
        {"table": 2, "element": "Sociaal Netwerk", "kind": "eens", "quote": False, "text": "Eens"},
    ]
    observations = [{"kind": "thema", "text": "Ruimte", "author": "onderzoeker", "created_at": at}]
    wb = saved(
        build_session_workbook(
            data=plain_session(notes=notes, observations=observations),
            exported_at=at,
        )
    )
    rows = table(wb["notities"])[1]
    assert rows[0] == (
        2,
        "T2·P3",
        "Kennis & Vaardigheden",
        "+",
        True,
        "  <b>Goed</b> & wel ",  # the bell character cannot live in XML
        "chair T2",
        datetime.datetime(2026, 11, 26, 14, 5),
    )
    assert rows[1] == (2, None, "Sociaal Netwerk", "eens", False, "Eens", None, None)
    assert table(wb["observaties"])[1] == [
        ("thema", None, "Ruimte", "onderzoeker", datetime.datetime(2026, 11, 26, 14, 5))
    ]
    facts = dict(table(wb["sessie"])[1])
    assert (facts["notities"], facts["observaties"]) == (2, 1)
    assert wb["notities"].auto_filter.ref == "A1:H3"


def test_bulk_rows_keep_their_types_and_text_exactly():
    wb = BulkWorkbook()
    ws = wb.active
    ws.append(["a", "b"])
    when = datetime.datetime(2026, 3, 29, 2, 30, 1)
    wb.append_bulk(
        ws,
        [
            ("  spaced ", 'quote " < > & é ·'),
            (True, False),
            (0, -3),
            (2.5, 1 / 3),
            (datetime.date(2026, 11, 26), when),
            (None, "after a gap"),
        ],
    )
    rows = table(saved(wb).active)[1]
    assert rows == [
        ("  spaced ", 'quote " < > & é ·'),
        (True, False),
        (0, -3),
        (2.5, 1 / 3),
        (datetime.datetime(2026, 11, 26), when),
        (None, "after a gap"),
    ]
    with pytest.raises(ValueError, match="time zones"):
        wb2 = BulkWorkbook()
        wb2.append_bulk(wb2.active, [(datetime.datetime.now(datetime.UTC),)])
        wb2.save(io.BytesIO())


# --- the CSV through HTTP --------------------------------------------------------------------


def test_csv_download_starts_with_a_bom_and_matches_the_answers(organiser, filled):
    response = organiser.get(f"/s/{filled.code}/answers.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["session", "city", "date", "instrument_version", "participant"]
    assert len(rows) - 1 == Answer.objects.filter(participant__workshop=filled).count()
    sheet = table(export(organiser, filled)["antwoorden"])[1]
    score, statement = rows[0].index("score"), rows[0].index("statement")
    assert [(r[4], r[statement], r[score]) for r in rows[1:]] == [
        (s[0], s[2], "" if s[5] == "weet ik niet" else str(s[5])) for s in sheet
    ]
    assert {r[score] for r in rows[1:]} == {"1", "2", "3", "4", "5", ""}
    parsed = datetime.datetime.fromisoformat(rows[1][rows[0].index("answered_at")])
    assert parsed == sheet[0][6]


def test_a_browser_that_accepts_gzip_gets_the_workbook_as_it_is_and_the_csv_compressed(
    organiser, filled
):
    # An xlsx is a zip already: compressing it again costs the server and gains no bytes.
    response = organiser.get(f"/s/{filled.code}/export.xlsx", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert read(response.content).sheetnames == SHEETS_NL
    text = organiser.get(f"/s/{filled.code}/answers.csv", HTTP_ACCEPT_ENCODING="gzip")
    assert text["Content-Encoding"] == "gzip"
    assert gzip.decompress(text.content).startswith(b"\xef\xbb\xbf")


# --- the comparison workbook -----------------------------------------------------------------


@pytest.fixture
def three_cities(make_workshop) -> list[Workshop]:
    sessions = []
    # In the order of the comparison (by date): Zwolle first.
    for offset, city in enumerate(["Zwolle", "Deventer", "Enschede"]):
        w = make_workshop(city=city, date=datetime.date(2026, 11, 26 + offset))
        fill(w, participants=3 + offset, offset=offset)
        sessions.append(w)
    return sessions


def compare(client: Client, query: str) -> Workbook:
    response = client.get(f"/organiser/compare.xlsx?{query}")
    assert response.status_code == 200, response.content
    return read(response.content)


def test_comparison_has_a_row_per_session_per_element_equal_to_live_results(
    organiser, three_cities
):
    codes = ",".join(w.code for w in three_cities)
    wb = compare(organiser, f"codes={codes}")
    elements = [e.name_nl for e in three_cities[0].instrument.elements.order_by("order")]
    assert wb.sheetnames == ["vergelijking", "grafiek", *elements]
    rows = by_header(wb["vergelijking"])
    assert len(rows) == 3 * 6
    for w in three_cities:
        snapshot = results_snapshot(workshop_id=w.pk)
        mine = [r for r in rows if r["code"] == w.code]
        assert [r["code element"] for r in mine] == [e["key"] for e in snapshot["elements"]]
        for row, element in zip(mine, snapshot["elements"], strict=True):
            assert row["stad"] == w.city
            assert row["respondenten"] == snapshot["respondents"]
            assert row["score"] == pytest.approx(element["score"], abs=1e-12)
            assert (row["n"], row["weet ik niet"]) == (element["n"], element["dont_know"])


def test_comparison_scores_carry_the_two_decimal_format_and_names_do_not(organiser, three_cities):
    """The 0.00 format sat on the element's name (column H) instead of its score (I)."""
    wb = compare(organiser, "codes=" + ",".join(w.code for w in three_cities))
    ws = wb["vergelijking"]
    header = [c.value for c in ws[1]]
    score, name = header.index("score") + 1, header.index("element") + 1
    assert (score, name) == (9, 8)
    scores = [row[0] for row in ws.iter_rows(min_row=2, min_col=score, max_col=score)]
    names = [row[0] for row in ws.iter_rows(min_row=2, min_col=name, max_col=name)]
    assert len(scores) == len(names) == 3 * 6
    assert all(isinstance(c.value, float) for c in scores)
    assert {c.number_format for c in scores} == {"0.00"}
    assert all(isinstance(c.value, str) for c in names)
    assert "0.00" not in {c.number_format for c in names}


def test_the_comparison_page_offers_its_workbook_for_the_cities_chosen(organiser, three_cities):
    """compare.xlsx was reachable only by typing codes on a session's console."""
    import html
    import re

    query = "&".join(f"code={w.code}" for w in three_cities)
    page = organiser.get(f"/organiser/compare/?{query}").content.decode()
    links = re.findall(r'<a class="button" href="([^"]*compare\.xlsx[^"]*)" download>', page)
    assert len(links) == 1
    assert "Vergelijking downloaden (Excel)" in page
    wb = read(organiser.get(html.unescape(links[0])).content)
    rows = list(wb["vergelijking"].iter_rows(values_only=True))
    city = rows[0].index("stad")
    assert {row[city] for row in rows[1:]} == {w.city for w in three_cities}


def test_comparison_radar_has_one_series_per_city(organiser, three_cities):
    wb = compare(organiser, "&".join(f"code={w.code.lower()}" for w in three_cities))
    ws = wb["grafiek"]
    assert table(ws)[0] == ("element", "Zwolle", "Deventer", "Enschede")
    (chart,) = ws._charts
    assert isinstance(chart, RadarChart)
    assert [s.tx.strRef.f for s in chart.series] == ["'grafiek'!B1", "'grafiek'!C1", "'grafiek'!D1"]
    assert chart.series[2].val.numRef.f == "'grafiek'!$D$2:$D$7"


def test_comparison_sheet_per_element_lists_statements_per_city(organiser, three_cities):
    wb = compare(organiser, "codes=" + ",".join(w.code for w in three_cities))
    ws = wb["Sociaal Netwerk"]
    header, rows = table(ws)
    assert header[:5] == (
        "code",
        "stelling",
        "Zwolle: gemiddelde",
        "Zwolle: n",
        "Zwolle: weet ik niet",
    )
    assert header[-1] == "Enschede: weet ik niet"
    assert len(rows) == 9
    for column, w in enumerate(three_cities):
        items = next(
            e for e in results_snapshot(workshop_id=w.pk)["elements"] if e["key"] == "netwerk"
        )["items"]
        for row, item in zip(rows, items, strict=True):
            assert row[0] == item["key"]
            mean, n, dont_know = row[2 + 3 * column : 5 + 3 * column]
            assert mean == pytest.approx(item["mean"], abs=1e-12)
            assert (n, dont_know) == (item["n"], item["dont_know"])


def test_same_city_twice_is_told_apart_by_date(organiser, make_workshop):
    a = make_workshop(city="Zwolle", date=datetime.date(2025, 5, 1))
    b = make_workshop(city="Zwolle", date=datetime.date(2026, 11, 26))
    ws = compare(organiser, f"codes={a.code}, {b.code}")["grafiek"]
    assert table(ws)[0] == ("element", "Zwolle 2025-05-01", "Zwolle 2026-11-26")


def test_comparison_builder_lines_up_elements_by_key():
    one = ComparedSession(
        "AAA",
        "Zwolle",
        datetime.date(2026, 1, 1),
        "",
        [ElementData("a", "Alfa", (StatementData(1, "a-1", "Een", ""),))],
        [(1, 1, 4)],
    )
    two = ComparedSession(
        "BBB",
        "Deventer",
        datetime.date(2026, 2, 1),
        "",
        [ElementData("b", "Beta/Gamma", (StatementData(9, "b-1", "Negen", ""),))],
        [(2, 9, 2)],
    )
    wb = saved(build_comparison_workbook(sessions=[one, two], lang="en"))
    assert wb.sheetnames == ["comparison", "chart", "Alfa", "Beta Gamma"]
    assert table(wb["chart"])[1] == [("Alfa", 4.0, None), ("Beta/Gamma", None, 2.0)]


def test_comparison_needs_codes_and_known_ones(organiser, workshop):
    assert organiser.get("/organiser/compare.xlsx").status_code == 400
    assert organiser.get("/organiser/compare.xlsx?codes=ZZZZZZ").status_code == 404
    assert organiser.get(f"/organiser/compare.xlsx?codes={workshop.code},ZZZZZZ").status_code == 404


# --- access ----------------------------------------------------------------------------------


def test_exports_need_an_organiser_login(client, filled):
    chair_key = filled.tables.first().chair_key
    urls = [
        f"/s/{filled.code}/export.xlsx",
        f"/s/{filled.code}/export.xlsx?key={filled.projector_key}",
        f"/s/{filled.code}/export.xlsx?key={chair_key}",
        f"/s/{filled.code}/answers.csv?key={filled.projector_key}",
        f"/organiser/compare.xlsx?codes={filled.code}&key={filled.projector_key}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
        assert b"PK" not in response.content and b"weet ik niet" not in response.content
    # The projector key does open what it is for: the session's live results.
    assert (
        client.get(f"/s/{filled.code}/results.json?key={filled.projector_key}").status_code == 200
    )


def test_organiser_page_links_the_exports(organiser, workshop):
    html = organiser.get(f"/s/{workshop.code}/organiser/").content.decode()
    assert f'href="http://testserver/s/{workshop.code}/export.xlsx"' in html
    assert f'href="/s/{workshop.code}/answers.csv"' in html
    assert 'action="/organiser/compare.xlsx"' in html
    assert f'name="codes" type="text" value="{workshop.code}"' in html


# --- the command line ----------------------------------------------------------------------


def test_exportsession_writes_the_workbook(filled, tmp_path):
    out = StringIO()
    target = tmp_path / "zwolle.xlsx"
    call_command("exportsession", filled.code.lower(), "--out", str(target), stdout=out)
    assert out.getvalue().strip() == str(target)
    wb = load_workbook(target)
    assert wb.sheetnames == SHEETS_NL
    assert (
        len(table(wb["antwoorden"])[1])
        == Answer.objects.filter(participant__workshop=filled).count()
    )
    call_command("exportsession", filled.code, "--out", str(target), "--lang", "en", stdout=out)
    assert load_workbook(target).sheetnames[0] == "session"


def test_exportsession_refuses_an_unknown_code(db):
    with pytest.raises(CommandError, match="no session"):
        call_command("exportsession", "ZZZZZZ", "--out", "unused.xlsx")


def test_text_that_looks_like_a_formula_stays_text(organiser, make_workshop):
    workshop = make_workshop(city='=HYPERLINK("http://x","klik")', title="=2+3")
    wb = export(organiser, workshop)
    values = [cell for row in wb.worksheets[0].iter_rows() for cell in row]
    texts = [c for c in values if isinstance(c.value, str) and c.value.startswith("=")]
    assert {c.value for c in texts} >= {"=2+3", '=HYPERLINK("http://x","klik")'}
    assert all(c.data_type == "s" for c in texts)
