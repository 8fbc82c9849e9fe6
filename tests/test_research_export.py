"""The analysis-ready files read back as R's read.csv or SPSS would: the long and wide CSV
with Python's csv module (every numeric column parses as a number, missing is empty), their
codebook as a file and as a workbook sheet, and the .sav files with pyreadstat."""

import csv
import datetime
import io
import re
import statistics
import tempfile
from io import StringIO

import pyreadstat
import pytest
from openpyxl import load_workbook

from accounts.services import consent_builtin, consent_text_store
from instrument.models import Statement
from sessions.models import Participant, Source
from survey.models import Answer
from survey.selectors import results_snapshot
from tests.test_export import fill

INT_LONG = ("instrument_version", "table", "seat", "score", "dont_know")
INT_WIDE = ("instrument_version", "table", "seat", "n_answered", "n_dont_know")


@pytest.fixture
def filled(workshop):
    people = fill(workshop)
    # One participant's answers were typed in from a paper form.
    Participant.objects.filter(pk=people[2].pk).update(source=Source.PAPER)
    return workshop


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(StringIO(response.content.decode("utf-8-sig"))))


def number(value: str, kind: type) -> int | float | None:
    """A cell as R reads a numeric column: a number, or NA when empty; anything else fails."""
    return None if value == "" else kind(value)


def test_long_csv_has_one_typed_row_per_answer(organiser, filled):
    rows = read_csv(organiser.get(f"/s/{filled.code}/answers.csv"))
    answers = {
        (a.participant.seat_label, a.statement.key): a
        for a in Answer.objects.filter(participant__workshop=filled).select_related(
            "participant__table", "statement__element"
        )
    }
    assert len(rows) == len(answers) > 100
    for row in rows:
        values = {name: number(row[name], int) for name in INT_LONG}
        assert datetime.date.fromisoformat(row["date"]) == filled.date
        datetime.datetime.fromisoformat(row["answered_at"])
        datetime.datetime.fromisoformat(row["changed_at"])
        answer = answers[(row["participant"], row["statement"])]
        assert (row["session"], row["city"]) == (filled.code, "Zwolle")
        assert row["element"] == answer.statement.element.key
        assert values["score"] == answer.score
        assert values["dont_know"] == (1 if answer.score is None else 0)
        assert values["seat"] == answer.participant.seat
        p = answer.participant
        assert values["table"] == (p.table.number if p.table else None)
        assert row["role"] == p.role
        assert row["source"] == p.source
    assert {r["source"] for r in rows} == {"phone", "paper"}
    assert "" in {r["table"] for r in rows}  # the participant without a table
    assert {r["score"] for r in rows} == {"1", "2", "3", "4", "5", ""}


def test_wide_csv_has_a_row_per_participant_and_their_element_scores(organiser, filled):
    rows = read_csv(organiser.get(f"/s/{filled.code}/wide.csv"))
    participants = list(Participant.objects.filter(workshop=filled).select_related("table"))
    assert [r["participant"] for r in rows] == [p.seat_label for p in participants]
    statements = list(
        Statement.objects.filter(element__instrument=filled.instrument)
        .select_related("element")
        .order_by("element__order", "order")
    )
    elements = list(filled.instrument.elements.order_by("order"))
    header = list(rows[0])
    assert header[-46:] == [s.key.replace("-", "_") for s in statements]
    assert header[-52:-46] == [f"score_{e.key}" for e in elements]
    for row, p in zip(rows, participants, strict=True):
        given = {a.statement_id: a.score for a in Answer.objects.filter(participant=p)}
        for name in INT_WIDE:
            number(row[name], int)
        assert number(row["n_answered"], int) == len(given)
        assert number(row["n_dont_know"], int) == sum(1 for v in given.values() if v is None)
        for s in statements:
            assert number(row[s.key.replace("-", "_")], int) == given.get(s.pk)
        for e in elements:
            own = [
                v
                for k, v in given.items()
                if v is not None and k in {s.pk for s in statements if s.element_id == e.pk}
            ]
            expected = statistics.mean(own) if own else None
            assert number(row[f"score_{e.key}"], float) == pytest.approx(expected, abs=1e-6)
    # The session's element scores are the means of the participants' element scores.
    live = {e["key"]: e["score"] for e in results_snapshot(workshop_id=filled.pk)["elements"]}
    for e in elements:
        own = [number(r[f"score_{e.key}"], float) for r in rows if r[f"score_{e.key}"]]
        assert statistics.mean(own) == pytest.approx(live[e.key], abs=1e-5)


