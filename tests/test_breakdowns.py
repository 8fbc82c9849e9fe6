"""Element scores with their spread (n, SD, Student's t 95% interval), for the session and per
table, role, source and table focus: against a hand computation, and the same numbers in the
workbook's sheet, the CSV and the organiser's page."""

import csv
import datetime
import io
import math

import pyreadstat
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from exports.breakdowns import VARIABLES, breakdown_rows
from exports.data import ElementData, ParticipantData, SessionData, StatementData
from exports.statistics import spread, t_quantile
from survey.selectors import results_snapshot
from tests.test_export import fill

T = datetime.datetime(2026, 11, 26, 14, 0, tzinfo=datetime.UTC)


def person(pid: int, table: int | None, role: str, source: str) -> ParticipantData:
    return ParticipantData(
        participant_id=pid,
        seat_label=f"T{table}·P{pid}",
        table=table,
        seat=pid,
        role=role,
        joined_at=T,
        role_code=role,
        source=source,
    )


def statement(sid: int, key: str) -> StatementData:
    return StatementData(statement_id=sid, key=key, label=key, text=key)


# A: table 1, policy, phone: kennis 4 and 2 (own mean 3), netwerk 5
# B: table 1, finance, paper: kennis 5 and don't know (own mean 5), netwerk 1
# C: table 2, policy, phone: kennis 1 and 3 (own mean 2), netwerk none
# D: table 2, no role, phone: joined, never answered
EXAMPLE = SessionData(
    code="HAND01",
    city="Zwolle",
    date=datetime.date(2026, 11, 26),
    title="",
    instrument="Scentiss",
    instrument_version=2,
    phase="",
    elements=(
        ElementData("kennis", "Kennis", (statement(1, "kennis-1"), statement(2, "kennis-2"))),
        ElementData("netwerk", "Netwerk", (statement(3, "netwerk-1"),)),
    ),
    participants=(
        person(10, 1, "policy", "phone"),
        person(11, 1, "finance", "paper"),
        person(12, 2, "policy", "phone"),
        person(13, 2, "", "phone"),
    ),
    answers=[
        (10, 1, 4, T, T),
        (10, 2, 2, T, T),
        (10, 3, 5, T, T),
        (11, 1, 5, T, T),
        (11, 2, None, T, T),
        (11, 3, 1, T, T),
        (12, 1, 1, T, T),
        (12, 2, 3, T, T),
    ],
    table_focus={1: "Haven"},
    roles=(("policy", "Beleid"), ("finance", "Financiering")),
    tables=(1, 2),
)


def test_students_t_quantiles_are_the_tables():
    # Published two-sided 95% values of Student's t.
    for df, value in [(1, 12.7062047), (2, 4.3026527), (10, 2.2281389), (30, 2.0422725)]:
        assert t_quantile(0.975, df) == pytest.approx(value, abs=1e-7)


def test_the_breakdowns_equal_a_hand_computation():
    rows = {(r.group, r.value, r.element): r.spread for r in breakdown_rows(data=EXAMPLE)}
    # The session, kennis: own means 3, 5, 2 -> mean 10/3; SD sqrt(((1/3)^2 + (5/3)^2 +
    # (4/3)^2) / 2) = sqrt(7/3); half-width t(0.975, 2) * SD / sqrt(3).
    s = rows[("session", None, "kennis")]
    assert (s.n, s.mean, s.sd) == (3, pytest.approx(10 / 3), pytest.approx(math.sqrt(7 / 3)))
    half = 4.30265273 * math.sqrt(7 / 3) / math.sqrt(3)
    assert (s.ci_low, s.ci_high) == (
        pytest.approx(10 / 3 - half, abs=1e-7),
        pytest.approx(10 / 3 + half, abs=1e-7),
    )
    # netwerk: 5 and 1 -> mean 3, SD sqrt(8), half-width 12.7062047 * sqrt(8) / sqrt(2).
    s = rows[("session", None, "netwerk")]
    assert (s.n, s.mean, s.sd) == (2, 3, pytest.approx(math.sqrt(8)))
    assert s.ci_low == pytest.approx(3 - 2 * 12.7062047, abs=1e-6)
    # Table 1 (A, B): kennis 3 and 5; table 2 (C, D): kennis 2 alone, no SD; netwerk none.
    s = rows[("table", 1, "kennis")]
    assert (s.n, s.mean, s.sd) == (2, 4, pytest.approx(math.sqrt(2)))
    assert (s.ci_low, s.ci_high) == (pytest.approx(4 - 12.7062047, abs=1e-6),
                                     pytest.approx(4 + 12.7062047, abs=1e-6))  # fmt: skip
    assert rows[("table", 2, "kennis")] == spread([2.0])
    assert rows[("table", 2, "kennis")].sd is None
    assert rows[("table", 2, "netwerk")].n == 0 and rows[("table", 2, "netwerk")].mean is None
    # Role policy (A, C): kennis 3 and 2 -> 2.5, SD sqrt(0.5); finance (B): 5.
    s = rows[("role", "policy", "kennis")]
    assert (s.n, s.mean, s.sd) == (2, 2.5, pytest.approx(math.sqrt(0.5)))
    assert rows[("role", "finance", "kennis")].mean == 5
    assert ("role", None, "kennis") not in rows  # D, without a role, answered nothing
    # Source: paper (B) kennis 5; phone (A, C) 2.5.
    assert rows[("source", "paper", "kennis")].mean == 5
    assert rows[("source", "phone", "kennis")].mean == 2.5
    # Focus: Haven (table 1: A, B) and no focus (table 2: C).
    assert rows[("focus", "Haven", "netwerk")].mean == 3
    assert rows[("focus", None, "kennis")].mean == 2


