"""Paper forms typed in by the organiser or a table's chair: one transaction per form, the
participant marked as entered from paper in every export, hostile input refused with a message
and nothing stored."""

import csv
import io

import pytest

from instrument.models import Statement
from sessions.models import Participant, Phase, Source, Table, Workshop
from sessions.services import participant_join
from survey.aggregation import aggregate
from survey.models import Answer
from survey.selectors import instrument_specs, results_snapshot


def statements(workshop: Workshop) -> list[Statement]:
    return list(
        Statement.objects.filter(element__instrument=workshop.instrument).order_by(
            "element__order", "order"
        )
    )


def form_of(workshop: Workshop, values: list[str]) -> dict[str, str]:
    return {f"s{s.pk}": v for s, v in zip(statements(workshop), values, strict=False)}


def pattern(n: int = 46) -> list[str]:
    return [("dk" if i % 7 == 6 else str(i % 5 + 1)) for i in range(n)]


def stored(workshop: Workshop) -> tuple:
    return (
        sorted(Answer.objects.filter(participant__workshop=workshop).values_list("score")),
        Participant.objects.filter(workshop=workshop).count(),
    )


def test_the_organiser_types_in_a_paper_form_even_after_the_survey(organiser, workshop):
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.CLOSED)
    page = organiser.get(f"/s/{workshop.code}/paper/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Papieren formulier invoeren" in html and "Talentvolle Arbeidskrachten" in html
    response = organiser.post(
        f"/s/{workshop.code}/paper/",
        {"table": "2", "role": "policy", **form_of(workshop, pattern())},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/s/{workshop.code}/paper/?table=2"
    p = Participant.objects.get(workshop=workshop)
    assert (p.source, p.table.number, p.role) == (Source.PAPER, 2, "policy")
    scores = dict(Answer.objects.filter(participant=p).values_list("statement_id", "score"))
    assert [scores[s.pk] for s in statements(workshop)] == [
        None if v == "dk" else int(v) for v in pattern()
    ]
    # The live results (from the tallies) equal the answers.
    answers = Answer.objects.filter(participant=p).values_list(
        "participant_id", "statement_id", "score"
    )
    live = results_snapshot(workshop_id=workshop.pk)
    assert (
        live["elements"]
        == aggregate(instrument_specs(instrument_id=workshop.instrument_id), answers)["elements"]
    )
    assert live["respondents"] == 1
    # Marked as paper in every export.
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                organiser.get(f"/s/{workshop.code}/answers.csv").content.decode("utf-8-sig")
            )
        )
    )
    assert {r["source"] for r in csv_rows} == {"paper"} and len(csv_rows) == 46
    wide = list(
        csv.DictReader(
            io.StringIO(organiser.get(f"/s/{workshop.code}/wide.csv").content.decode("utf-8-sig"))
        )
    )
    assert wide[0]["source"] == "paper"
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(organiser.get(f"/s/{workshop.code}/export.xlsx").content))
    header, row = list(wb["deelnemers"].iter_rows(values_only=True))[:2]
    assert row[header.index("bron")] == "papier"
    header, *rows = list(wb["antwoorden"].iter_rows(values_only=True))
    assert {r[header.index("bron")] for r in rows} == {"papier"} and len(rows) == 46


def test_a_paper_form_is_corrected_in_place(organiser, workshop):
    organiser.post(f"/s/{workshop.code}/paper/", form_of(workshop, pattern(10)))
    p = Participant.objects.get(workshop=workshop)
    page = organiser.get(f"/s/{workshop.code}/paper/{p.pk}/").content.decode()
    assert 'value="1" checked' in page
    first = statements(workshop)[0]
    response = organiser.post(f"/s/{workshop.code}/paper/{p.pk}/", {f"s{first.pk}": "5"})
    assert response.status_code == 302
    assert Answer.objects.get(participant=p, statement=first).score == 5
    assert Answer.objects.filter(participant=p).count() == 10
    assert Participant.objects.filter(workshop=workshop).count() == 1
    live = results_snapshot(workshop_id=workshop.pk)["elements"][0]["items"][0]
    assert live["counts"] == [0, 0, 0, 0, 1]