def test_codebook_names_every_variable_with_its_values_and_labels(organiser, filled):
    codebook = read_csv(organiser.get(f"/s/{filled.code}/codebook.csv"))
    long = read_csv(organiser.get(f"/s/{filled.code}/answers.csv"))
    wide = read_csv(organiser.get(f"/s/{filled.code}/wide.csv"))
    assert list(codebook[0]) == [
        "bestand",
        "variabele",
        "betekenis",
        "type",
        "waarden en labels",
        "element",
        "in het lange bestand",
    ]
    long_vars = [r["variabele"] for r in codebook if r["bestand"].startswith("lang")]
    wide_vars = [r["variabele"] for r in codebook if r["bestand"].startswith("breed")]
    assert long_vars == list(long[0]) and wide_vars == list(wide[0])
    by_name = {(r["bestand"][:4], r["variabele"]): r for r in codebook}
    assert "1 = slecht ontwikkeld" in by_name[("lang", "score")]["waarden en labels"]
    assert "5 = goed ontwikkeld" in by_name[("lang", "score")]["waarden en labels"]
    assert "policy (2) = Beleidsmaker" in by_name[("lang", "role")]["waarden en labels"]
    assert (
        "paper (2) = ingevoerd van papieren formulier"
        in by_name[("lang", "source")]["waarden en labels"]
    )
    assert by_name[("bree", "kennis_1")]["betekenis"].startswith("Talentvolle Arbeidskrachten: ")
    # The same codebook is a sheet of the workbook.
    workbook = load_workbook(io.BytesIO(organiser.get(f"/s/{filled.code}/export.xlsx").content))
    sheet = list(workbook["codeboek"].iter_rows(values_only=True))
    assert [tuple(v or "" for v in r) for r in sheet[1:]] == [tuple(r.values()) for r in codebook]


def test_english_codebook(organiser, filled):
    organiser.cookies["django_language"] = "en"
    codebook = read_csv(organiser.get(f"/s/{filled.code}/codebook.csv"))
    assert list(codebook[0]) == [
        "file",
        "variable",
        "meaning",
        "type",
        "values and labels",
        "element",
        "in the long file",
    ]
    score = next(r for r in codebook if r["variable"] == "score")
    assert "1 = poorly developed" in score["values and labels"]


@pytest.mark.parametrize("kind", ["long", "wide"])
def test_spss_files_carry_labels_and_the_same_values(organiser, filled, kind):
    response = organiser.get(f"/s/{filled.code}/{kind}.sav")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{kind}.sav"')
    with tempfile.NamedTemporaryFile(suffix=".sav") as f:
        f.write(response.content)
        f.flush()
        frame, meta = pyreadstat.read_sav(f.name, user_missing=True)
    csv_rows = read_csv(
        organiser.get(f"/s/{filled.code}/{'answers' if kind == 'long' else 'wide'}.csv")
    )
    assert list(frame.columns) == list(csv_rows[0])
    assert len(frame) == len(csv_rows)
    assert meta.column_names_to_labels["seat"].startswith("plek aan de tafel")
    assert meta.variable_value_labels["source"] == {
        1.0: "telefoon",
        2.0: "ingevoerd van papieren formulier",
    }
    if kind == "long":
        assert meta.variable_value_labels["score"][1.0] == "slecht ontwikkeld"
        for (_i, row), source in zip(frame.iterrows(), csv_rows, strict=True):
            expected = number(source["score"], int)
            assert (row["score"] if row["score"] == row["score"] else None) == expected
    else:
        labels = meta.variable_value_labels["kennis_1"]
        assert labels[9.0] == "weet ik niet"
        assert meta.missing_ranges["kennis_1"] == [{"lo": 9.0, "hi": 9.0}]
        dont_know = Answer.objects.filter(participant__workshop=filled, score__isnull=True)
        nines = sum(
            int((frame[c] == 9).sum()) for c in frame.columns if "_" in c and c[-1].isdigit()
        )
        assert nines == dont_know.count() > 0


