"""The codebook a colleague can use without asking: each statement's element in its own
column, how a wide variable is found in the long file, the element score's formula, the
session's metadata as JSON, one bilingual (nl/en) dictionary, and Stata .dta files beside the
.sav with the same values and labels."""

import csv
import io

import pyreadstat
import pytest

from sessions.services import workshop_update
from survey.models import Answer
from tests.test_export import fill


@pytest.fixture
def filled(workshop):
    fill(workshop)
    workshop_update(
        workshop=workshop,
        city=workshop.city,
        title="Ecosysteemdialoog",
        date=workshop.date,
        tables=3,
        focus={2: "Haven"},
    )
    return workshop


def rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_codebook_gives_each_statements_element_and_where_it_is_in_the_long_file(
    organiser, filled
):
    codebook = rows(organiser.get(f"/s/{filled.code}/codebook.csv").content)
    by_name = {(r["bestand"].split()[0], r["variabele"]): r for r in codebook}
    kennis_1 = by_name[("breed", "kennis_1")]
    assert kennis_1["element"] == "kennis"
    assert 'statement = "kennis-1"' in kennis_1["in het lange bestand"]
    assert by_name[("breed", "ruimte_1")]["element"] == "ruimte"
    score = by_name[("breed", "score_kennis")]
    assert score["element"] == "kennis"
    assert 'element = "kennis" en dont_know = 0' in score["in het lange bestand"]
    assert (
        "kennis-1 heet in het brede bestand kennis_1"
        in by_name[("lang", "statement")]["in het lange bestand"]
    )
    # The formula of the session's element score, and the other two methods.
    assert (
        "gemiddelde over de deelnemers van ieders eigen gemiddelde"
        in (by_name[("elementscore", "participant_mean")]["betekenis"])
    )


def test_one_bilingual_dictionary(organiser, filled):
    dictionary = rows(organiser.get(f"/s/{filled.code}/dictionary.csv").content)
    codebook = rows(organiser.get(f"/s/{filled.code}/codebook.csv").content)
    assert [r["variable"] for r in dictionary] == [r["variabele"] for r in codebook]
    score = next(r for r in dictionary if r["variable"] == "score")
    assert score["meaning_nl"] == "antwoord op de stelling, 1-5"
    assert score["meaning_en"] == "answer to the statement, 1-5"
    assert "1 = slecht ontwikkeld" in score["values_nl"]
    assert "1 = poorly developed" in score["values_en"]
    kennis_1 = next(r for r in dictionary if r["variable"] == "kennis_1")
    assert kennis_1["element"] == "kennis" and kennis_1["meaning_nl"] != kennis_1["meaning_en"]
    assert all(r["meaning_nl"] and r["meaning_en"] for r in dictionary)


def test_the_sessions_metadata_as_json(organiser, filled):
    metadata = organiser.get(f"/s/{filled.code}/session.json").json()
    assert metadata["title"] == "Ecosysteemdialoog"
    assert (metadata["city"], metadata["date"]) == (filled.city, filled.date.isoformat())
    assert metadata["instrument"]["version"] == filled.instrument.version
    assert metadata["tables"] == [
        {"number": 1, "focus": ""},
        {"number": 2, "focus": "Haven"},
        {"number": 3, "focus": ""},
    ]
    assert metadata["participants"] == 6 and metadata["respondents"] == 5
    first = metadata["statements"][0]
    assert first == {
        "statement": "kennis-1",
        "variable": "kennis_1",
        "element": "kennis",
        "element_variable": "score_kennis",
    }


@pytest.mark.parametrize("kind", ["long", "wide"])
def test_stata_files_beside_the_spss_files(organiser, filled, kind, tmp_path):
    sav, dta = tmp_path / "x.sav", tmp_path / "x.dta"
    sav.write_bytes(organiser.get(f"/s/{filled.code}/{kind}.sav").content)
    response = organiser.get(f"/s/{filled.code}/{kind}.dta")
    assert response["Content-Disposition"].endswith(f'.{kind}.dta"')
    dta.write_bytes(response.content)
    spss, spss_meta = pyreadstat.read_sav(str(sav))
    stata, meta = pyreadstat.read_dta(str(dta))
    assert list(stata.columns) == list(spss.columns)
    # The same values, don't know missing in both (9 declared missing in SPSS, .a in Stata).
    numeric = [c for c in spss.columns if spss[c].dtype.kind == "f"]
    assert stata[numeric].fillna(-1).values.tolist() == spss[numeric].fillna(-1).values.tolist()
    assert meta.variable_value_labels["source"] == {
        1: "telefoon",
        2: "ingevoerd van papieren formulier",
    }
    assert meta.column_names_to_labels["seat"] == spss_meta.column_names_to_labels["seat"]
    if kind == "wide":
        _frame, kept = pyreadstat.read_dta(str(dta), user_missing=True)
        assert kept.variable_value_labels["kennis_1"]["a"] == "weet ik niet"
        letters = sum(int((_frame[c] == "a").sum()) for c in kept.missing_user_values)
        dont_know = Answer.objects.filter(participant__workshop=filled, score__isnull=True)
        assert letters == dont_know.count() > 0
    else:
        assert meta.variable_value_labels["score"][1] == "slecht ontwikkeld"


def test_every_new_file_opens_with_typed_text_that_looks_like_a_formula(
    organiser, workshop, tmp_path
):
    import json

    from openpyxl import load_workbook

    fill(workshop)
    workshop_update(
        workshop=workshop,
        city='=HYPERLINK("http://x")',
        title='<b>Zwolle</b> & "quotes"',
        date=workshop.date,
        tables=3,
        focus={1: "=1+1", 2: "@Haven <script>"},
    )
    code = workshop.code
    wb = load_workbook(io.BytesIO(organiser.get(f"/s/{code}/export.xlsx").content))
    labels = {row[3] for row in wb["uitsplitsing"].iter_rows(values_only=True)}
    assert "'=1+1" in labels or "=1+1" in labels
    assert all(not str(c.value).startswith("=") or c.data_type != "f"
               for row in wb["uitsplitsing"].iter_rows() for c in row)  # fmt: skip
    metadata = json.loads(organiser.get(f"/s/{code}/session.json").content)
    assert metadata["tables"][0]["focus"] == "=1+1"
    page = organiser.get(f"/s/{code}/breakdowns/").content.decode()
    assert "&lt;script&gt;" in page and "<script>" not in page.split("<main", 1)[1]
    for path in ("breakdowns.csv", "dictionary.csv", "long.dta", "wide.dta"):
        assert organiser.get(f"/s/{code}/{path}").status_code == 200
    dta = tmp_path / "x.dta"
    dta.write_bytes(organiser.get(f"/s/{code}/long.dta").content)
    frame, _meta = pyreadstat.read_dta(str(dta))
    assert set(frame["city"]) == {'=HYPERLINK("http://x")'}
    response = organiser.get(f"/organiser/sessions/answers.dta?codes={code},{code}")
    assert response.status_code == 200
