"""Answers imported from the export's own long format (CSV or workbook), by the organiser's
page and by the command: every problem listed by row and column, nothing stored when any row
is wrong, and export -> import into a new session gives identical results."""

import csv
import io
import zipfile
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook

from core.errors import Rejected
from exports.services import ImportRefused, answers_import
from instrument.models import Statement
from sessions.models import Participant, Phase, Source, Table, Workshop
from sessions.services import participant_join, workshop_update
from survey.aggregation import aggregate
from survey.models import Answer, ElementTally, ItemTally
from survey.selectors import instrument_specs, results_snapshot
from survey.services import answer_save, paper_form_save
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
    # To the last digit but one: a mean summed in another order may differ in the 16th.
    assert rounded(results_snapshot(workshop_id=workshop.pk)["elements"]) == rounded(
        aggregate(specs, answers)["elements"]
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


# --- bounds: a workbook is refused by what its zip directory announces ---------------------


def bomb(unpacked_mb: int) -> bytes:
    """A real workbook whose sharedStrings.xml unpacks to `unpacked_mb` MB of one string,
    compressing to well under a megabyte."""
    wb = Workbook()
    wb.active.append(["participant", "statement", "score", "dont_know"])
    wb.active.append(["x", "kennis-1", "3", "0"])
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for item in src.infolist():
            if item.filename != "xl/sharedStrings.xml":
                dst.writestr(item, src.read(item))
        with dst.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            member.write(b"<si><t>")
            chunk = b"a" * (1024 * 1024)
            for _i in range(unpacked_mb):
                member.write(chunk)
            member.write(b"</t></si></sst>")
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(
    organiser, workshop, monkeypatch
):
    content = bomb(64)
    assert len(content) < 1024 * 1024
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    response = organiser.post(
        f"/s/{workshop.code}/import/",
        {"file": io.BytesIO(content)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The workbook unpacks to 64 MB, more than an answers file of this session" in html
    assert "46 statements x 300 participants" in html
    assert stored(workshop)[:3] == (0, 0, 0)
    # In Dutch too.
    response = organiser.post(
        f"/s/{workshop.code}/import/", {"file": io.BytesIO(content)}, format="multipart"
    )
    assert "Uitgepakt is het werkboek 64 MB" in response.content.decode()


def test_rows_are_bounded_by_statements_times_the_sessions_cap(organiser, make_workshop):
    target = make_workshop(city="Klein", participant_cap=2)
    body = "".join(f"P{i},,,,,kennis-1,3,0\n" for i in range(1, 101))
    response = organiser.post(
        f"/s/{target.code}/import/",
        {"file": io.BytesIO((HEADER + body).encode())},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "More than 92 rows" in response.content.decode()
    assert stored(target)[:3] == (0, 0, 0)


# --- the participant cap: one rule for whatever adds participants --------------------------


def test_an_import_keeps_to_the_participant_cap_like_a_join_and_a_paper_form(
    organiser, make_workshop
):
    target = make_workshop(city="Vol", participant_cap=5)
    for _i in range(3):
        participant_join(workshop=target, table=None, role="")
    three = "".join(f"P{i},,,,,kennis-1,3,0\n" for i in range(10, 13))
    with pytest.raises(ImportRefused) as refused:
        answers_import(workshop=target, name="x.csv", content=(HEADER + three).encode())
    assert "at most 5 participants and has 3" in str(refused.value.problems)
    assert Participant.objects.filter(workshop=target).count() == 3
    two = "".join(f"P{i},,,,,kennis-1,3,0\n" for i in range(10, 12))
    answers_import(workshop=target, name="x.csv", content=(HEADER + two).encode())
    assert Participant.objects.filter(workshop=target).count() == 5
    # Full: a paper form and a further import are refused by the same rule.
    with pytest.raises(Rejected, match="full"):
        paper_form_save(workshop=target, scores={})
    with pytest.raises(ImportRefused):
        answers_import(workshop=target, name="x.csv", content=(HEADER + two[:20]).encode())
    assert Participant.objects.filter(workshop=target).count() == 5


# --- messages -------------------------------------------------------------------------------


def test_more_than_200_problems_says_how_many_more(organiser, workshop):
    body = "".join(f"P{i},,,,,kennis-1,9,0\n" for i in range(1, 251))
    response = organiser.post(
        f"/s/{workshop.code}/import/",
        {"file": io.BytesIO((HEADER + body).encode())},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "… and 50 more problems, not listed." in response.content.decode()


def test_a_duplicate_names_both_its_rows(workshop):
    content = HEADER + "A,,,,,kennis-1,3,0\nA,,,,,kennis-2,3,0\nA,,,,,kennis-1,4,0\n"
    with pytest.raises(ImportRefused) as refused:
        answers_import(workshop=workshop, name="x.csv", content=content.encode())
    [problem] = refused.value.problems
    assert problem.row == 4 and "2" in problem.message and "4" in problem.message


def test_a_windows_1252_file_with_semicolons_and_decimal_commas_is_read(workshop):
    content = (
        "participant;table;seat;role;source;statement;score;dont_know;answered_at\n"
        "Café Noord;1;;;papier;kennis-1;3,0;0;26-11-2026 14:05\n"
        "Café Noord;1;;;papier;kennis-2;;1;\n"
    ).encode("cp1252")
    summary = answers_import(workshop=workshop, name="x.csv", content=content)
    assert (summary.participants, summary.answers) == (1, 2)
    answer = Answer.objects.get(participant__workshop=workshop, statement__key="kennis-1")
    assert answer.score == 3
    assert answer.answered_at.isoformat() == "2026-11-26T13:05:00+00:00"


def test_a_bad_time_says_the_column_is_optional_and_the_command_names_the_file_not_row_0(
    workshop, tmp_path
):
    content = HEADER.strip() + ",answered_at\nA,,,,,kennis-1,3,0,yesterday\n"
    path = tmp_path / "x.csv"
    path.write_text(content)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("importanswers", workshop.code, str(path), stdout=StringIO(), stderr=err)
    assert "row 2, column answered_at: " in err.getvalue()
    assert "optional" in err.getvalue()
    path.write_bytes(b"\x81\x8d\x8f")  # not UTF-8, nor Windows-1252
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("importanswers", workshop.code, str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith("file: ") and "row 0" not in err.getvalue()


# --- every answers file the app writes imports back ----------------------------------------


def same_session(workshop: Workshop) -> dict:
    """results.json without what names the session itself."""
    snapshot = results_snapshot(workshop_id=workshop.pk)
    return rounded({k: v for k, v in snapshot.items() if k not in {"session", "city", "version"}})


def people(workshop: Workshop) -> list[tuple]:
    return sorted(
        Participant.objects.filter(workshop=workshop).values_list(
            "table__number", "seat", "role", "source"
        ),
        key=str,
    )


# The CSV sets: the answers, the participants (also those who never answered) and the
# session's metadata (the tables' focus), imported together.
CSV_SETS = {
    "csv": ("answers.csv", "wide.csv", "session.json"),
    "excel": ("excel/answers.csv", "excel/wide.csv", "session.json"),
}


@pytest.mark.parametrize(
    "kind",
    [
        "export.xlsx nl",
        "export.xlsx en",
        "answers.csv nl",
        "csv nl",
        "excel nl",
        "excel en",
    ],
)
def test_an_export_imported_into_a_new_session_is_the_same_session(
    organiser, workshop, make_workshop, kind, tmp_path
):
    # Partial answerers, don't-knows, a changed answer and one who never answered (fill), a
    # paper form, and a focus on two tables.
    fill(workshop)
    statements = list(
        Statement.objects.filter(element__instrument_id=workshop.instrument_id)
        .order_by("element__order", "order")
        .values_list("pk", flat=True)
    )
    paper_form_save(
        workshop=workshop,
        scores={statements[0]: 2, statements[1]: None, statements[40]: 5},
        table=Table.objects.get(workshop=workshop, number=2),
        role="civil",
    )
    workshop_update(
        workshop=workshop,
        city=workshop.city,
        title=workshop.title,
        date=workshop.date,
        tables=3,
        focus={1: "Haven", 3: "Zorg & welzijn"},
    )
    name, lang = kind.split()
    files = {}
    for path in CSV_SETS.get(name, (name,)):
        query = f"?lang={lang}" if path.startswith("excel/") else ""
        response = organiser.get(f"/s/{workshop.code}/{path}{query}", HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200
        files[path.replace("/", "-")] = response.content
    if name == "excel":  # what Dutch or English Excel opens: its separators
        first = files["excel-answers.csv"].decode("utf-8-sig").split("\r\n")[1]
        assert first.count(";" if lang == "nl" else ",") >= 14
    target = make_workshop(city="Zwolle (terug)")
    if lang == "en":  # the command, and the page
        paths = []
        for file_name, content in files.items():
            paths.append(tmp_path / file_name)
            paths[-1].write_bytes(content)
        call_command("importanswers", target.code, *map(str, paths), stdout=StringIO())
    else:
        response = organiser.post(
            f"/s/{target.code}/import/",
            {"file": [SimpleUploadedFile(n, c) for n, c in files.items()]},
            format="multipart",
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    assert_tallies_match_the_answers(target)
    before, after = same_session(workshop), same_session(target)
    if name == "answers.csv":
        # A file of answers has no row for who never answered, nor the tables' focus.
        assert after == {**before, "participants": before["respondents"]}
        return
    assert after == before
    assert people(target) == people(workshop)
    focus = Table.objects.order_by("number").values_list("number", "focus")
    assert list(focus.filter(workshop=target)) == list(focus.filter(workshop=workshop))
    # And the answers themselves, scores and times, row by row.
    assert long_csv(organiser, target).split(b"\n")[1:] == [
        line.replace(workshop.code.encode(), target.code.encode()).replace(
            b"Zwolle", b"Zwolle (terug)"
        )
        for line in long_csv(organiser, workshop).split(b"\n")[1:]
    ]


# --- an import beside phones answering ------------------------------------------------------


def test_an_import_beside_taps_of_its_session_deadlocks_nothing(transactional_db, make_workshop):
    """Two phones tap the session (and one another session) all through an import of 150
    participants: every tap and the import are stored, and the tallies hold them all. The
    import used to lock the session's row first and its tallies last, the reverse of a tap:
    PostgreSQL broke the deadlock by failing one of them."""
    import threading

    from django.db import connection

    target, other = make_workshop(city="Druk"), make_workshop(city="Elders")
    phones = [participant_join(workshop=w, table=None, role="") for w in (target, target, other)]
    statements = list(
        Statement.objects.filter(element__instrument_id=target.instrument_id)
        .order_by("element__order", "order")
        .values_list("pk", "key")
    )
    body = "".join(
        f"imp{i},,,,,{key},{(i + j) % 5 + 1},0\n"
        for i in range(150)
        for j, (_pk, key) in enumerate(statements)
    )
    content = (HEADER + body).encode()
    started, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    taps = [0, 0, 0]

    def tap(index: int) -> None:
        try:
            phone = Participant.objects.select_related("workshop").get(pk=phones[index].pk)
            n = 0
            while not done.is_set() or n < 20:
                statement_id = statements[n % len(statements)][0]
                answer_save(participant=phone, statement_id=statement_id, score=n % 5 + 1)
                n += 1
                started.set()
            taps[index] = n
        except BaseException as exc:
            errors.append(exc)
            started.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    started.wait(30)
    try:
        summary = answers_import(workshop=target, name="x.csv", content=content)
    finally:
        done.set()
        for t in threads:
            t.join(60)
    assert errors == []
    assert (summary.participants, summary.answers) == (150, 150 * len(statements))
    assert all(n >= 20 for n in taps)
    assert Participant.objects.filter(workshop=target).count() == 152
    assert_tallies_match_the_answers(target)
    assert_tallies_match_the_answers(other)


# --- the session file beside the CSVs: hostile metadata --------------------------------------


@pytest.mark.parametrize(
    "metadata",
    [
        b'{"tables": [{"number": 1, "focus": "Haven\\uffff"}]}',
        b'{"tables": [{"number": 1, "focus": "\\u200b\\u202e"}]}',
        b'{"tables": [{"number": 99999999999999999999999, "focus": "Haven"}]}',
        b'{"tables": [{"number": "\\uff12", "focus": "Haven"}]}',
        b'{"tables": [{"number": true, "focus": "Haven"}]}',
        b'{"tables": [{"number": 9, "focus": "Haven"}]}',
        b'{"tables": "1_0"}',
        b"[" * 100_000 + b"]" * 100_000,
        b"{not json",
    ],
)
def test_a_hostile_session_file_is_refused_with_a_message_and_nothing_stored(
    organiser, make_workshop, metadata
):
    target = make_workshop(city="Leeg", tables=2)
    answers = (HEADER + "P9,,9,,,ruimte-1,2,0\n").encode()
    files = [SimpleUploadedFile("answers.csv", answers), SimpleUploadedFile("s.json", metadata)]
    for _ in range(2):  # the same request twice
        response = organiser.post(f"/s/{target.code}/import/", {"file": files}, format="multipart")
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
        assert stored(target)[:3] == (0, 0, 0)
        for file in files:
            file.seek(0)
    assert list(Table.objects.filter(workshop=target).values_list("focus", flat=True)) == ["", ""]


def test_two_answers_files_or_four_files_are_refused(organiser, make_workshop):
    target = make_workshop(city="Leeg", tables=2)
    answers = (HEADER + "P9,,9,,,ruimte-1,2,0\n").encode()
    for count in (2, 4):
        files = [SimpleUploadedFile(f"a{i}.csv", answers) for i in range(count)]
        response = organiser.post(f"/s/{target.code}/import/", {"file": files}, format="multipart")
        assert response.status_code == 400
        assert stored(target)[:3] == (0, 0, 0)