def test_the_workbook_csv_and_page_show_the_same_spread(organiser, workshop):
    fill(workshop, participants=9)
    snapshot = results_snapshot(workshop_id=workshop.pk)
    wb = load_workbook(io.BytesIO(organiser.get(f"/s/{workshop.code}/export.xlsx").content))
    sheet = list(wb["uitsplitsing"].iter_rows(values_only=True))
    assert sheet[0] == VARIABLES
    text = organiser.get(f"/s/{workshop.code}/breakdowns.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(sheet) - 1
    session = [r for r in rows if r["group"] == "session"]
    for row, cells, element in zip(session, sheet[1:], snapshot["elements"], strict=False):
        # The session's row is the live score, with its n.
        assert float(row["mean"]) == pytest.approx(element["score"], abs=1e-12)
        assert int(row["n"]) == element["n"] == cells[6]
        assert cells[7] == pytest.approx(element["score"], abs=1e-12)
        assert float(row["ci95_low"]) < element["score"] < float(row["ci95_high"])
        assert row["method"] == "participant_mean"
    assert {r["group"] for r in rows} == {"session", "table", "role", "source"}
    page = organiser.get(f"/s/{workshop.code}/breakdowns/")
    assert page.status_code == 200
    html = page.content.decode()
    first = snapshot["elements"][0]["score"]
    assert f"{first:.2f}".replace(".", ",") in html  # Dutch decimal comma
    assert 'id="breakdown-table"' in html and 'id="breakdown-role"' in html
    assert "95%-betrouwbaarheidsinterval" in html and '<th scope="col">95%-interval</th>' in html
    console = organiser.get(reverse("organiser-session", args=[workshop.code])).content.decode()
    assert "standaardafwijking en 95%-interval van elke elementscore" in console
    assert "Uitsplitsing: elementscores met n, sd en 95%-interval" in console
    # The codebook names every variable of the breakdowns.
    codebook = organiser.get(f"/s/{workshop.code}/codebook.csv").content.decode("utf-8-sig")
    described = {r[1] for r in csv.reader(io.StringIO(codebook))}
    assert set(VARIABLES) <= described


def test_the_page_needs_the_organiser(client, workshop):
    for path in ("breakdowns/", "breakdowns.csv", "session.json"):
        response = client.get(f"/s/{workshop.code}/{path}")
        assert response.status_code == 302 and "/login" in response["Location"]


# --- the element score's method, named, with the other two beside it ----------------------


def test_the_codebooks_worked_example_is_what_the_three_methods_give():
    from exports.research import METHOD_TEXT, WORKED_EXAMPLE
    from exports.statistics import element_methods

    ids = {"kennis-1": 1, "kennis-2": 2}
    answers = [
        (person_index, ids[key], score)
        for person_index, given in enumerate(WORKED_EXAMPLE.values())
        for key, score in given.items()
    ]
    methods = element_methods(answers, {1: "kennis", 2: "kennis"}, ["kennis"])["kennis"]
    assert methods == {
        "participant_mean": pytest.approx(10 / 3),
        "answer_mean": pytest.approx(3.0),
        "item_mean": pytest.approx((10 / 3 + 2.5) / 2),
    }
    for lang, decimal in (("nl", ","), ("en", ".")):
        texts = METHOD_TEXT[lang]["methods"]
        for method, value in methods.items():
            # The example's result, as the codebook writes it at the end of its line.
            assert texts[method][1].endswith(f"= {value:.2f}".replace(".", decimal)), method
    # The example in the text is the data the test computed from.
    example = METHOD_TEXT["en"]["example"][1]
    assert "A answers kennis-1 4 and kennis-2 2; B kennis-1 5 and kennis-2 don't know" in example


def test_every_export_names_the_method_and_gives_the_other_two(organiser, workshop, tmp_path):
    fill(workshop, participants=7)
    wb = load_workbook(io.BytesIO(organiser.get(f"/s/{workshop.code}/export.xlsx").content))
    facts = dict(wb["sessie"].iter_rows(values_only=True))
    assert facts["methode van de elementscore"].startswith("participant_mean")
    header, *rows = list(wb["elementen"].iter_rows(values_only=True))
    snapshot = results_snapshot(workshop_id=workshop.pk)
    for row, element in zip(rows, snapshot["elements"], strict=True):
        cells = dict(zip(header, row, strict=True))
        assert cells["methode van de score"] == "participant_mean"
        answers = [s for item in element["items"] for s, c in enumerate(item["counts"], 1)
                   for _ in range(c)]  # fmt: skip
        assert cells["gemiddelde van alle antwoorden (answer_mean)"] == pytest.approx(
            sum(answers) / len(answers)
        )
        means = [item["mean"] for item in element["items"] if item["mean"] is not None]
        assert cells["gemiddelde van de stellingen (item_mean)"] == pytest.approx(
            sum(means) / len(means)
        )
    metadata = organiser.get(f"/s/{workshop.code}/session.json").json()
    assert metadata["element_score"]["method"] == "participant_mean"
    kennis = metadata["element_score"]["elements"]["kennis"]
    assert kennis["participant_mean"] == pytest.approx(snapshot["elements"][0]["score"])
    codebook = organiser.get(f"/s/{workshop.code}/codebook.csv").content.decode("utf-8-sig")
    assert {"participant_mean", "answer_mean", "item_mean"} <= {
        r[1] for r in csv.reader(io.StringIO(codebook))
    }
    path = tmp_path / "wide.sav"
    path.write_bytes(organiser.get(f"/s/{workshop.code}/wide.sav").content)
    _frame, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert "participant_mean" in meta.file_label