@pytest.mark.parametrize("kind", ["long", "wide"])
def test_spss_shows_whole_numbers_as_whole_and_knows_each_variables_level(organiser, filled, kind):
    """SPSS showed every number as F8.2 ("1.00" for a score, "3.00" for a seat) with the
    level "unknown"; and the roles were 1-7 in the .sav, text codes in the CSV and codebook."""
    response = organiser.get(f"/s/{filled.code}/{kind}.sav")
    with tempfile.NamedTemporaryFile(suffix=".sav") as f:
        f.write(response.content)
        f.flush()
        _frame, meta = pyreadstat.read_sav(f.name, metadataonly=True)
    formats, levels = meta.original_variable_types, meta.variable_measure
    for name in ("table", "role", "source", "instrument_version"):
        assert formats[name] == "F2.0", name
        assert levels[name] == "nominal", name
    assert formats["seat"] == "F4.0"
    if kind == "long":
        assert (formats["score"], levels["score"]) == ("F2.0", "ordinal")
        assert (formats["dont_know"], levels["dont_know"]) == ("F2.0", "nominal")
    else:
        assert (formats["kennis_1"], levels["kennis_1"]) == ("F2.0", "ordinal")
        assert (formats["score_kennis"], levels["score_kennis"]) == ("F4.2", "scale")
        assert (formats["n_answered"], levels["n_answered"]) == ("F4.0", "scale")
    assert levels["city"] == "nominal"
    assert "unknown" not in levels.values()
    # One coding of roles: the codebook gives each text code its number in the .sav, and the
    # .sav's value label of that number is the codebook's label.
    codebook = read_csv(organiser.get(f"/s/{filled.code}/codebook.csv"))
    roles = next(r for r in codebook if r["variabele"] == "role")["waarden en labels"]
    role_labels = meta.variable_value_labels["role"]
    for number, label in role_labels.items():
        assert f"({int(number)}) = {label}" in roles


# --- the CSV for a spreadsheet -------------------------------------------------------------------

