"""Answers imported from the export's own long format (CSV or workbook), by the organiser's
page and by the command: every problem listed by row and column, nothing stored when any row
is wrong, and export -> import into a new session gives identical results."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook

from exports.services import ImportRefused, answers_import
from sessions.models import Participant, Phase, Source, Table, Workshop
from survey.aggregation import aggregate
from survey.models import Answer, ElementTally, ItemTally
from survey.selectors import instrument_specs, results_snapshot
from tests.test_export import fill


@pytest.fixture
def source(workshop) -> Workshop:
    people = fill(workshop)
    Participant.objects.filter(pk=people[1].pk).update(source=Source.PAPER)
    return workshop


def long_csv(client: Client, workshop: Workshop) -> bytes:
    response = client.get(f"/s/{workshop.code}/answers.csv")
    assert response.status_code == 200
    return response.content


def wide_rows(client: Client, workshop: Workshop) -> list[dict]:
    content = client.get(f"/s/{workshop.code}/wide.csv").content.decode("utf-8-sig")
    return list(csv.DictReader(StringIO(content)))


def results(workshop: Workshop) -> dict:
    snapshot = results_snapshot(workshop_id=workshop.pk)
    return {k: snapshot[k] for k in ("respondents", "participants", "elements")}


def rounded(value):
    if isinstance(value, float):
        return round(value, 12)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def stored(workshop: Workshop) -> tuple:
    return (
        Participant.objects.filter(workshop=workshop).count(),
        Answer.objects.filter(participant__workshop=workshop).count(),
        ItemTally.objects.filter(workshop=workshop).count(),
        Workshop.objects.get(pk=workshop.pk).results_version,
    )


def assert_tallies_match_the_answers(workshop: Workshop) -> None:
    answers = Answer.objects.filter(participant__workshop=workshop).values_list(
        "participant_id", "statement_id", "score"
    )
    specs = instrument_specs(instrument_id=workshop.instrument_id)
    assert (
        results_snapshot(workshop_id=workshop.pk)["elements"]
        == aggregate(specs, answers)["elements"]
    )
    assert ElementTally.objects.filter(workshop=workshop).exists()


def test_export_then_import_into_a_new_session_gives_identical_results(
    organiser, source, make_workshop
):
    content = long_csv(organiser, source)
    target = make_workshop(city="Zwolle (import)", phase=Phase.CLOSED)
    response = organiser.post(
        f"/s/{target.code}/import/", {"file": io.BytesIO(content)}, format="multipart"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # Equal to the last digit but one: a mean summed in another order of participants may
    # differ in the 16th significant digit.
    assert rounded(results(target)) == {
        **rounded(results(source)),
        "participants": results(source)["respondents"],
    }
    assert_tallies_match_the_answers(target)
    # Row by row the same answers: participants, tables, seats, roles, sources, scores, times.
    drop = {"session", "city"}
    before = [
        {k: v for k, v in r.items() if k not in drop}
        for r in csv.DictReader(StringIO(content.decode("utf-8-sig")))
    ]
    after = [
        {k: v for k, v in r.items() if k not in drop}
        for r in csv.DictReader(StringIO(long_csv(organiser, target).decode("utf-8-sig")))
    ]
    assert after == before
    # Each participant's element scores too (the participant who answered nothing is not in
    # a file of answers).
    keep = [r for r in wide_rows(organiser, source) if r["n_answered"] != "0"]
    assert [
        {k: v for k, v in r.items() if k not in drop} for r in wide_rows(organiser, target)
    ] == [{k: v for k, v in r.items() if k not in drop} for r in keep]
    assert Participant.objects.filter(workshop=target, source=Source.PAPER).count() == 1


def test_the_command_imports_a_workbook_and_reports_problems(
    organiser, source, make_workshop, tmp_path
):
    rows = list(csv.reader(StringIO(long_csv(organiser, source).decode("utf-8-sig"))))
    wb = Workbook()
    ws = wb.active
    ws.title = "lang"
    for row in rows:
        ws.append([int(v) if v.isdigit() and len(v) < 4 else v for v in row])
    path = tmp_path / "zwolle.xlsx"
    wb.save(path)
    target = make_workshop(city="Kampen")
    out = StringIO()
    call_command("importanswers", target.code, str(path), stdout=out)
    assert f"{len(rows) - 1} answers of 5 participants imported" in out.getvalue()
    assert rounded(results(target)["elements"]) == rounded(results(source)["elements"])

    # A wrong row: the command lists it by row and column and stores nothing.
    ws.cell(row=5, column=rows[0].index("score") + 1, value="\uff17")
    ws.cell(row=9, column=rows[0].index("statement") + 1, value="kennis-99")
    wb.save(path)
    other = make_workshop(city="Meppel")
    err = StringIO()
    with pytest.raises(CommandError, match="2 problems"):
        call_command("importanswers", other.code, str(path), stdout=StringIO(), stderr=err)
    assert "row 5, column score: " in err.getvalue()
    assert "row 9, column statement: " in err.getvalue()
    assert stored(other)[:3] == (0, 0, 0)


HEADER = "participant,table,seat,role,source,statement,score,dont_know\n"


@pytest.mark.parametrize(
    ("body", "row", "column"),
    [
        ("T1·P1,1,1,,,kennis-1,\uff17,0\n", 2, "score"),
        ("T1·P1,1,1,,,kennis-1,\u00b2,0\n", 2, "score"),
        ("T1·P1,1,1,,,kennis-1,1_0,0\n", 2, "score"),
        ("T1·P1,1,1,,,kennis-1,+3,0\n", 2, "score"),
        ("T1·P1,1,1,,,kennis-1,6,0\n", 2, "score"),
        ("T1·P1,1,1,,,kennis-1," + "9" * 5000 + ",0\n", 2, "score"),
        ("T1·P1,1,1,,,kennis-1,3,1\n", 2, "dont_know"),
        ("T1·P1,1,1,,,kennis-1,,0\n", 2, "score"),
        ("T1·P1,1,1,,,kennis-1,,2\n", 2, "dont_know"),
        ("T1\uffffP1,1,1,,,kennis-1,3,0\n", 2, "participant"),
        ("T1\x0bP1,1,1,,,kennis-1,3,0\n", 2, "participant"),
        ("\u200b\u200b,1,1,,,kennis-1,3,0\n", 2, "participant"),
        ("\u202eT1,1,1,,,kennis-1,3,0\n", 2, "participant"),
        ("T1·P1,\uff12,1,,,kennis-1,3,0\n", 2, "table"),
        ("T1·P1,99,1,,,kennis-1,3,0\n", 2, "table"),
        ("T1·P1,1,0,,,kennis-1,3,0\n", 2, "seat"),
        ("T1·P1,1,1,mayor,,kennis-1,3,0\n", 2, "role"),
        ("T1·P1,1,1,,tablet,kennis-1,3,0\n", 2, "source"),
        ("T1·P1,1,1,,,kennis-1,3,0\nT1·P1,1,1,,,kennis-1,4,0\n", 3, "statement"),
        ("T1·P1,1,1,,,kennis-1,3,0\nT1·P1,2,1,,,kennis-2,4,0\n", 3, "participant"),
        ("T1·P1,1,1,,,kennis-1,3,0\nT1·P2,1,1,,,kennis-2,4,0\n", 3, "seat"),
        ("T3·P1,3,1,,,kennis-1,3,0\n", 2, "table"),  # the target session has 2 tables
        ("T3·P1,3,1,,,kennis-1,\uff13,0\n", 2, "table"),  # reported beside the score
    ],
)
def test_hostile_rows_are_reported_by_row_and_column_and_nothing_is_stored(
    organiser, make_workshop, body, row, column
):
    target = make_workshop(city="Leeg", tables=2)
    # A good row first: it must not be stored either.
    content = (HEADER + "P9,,9,,,ruimte-1,2,0\n" + body).encode()
    row += 1
    before = stored(target)
    response = organiser.post(
        f"/s/{target.code}/import/", {"file": io.BytesIO(content)}, format="multipart"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "Er is niets geïmporteerd" in html
    assert f"<tr><td>{row}</td><td>{column}</td>" in html
    assert stored(target) == before


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe\x00g\x00a\x00r\x00b\x00a\x00g\x00e",
        b"PK\x03\x04not a zip at all",
        b"score;dont_know\n3;0\n",
        b"participant,participant,statement,score,dont_know\nA,A,kennis-1,3,0\n",
        HEADER.encode(),
        b"\x00" * 100,
    ],
)
def test_unreadable_files_give_a_message_never_a_500(organiser, make_workshop, content):
    target = make_workshop(city="Leeg")
    response = organiser.post(
        f"/s/{target.code}/import/", {"file": io.BytesIO(content)}, format="multipart"
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert stored(target)[:3] == (0, 0, 0)


def test_a_huge_file_is_refused_before_it_is_read(organiser, workshop):
    big = io.BytesIO(b"participant,statement,score,dont_know\n" + b"x" * (21 * 1024 * 1024))
    response = organiser.post(f"/s/{workshop.code}/import/", {"file": big}, format="multipart")
    assert response.status_code == 400
    assert "20 MB" in response.content.decode()


def test_semicolons_keys_with_underscores_and_seats_left_empty(organiser, make_workshop):
    target = make_workshop(city="Deventer")
    content = (
        "\ufeffparticipant;table;seat;statement;score;dont_know\n"
        "a;1;;kennis_1;4;0\na;1;;kennis_2;;1\nb;1;;kennis_1;2;\n"
    ).encode()
    summary = answers_import(workshop=target, name="x.csv", content=content)
    assert (summary.participants, summary.answers) == (2, 3)
    seats = sorted(Participant.objects.filter(workshop=target).values_list("seat", "source"))
    assert seats == [(1, "paper"), (2, "paper")]
    assert_tallies_match_the_answers(target)
    # The same file again: new participants, next seats, nothing overwritten.
    answers_import(workshop=target, name="x.csv", content=content)
    assert Participant.objects.filter(workshop=target).count() == 4
    with pytest.raises(ImportRefused):
        answers_import(workshop=target, name="x.csv", content=b"participant,statement\n")


def test_the_import_page_needs_the_organiser(client, workshop):
    response = client.post(f"/s/{workshop.code}/import/", {"file": io.BytesIO(b"x")})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Table.objects.filter(workshop=workshop).count() == 3