@pytest.mark.parametrize(
    "change",
    [
        {"score": "\uff17"},
        {"score": "²"},
        {"score": "1_0"},
        {"score": "+3"},
        {"score": "6"},
        {"score": "0"},
        {"score": "9" * 400},
        {"score": "3\x00"},
        {"score": "\ufeff3"},
        {"table": "\uff12"},
        {"table": "99"},
        {"table": "1" * 50},
        {"role": "mayor"},
        {"role": "policy\u200b"},
    ],
)
def test_hostile_input_is_refused_with_a_message_and_nothing_stored(organiser, workshop, change):
    values = pattern()
    if "score" in change:
        values[20] = change["score"]
    data = {
        "table": change.get("table", "1"),
        "role": change.get("role", ""),
        **form_of(workshop, values),
    }
    before = stored(workshop)
    response = organiser.post(f"/s/{workshop.code}/paper/", data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert stored(workshop) == before


def test_an_empty_form_or_a_foreign_statement_stores_nothing(organiser, workshop, make_workshop):
    response = organiser.post(f"/s/{workshop.code}/paper/", {"table": "1"})
    assert response.status_code == 400
    assert "Vul minstens één antwoord in." in response.content.decode()
    other = make_workshop(city="Deventer")
    assert stored(workshop)[1] == 0 and stored(other)[1] == 0


def test_the_chair_types_in_forms_for_their_own_table_only(client, workshop, organiser):
    t1, t2 = Table.objects.filter(workshop=workshop).order_by("number")[:2]
    url = f"/s/{workshop.code}/chair/{t1.chair_key}/paper/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"table": str(t2.number), **form_of(workshop, pattern(5))})
    assert response.status_code == 302
    p = Participant.objects.get(workshop=workshop)
    assert p.table == t1 and p.source == Source.PAPER  # the chair's own table, whatever was sent
    # Another table's chair cannot open or change it; a wrong key is refused.
    assert client.get(f"/s/{workshop.code}/chair/{t2.chair_key}/paper/{p.pk}/").status_code == 404
    assert client.get(f"/s/{workshop.code}/chair/wrong/paper/").status_code == 403
    # The phone participant of a table cannot be "corrected" as a paper form.
    phone = Participant.objects.create(workshop=workshop, table=t1, seat=9)
    assert (
        client.get(f"/s/{workshop.code}/chair/{t1.chair_key}/paper/{phone.pk}/").status_code == 404
    )
    assert organiser.get(f"/s/{workshop.code}/paper/{phone.pk}/").status_code == 404


def test_the_paper_pages_need_the_organiser_or_a_chair_link(client, workshop):
    response = client.get(f"/s/{workshop.code}/paper/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(f"/s/{workshop.code}/paper/", form_of(workshop, pattern(3)))
    assert response.status_code in (302, 403)
    assert not Answer.objects.exists()


def test_a_paper_form_fills_a_seat_without_a_phone_once_and_only_from_its_own_table(
    client, organiser, workshop
):
    from notes.services import extra_seat_create

    t1, t2 = (Table.objects.get(workshop=workshop, number=n) for n in (1, 2))
    seat = extra_seat_create(table=t1, initials="JV")
    phone = participant_join(workshop=workshop, table=t1, role="")
    statement = Statement.objects.filter(element__instrument=workshop.instrument).first()
    form = {f"s{statement.pk}": "4"}
    # Another table's chair, and a phone's participant, have no paper form here.
    assert (
        client.get(f"/s/{workshop.code}/chair/{t2.chair_key}/paper/{seat.pk}/").status_code == 404
    )
    assert organiser.get(f"/s/{workshop.code}/paper/{phone.pk}/").status_code == 404
    # The same form twice: one participant, its answer stored once.
    for _ in range(2):
        response = client.post(f"/s/{workshop.code}/chair/{t1.chair_key}/paper/{seat.pk}/", form)
        assert response.status_code == 302
    assert Participant.objects.filter(workshop=workshop).count() == 2
    seat.refresh_from_db()
    assert seat.source == Source.PAPER and Answer.objects.get(participant=seat).score == 4
    # An archived session takes no paper form, and says why.
    workshop.archived = True
    workshop.save(update_fields=["archived"])
    response = organiser.post(f"/s/{workshop.code}/paper/{seat.pk}/", {f"s{statement.pk}": "2"})
    assert response.status_code == 400
    assert "gearchiveerd" in response.content.decode()
    assert Answer.objects.get(participant=seat).score == 4
