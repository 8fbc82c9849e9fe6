"""Paper forms typed in by the organiser or a table's chair: one transaction per form, the
participant marked as entered from paper in every export, hostile input refused with a message
and nothing stored."""

import csv
import io
import re
import threading
import uuid

import pytest
from django.db import connections
from django.test import Client

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
    """A form's answers, with the id its page carries (a new one per call: a new page)."""
    answers = {f"s{s.pk}": v for s, v in zip(statements(workshop), values, strict=False)}
    return {"client_id": str(uuid.uuid4()), **answers}


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
    response = organiser.post(
        f"/s/{workshop.code}/paper/{p.pk}/",
        {"client_id": str(uuid.uuid4()), f"s{first.pk}": "5"},
    )
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


# --- a form sent twice -------------------------------------------------------------------------


def page_client_id(html: str) -> str:
    return re.search(r'name="client_id" value="([0-9a-f-]{36})"', html)[1]


@pytest.mark.parametrize("who", ["chair", "organiser"])
def test_a_paper_form_sent_twice_is_one_participant(client, organiser, workshop, who):
    """Two identical posts made two paper participants."""
    t2 = Table.objects.get(workshop=workshop, number=2)
    if who == "chair":
        sender, url = client, f"/s/{workshop.code}/chair/{t2.chair_key}/paper/"
    else:
        sender, url = organiser, f"/s/{workshop.code}/paper/"
    client_id = page_client_id(sender.get(url).content.decode())
    assert page_client_id(sender.get(url).content.decode()) != client_id  # one per page
    data = {**form_of(workshop, pattern()), "client_id": client_id, "table": "2", "role": ""}
    first = sender.post(url, data)
    again = sender.post(url, data)
    assert (first.status_code, again.status_code) == (302, 302)
    assert first["Location"] == again["Location"]
    p = Participant.objects.get(workshop=workshop)
    assert (p.source, p.table) == (Source.PAPER, t2)
    assert Answer.objects.filter(participant=p).count() == 46
    assert results_snapshot(workshop_id=workshop.pk)["respondents"] == 1
    # The page after the repeat says the same as after the first save.
    page = sender.get(again["Location"]).content.decode()
    assert f"Papieren formulier van {p.seat_label} opgeslagen: 46 antwoorden." in page


def test_the_same_form_id_with_other_answers_is_a_conflict(client, workshop):
    t1 = Table.objects.get(workshop=workshop, number=1)
    url = f"/s/{workshop.code}/chair/{t1.chair_key}/paper/"
    data = form_of(workshop, pattern(5))
    assert client.post(url, data).status_code == 302
    before = stored(workshop)
    p = Participant.objects.get(workshop=workshop)
    other = {**data, **{k: "5" for k in data if k.startswith("s")}}
    response = client.post(url, other)
    assert response.status_code == 409
    html = response.content.decode()
    assert f"Dit formulier is al opgeslagen, als {p.seat_label}, met andere antwoorden" in html
    assert stored(workshop) == before
    # The answers stay in the form, under a new id: saving once more stores them anew.
    assert html.count('value="5" checked') == 5
    new_id = page_client_id(html)
    assert new_id != data["client_id"]
    assert client.post(url, {**other, "client_id": new_id}).status_code == 302
    assert Participant.objects.filter(workshop=workshop).count() == 2


def test_a_correction_sent_twice_is_answered_alike_and_another_with_its_id_refused(
    organiser, workshop
):
    organiser.post(f"/s/{workshop.code}/paper/", form_of(workshop, pattern(10)))
    p = Participant.objects.get(workshop=workshop)
    first = statements(workshop)[0]
    url = f"/s/{workshop.code}/paper/{p.pk}/"
    data = {"client_id": page_client_id(organiser.get(url).content.decode()), f"s{first.pk}": "5"}
    responses = [organiser.post(url, data) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    response = organiser.post(url, {**data, f"s{first.pk}": "2"})
    assert response.status_code == 409
    assert "Deze correctie is al opgeslagen met andere antwoorden" in response.content.decode()
    assert Answer.objects.get(participant=p, statement=first).score == 5
    # Saved once more (the page's new id), the correction is stored.
    again = {"client_id": page_client_id(response.content.decode()), f"s{first.pk}": "2"}
    assert organiser.post(url, again).status_code == 302
    assert Answer.objects.get(participant=p, statement=first).score == 2


def test_a_conflict_is_explained_in_english(workshop):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    t1 = Table.objects.get(workshop=workshop, number=1)
    url = f"/s/{workshop.code}/chair/{t1.chair_key}/paper/"
    data = form_of(workshop, pattern(3))
    client.post(url, data)
    response = client.post(url, {**data, **{k: "4" for k in data if k.startswith("s")}})
    assert response.status_code == 409
    assert "This form was already saved, as T1·P1, with other answers" in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    "client_id",
    [
        None,
        "",
        "x",
        "\uff11" * 8 + "-1111-1111-1111-111111111111",  # full-width digits
        "5A0C6B52-3F1E-4D2B-9C7A-1E2F3A4B5C6D",  # not as the page writes it
        "{5a0c6b52-3f1e-4d2b-9c7a-1e2f3a4b5c6d}",
        "5a0c6b52-3f1e-4d2b-9c7a-1e2f3a4b5c6d\x00",
        "1" * 5000,
    ],
)
def test_a_form_without_a_valid_id_stores_nothing(organiser, workshop, client_id):
    data = form_of(workshop, pattern(3))
    data.pop("client_id")
    if client_id is not None:
        data["client_id"] = client_id
    response = organiser.post(f"/s/{workshop.code}/paper/", data)
    assert response.status_code == 400
    assert "Dit formulier heeft geen geldig id" in response.content.decode()
    assert stored(workshop) == ([], 0)


@pytest.mark.django_db(transaction=True)
def test_the_same_form_twice_at_once_is_one_participant(make_workshop):
    workshop = make_workshop()
    t1 = Table.objects.get(workshop=workshop, number=1)
    url = f"/s/{workshop.code}/chair/{t1.chair_key}/paper/"
    data = form_of(workshop, pattern())
    start = threading.Barrier(2)
    statuses: list[int] = []

    def send() -> None:
        try:
            start.wait()
            statuses.append(Client().post(url, data).status_code)
        finally:
            connections.close_all()  # the thread's own connection, before the test db goes

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert Participant.objects.filter(workshop=workshop).count() == 1
    assert results_snapshot(workshop_id=workshop.pk)["respondents"] == 1


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
    url = f"/s/{workshop.code}/chair/{t1.chair_key}/paper/{seat.pk}/"
    form["client_id"] = page_client_id(client.get(url).content.decode())
    for _ in range(2):
        response = client.post(url, form)
        assert response.status_code == 302
    assert Participant.objects.filter(workshop=workshop).count() == 2
    seat.refresh_from_db()
    assert seat.source == Source.PAPER and Answer.objects.get(participant=seat).score == 4
    # An archived session takes no paper form, and says why.
    workshop.archived = True
    workshop.save(update_fields=["archived"])
    response = organiser.post(
        f"/s/{workshop.code}/paper/{seat.pk}/",
        {f"s{statement.pk}": "2", "client_id": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    assert "gearchiveerd" in response.content.decode()
    assert Answer.objects.get(participant=seat).score == 4
