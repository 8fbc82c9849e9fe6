"""The research files of several sessions together (a programme's): every answer in one long
file (CSV, .sav, .dta), read back with pandas and pyreadstat, equals the sessions' own files
stacked; the element scores per session by the three methods; the programme's page links them."""

import html
import io
import re

import pandas as pd
import pyreadstat
import pytest

from profiles.models import Programme
from survey.selectors import results_snapshot
from tests.test_export import fill


@pytest.fixture
def two(make_workshop):
    zwolle = make_workshop(city="Zwolle")
    fill(zwolle, participants=6)
    deventer = make_workshop(city="Deventer", tables=2)
    fill(deventer, participants=4, offset=1)
    return zwolle, deventer


def get(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content


def test_the_programme_files_are_the_sessions_files_stacked(organiser, two, tmp_path):
    codes = ",".join(w.code for w in two)
    pooled = pd.read_csv(
        io.BytesIO(get(organiser, f"/organiser/sessions/answers.csv?codes={codes}"))
    )
    stacked = pd.concat(
        [pd.read_csv(io.BytesIO(get(organiser, f"/s/{w.code}/answers.csv"))) for w in two],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(pooled, stacked)
    assert list(pooled["city"].unique()) == ["Zwolle", "Deventer"]
    assert pooled[["date", "instrument_version"]].notna().all().all()

    for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        path = tmp_path / f"pooled.{fmt}"
        path.write_bytes(get(organiser, f"/organiser/sessions/answers.{fmt}?codes={codes}"))
        pooled_frame, meta = read(str(path))
        frames = []
        for w in two:
            one = tmp_path / f"{w.code}.{fmt}"
            one.write_bytes(get(organiser, f"/s/{w.code}/long.{fmt}"))
            frames.append(read(str(one))[0])
        pd.testing.assert_frame_equal(pooled_frame, pd.concat(frames, ignore_index=True))
        assert meta.variable_value_labels["source"] == {
            1: "telefoon",
            2: "ingevoerd van papieren formulier",
        }
        assert len(pooled_frame) == len(pooled)


def test_the_programme_elements_give_the_three_methods_per_session(organiser, two):
    codes = ",".join(w.code for w in two)
    rows = pd.read_csv(
        io.BytesIO(get(organiser, f"/organiser/sessions/elements.csv?codes={codes}"))
    )
    for workshop in two:
        snapshot = results_snapshot(workshop_id=workshop.pk)
        mine = rows[rows["session"] == workshop.code]
        assert list(mine["element"]) == [e["key"] for e in snapshot["elements"]]
        for (_, row), element in zip(mine.iterrows(), snapshot["elements"], strict=True):
            assert row["method"] == "participant_mean"
            assert row["score"] == pytest.approx(element["score"], abs=1e-12)
            assert row["n"] == element["n"]
            assert row["ci95_low"] < row["score"] < row["ci95_high"]
            assert 1 <= row["answer_mean"] <= 5 and 1 <= row["item_mean"] <= 5
    codebook = pd.read_csv(
        io.BytesIO(get(organiser, f"/organiser/sessions/codebook.csv?codes={codes}"))
    )
    assert {"city", "date", "instrument_version", "answer_mean", "item_mean"} <= set(
        codebook["variabele"]
    )


def test_the_programme_page_links_its_sessions_files(organiser, two):
    programme = Programme.objects.create(name="Vijf steden")
    programme.workshops.set(two)
    page = get(organiser, f"/organiser/programmes/{programme.pk}/").decode()
    assert "Elementscores per sessie: drie methoden, n, sd en 95%-interval (CSV)" in page
    links = [html.unescape(u) for u in re.findall(r'href="(/organiser/sessions/[^"]+)"', page)]
    assert len(links) == 5
    for link in links:
        assert set(link.split("codes=")[1].split("%2C")) == {w.code for w in two}
        assert organiser.get(link).status_code == 200


@pytest.mark.parametrize(
    "query", ["", "?codes=", "?codes=%EF%BC%92", "?codes=NOPE99", "?codes=A%00B"]
)
def test_odd_codes_get_a_message_not_a_500(organiser, query):
    response = organiser.get(f"/organiser/sessions/answers.csv{query}")
    assert response.status_code in (400, 404)


def test_the_programme_files_need_the_organiser(client, two):
    response = client.get(f"/organiser/sessions/answers.csv?codes={two[0].code}")
    assert response.status_code == 302