DUTCH_NUMBER = re.compile(r"-?[0-9]+(,[0-9]+)?")
ENGLISH_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def as_excel_reads(response, lang: str) -> list[list]:
    """The file as Excel in `lang`'s locale opens it with a double-click: UTF-8 after the
    byte-order mark, cells split on its list separator, a cell that is a number in its
    locale a number (Dutch: decimal comma, no thousands points here), anything else text."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    delimiter, number = (";", DUTCH_NUMBER) if lang == "nl" else (",", ENGLISH_NUMBER)
    rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))
    return [
        [float(c.replace(",", ".")) if number.fullmatch(c) else (c or None) for c in row]
        for row in rows
    ]


def test_dutch_excel_reads_the_spreadsheet_csv_as_the_workbook(organiser, filled):
    """answers.csv double-clicked in Dutch Excel put each row in column A and read the score
    3.625 as 3625; the spreadsheet CSV reads as the workbook does."""
    response = organiser.get(f"/s/{filled.code}/excel/wide.csv")
    disposition = response["Content-Disposition"]
    assert disposition.endswith(f'-{filled.code}-deelnemers-excel-nl.csv"'), disposition
    raw = response.content.decode("utf-8-sig")
    header, *rows = as_excel_reads(response, "nl")
    assert len(header) > 50 and all(len(r) == len(header) for r in rows)
    workbook = load_workbook(io.BytesIO(organiser.get(f"/s/{filled.code}/export.xlsx").content))
    sheet_header, *sheet_rows = list(workbook["deelnemers"].iter_rows(values_only=True))
    assert len(rows) == len(sheet_rows) == 6
    elements = list(filled.instrument.elements.order_by("order"))
    decimals = 0
    for row, sheet_row in zip(rows, sheet_rows, strict=True):
        mine = dict(zip(header, row, strict=True))
        theirs = dict(zip(sheet_header, sheet_row, strict=True))
        assert mine["participant"] == theirs["deelnemer"]
        assert mine["n_answered"] == theirs["aantal antwoorden"]
        assert mine["n_dont_know"] == theirs["aantal weet ik niet"]
        for e in elements:
            expected = theirs[f"elementscore {e.name_nl}"]
            if expected is None:
                assert mine[f"score_{e.key}"] is None
            else:
                assert mine[f"score_{e.key}"] == pytest.approx(expected, abs=1e-6)
                decimals += expected != int(expected)
    assert decimals > 10  # numbers with decimals were read, as numbers
    assert "." not in raw  # no decimal point anywhere (the wide file has no times)


def test_dutch_excel_reads_the_answers_as_the_workbooks_answers_sheet(organiser, filled):
    response = organiser.get(f"/s/{filled.code}/excel/answers.csv")
    assert response["Content-Disposition"].endswith('-antwoorden-excel-nl.csv"')
    header, *rows = as_excel_reads(response, "nl")
    workbook = load_workbook(io.BytesIO(organiser.get(f"/s/{filled.code}/export.xlsx").content))
    sheet_header, *sheet_rows = list(workbook["antwoorden"].iter_rows(values_only=True))
    score = sheet_header.index("score")
    expected = sorted(
        (r[0], r[2], None if r[score] == "weet ik niet" else float(r[score])) for r in sheet_rows
    )
    mine = sorted(
        (r[header.index("participant")], r[header.index("statement")], r[header.index("score")])
        for r in rows
    )
    assert mine == expected and len(mine) > 100
    assert {r[header.index("date")] for r in rows} == {filled.date.isoformat()}


def test_the_english_spreadsheet_csv_has_commas_and_points(organiser, filled):
    organiser.cookies["django_language"] = "en"
    response = organiser.get(f"/s/{filled.code}/excel/wide.csv")
    assert response["Content-Disposition"].endswith('-participants-excel-en.csv"')
    header, *rows = as_excel_reads(response, "en")
    # The same numbers as the Dutch file, whichever the page's language (?lang= chooses).
    dutch = organiser.get(f"/s/{filled.code}/excel/wide.csv?lang=nl")
    assert dutch["Content-Disposition"].endswith('-deelnemers-excel-nl.csv"')
    assert [header, *rows] == as_excel_reads(dutch, "nl")
    wide = read_csv(organiser.get(f"/s/{filled.code}/wide.csv"))
    assert [r[header.index("score_kennis")] for r in rows] == [
        number(r["score_kennis"], float) for r in wide
    ]


def test_the_export_page_offers_the_spreadsheet_csv_beside_the_r_and_spss_files(organiser, filled):
    page = organiser.get(f"/s/{filled.code}/organiser/").content.decode()
    for link in ("excel/answers.csv", "excel/wide.csv", "excel/wide.csv?lang=en"):
        assert f'href="/s/{filled.code}/{link}"' in page, link
    assert "Voor een spreadsheet: CSV voor Excel" in page and "Voor R, SPSS en Stata" in page
    excel, r_and_spss = f'"/s/{filled.code}/excel/answers.csv"', f'"/s/{filled.code}/answers.csv"'
    assert page.index("export.xlsx") < page.index(excel) < page.index(r_and_spss)


# --- the consent text's version -----------------------------------------------------------------


def test_every_research_file_carries_each_participants_consent_version(organiser, filled):
    """The workbook had the version of the consent text each phone agreed to; the R/SPSS CSVs,
    the spreadsheet CSVs and the .sav files did not. Two phones agreed to another text than
    the others; the paper form agreed on paper (empty)."""
    builtin = consent_builtin()
    own = consent_text_store(
        fields={
            "purpose_nl": "Voor het onderzoek in Zwolle.",
            "audience_nl": "Alleen de onderzoekers.",
            "retention_nl": "Een jaar.",
        }
    )
    assert own.version != builtin.version
    people = list(Participant.objects.filter(workshop=filled).order_by("pk"))
    for i, p in enumerate(people):
        if p.source == Source.PHONE:
            Participant.objects.filter(pk=p.pk).update(consent=own if i < 2 else builtin)
    expected = {p.seat_label: p.consent_id for p in Participant.objects.filter(workshop=filled)}
    assert set(expected.values()) == {own.version, builtin.version, None}

    long = read_csv(organiser.get(f"/s/{filled.code}/answers.csv"))
    wide = read_csv(organiser.get(f"/s/{filled.code}/wide.csv"))
    assert len(long) > 100 and len(wide) == len(expected)
    for row in long + wide:
        assert number(row["consent_version"], int) == expected[row["participant"]], row
    # In the files' order: after the source, with the rest of who answered.
    assert list(wide[0])[8:11] == ["source", "consent_version", "n_answered"]
    assert list(long[0])[8:11] == ["source", "consent_version", "element"]

    # Dutch Excel reads it as a number in the same column.
    for kind in ("answers", "wide"):
        header, *rows = as_excel_reads(organiser.get(f"/s/{filled.code}/excel/{kind}.csv"), "nl")
        column, who = header.index("consent_version"), header.index("participant")
        for row in rows:
            version = expected[row[who]]
            assert row[column] == (None if version is None else float(version)), kind
    # As the workbook's participants sheet has it.
    workbook = load_workbook(io.BytesIO(organiser.get(f"/s/{filled.code}/export.xlsx").content))
    sheet = list(workbook["deelnemers"].iter_rows(values_only=True))
    column = sheet[0].index("versie toestemmingstekst")
    assert {r[0]: r[column] for r in sheet[1:]} == expected

    # The .sav files: the same numbers, labelled, shown whole and nominal.
    for kind, rows in (("long", long), ("wide", wide)):
        response = organiser.get(f"/s/{filled.code}/{kind}.sav")
        with tempfile.NamedTemporaryFile(suffix=".sav") as f:
            f.write(response.content)
            f.flush()
            frame, meta = pyreadstat.read_sav(f.name)
        assert meta.column_names_to_labels["consent_version"].startswith(
            "versie van de toestemmingstekst waarmee"
        )
        assert meta.original_variable_types["consent_version"] == "F8.0"
        assert meta.variable_measure["consent_version"] == "nominal"
        read = [None if v != v else int(v) for v in frame["consent_version"]]
        assert read == [expected[r["participant"]] for r in rows], kind

    # The codebook says what it is, in both files, and what an empty cell means.
    codebook = read_csv(organiser.get(f"/s/{filled.code}/codebook.csv"))
    entries = [r for r in codebook if r["variabele"] == "consent_version"]
    assert [r["bestand"][:4] for r in entries] == ["lang", "bree"]
    for entry in entries:
        assert entry["betekenis"].startswith("versie van de toestemmingstekst waarmee")
        assert entry["type"] == "geheel getal"
        assert "leeg = niet op de telefoon gevraagd (papieren" in entry["waarden en labels"]
    organiser.cookies["django_language"] = "en"
    english = read_csv(organiser.get(f"/s/{filled.code}/codebook.csv"))
    entry = next(r for r in english if r["variable"] == "consent_version")
    assert entry["meaning"].startswith("version of the consent text the participant")
    assert "empty = not asked on a phone (paper" in entry["values and labels"]

    # The programme-wide long file stacks the same column.
    stacked = read_csv(organiser.get(f"/organiser/sessions/answers.csv?codes={filled.code}"))
    assert [number(r["consent_version"], int) for r in stacked] == [
        number(r["consent_version"], int) for r in long
    ]
