"""The phone's survey flow through HTTP: join, tap, change, resume, and every refusal."""

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from instrument.loader import instrument_load, read_instrument
from instrument.models import Statement
from sessions.models import Participant, Phase, Workshop
from sessions.selectors import participant_cookie_name
from survey.models import Answer

# Also run on SQLite (the database of `make run`): `make test`'s second run.
pytestmark = pytest.mark.both_databases

HTMX = {"HTTP_HX_REQUEST": "true"}

# What saving one answer costs after the participant-with-session query. PostgreSQL: one call of
# scentiss_answer_save. Elsewhere (SQLite for `make run`) its ORM twin: savepoint, version,
# answer, its write, the two tallies (each an update, plus an insert at its first count), the
# version bump, release, and the participant's progress.
SAVE_QUERIES = {"postgresql": 1, "sqlite": 11}


@pytest.fixture
def phone(workshop) -> Client:
    """A phone that joined the workshop at table 2."""
    client = Client()
    response = client.post(
        f"/j/{workshop.code}/", {"role": "finance", "table": "2", "consent": "on"}
    )
    assert response.status_code == 302
    return client


def statements(workshop: Workshop, element_order: int = 1) -> list[Statement]:
    return list(
        Statement.objects.filter(
            element__instrument=workshop.instrument, element__order=element_order
        ).order_by("order")
    )


def tap(client: Client, workshop: Workshop, statement: Statement, score: str):
    return client.post(
        f"/s/{workshop.code}/answer/",
        {"statement": statement.pk, "score": score},
        **HTMX,
    )


def test_join_page_offers_roles_and_tables(client, workshop):
    page = client.get(f"/j/{workshop.code.lower()}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Impactondernemer" in html  # Dutch by default
    assert "Anders" in html
    assert html.count('name="table"') == 1 and 'value="3"' in html


def test_join_gives_a_seat_and_a_cookie_and_opens_the_first_element(client, workshop):
    response = client.post(
        f"/j/{workshop.code}/", {"role": "policy", "table": "2", "consent": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/s/{workshop.code}/survey/1/"
    participant = Participant.objects.get(workshop=workshop)
    assert participant.seat_label == "T2·P1"
    assert participant.role == "policy"
    assert participant_cookie_name(workshop) in response.cookies
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Kennis &amp; Vaardigheden" in html
    assert "Voor het bevorderen van impact ondernemerschap in Zwolle" in html
    assert html.count('role="radiogroup"') == 8
    assert "0 van 46 beantwoord" in html


def test_join_without_role_or_table_is_fine(client, workshop):
    assert client.post(f"/j/{workshop.code}/", {"consent": "on"}).status_code == 302
    assert Participant.objects.get(workshop=workshop).seat_label == "P1"


def test_bad_table_number_is_refused_with_a_message(client, workshop):
    response = client.post(f"/j/{workshop.code}/", {"table": "99", "consent": "on"})
    assert response.status_code == 400  # a refusal, with the form and its message
    assert "geldige keuze" in response.content.decode()
    assert not Participant.objects.exists()


def test_tap_saves_and_a_second_tap_changes_the_same_answer(phone, workshop):
    s = statements(workshop)[0]
    response = tap(phone, workshop, s, "4")
    assert response.status_code == 200
    assert "Opgeslagen" in response.content.decode()
    assert "1 van 46 beantwoord" in response.content.decode()
    first_version = int(response["X-Results-Version"])
    assert Answer.objects.get().score == 4

    response = tap(phone, workshop, s, "2")
    assert Answer.objects.count() == 1
    assert Answer.objects.get().score == 2
    assert int(response["X-Results-Version"]) == first_version + 1

    # A retried request (same answer again) stores nothing new and changes no version.
    response = tap(phone, workshop, s, "2")
    assert Answer.objects.count() == 1
    assert int(response["X-Results-Version"]) == first_version + 1


def test_dont_know_is_stored_as_no_score(phone, workshop):
    s = statements(workshop)[1]
    assert tap(phone, workshop, s, "dk").status_code == 200
    assert Answer.objects.get(statement=s).score is None


def test_saved_answers_are_checked_when_the_page_comes_back(phone, workshop):
    first, second = statements(workshop)[:2]
    tap(phone, workshop, first, "5")
    tap(phone, workshop, second, "dk")
    html = phone.get(f"/s/{workshop.code}/survey/1/").content.decode()
    assert f'value="{first.pk}"' in html
    assert 'value="5" checked' in html
    assert 'value="dk" checked' in html


def test_a_returning_phone_resumes_where_it_was(phone, workshop):
    phone.get(f"/s/{workshop.code}/survey/4/")
    response = phone.get(f"/j/{workshop.code}/")
    assert response.status_code == 302
    assert response["Location"] == f"/s/{workshop.code}/survey/4/"
    assert Participant.objects.count() == 1


@pytest.mark.parametrize("score", ["0", "6", "", "vier", "3.5", "-1", "1e3"])
def test_scores_outside_the_scale_are_refused_and_change_nothing(phone, workshop, score):
    response = tap(phone, workshop, statements(workshop)[0], score)
    assert response.status_code == 400
    assert "Kies 1 tot 5" in response.content.decode()
    assert not Answer.objects.exists()
    assert Workshop.objects.get(pk=workshop.pk).results_version == 1  # only the join


def test_unknown_statement_is_refused(phone, workshop):
    response = phone.post(f"/s/{workshop.code}/answer/", {"statement": "999999", "score": "3"})
    assert response.status_code == 400
    assert "hoort niet bij" in response.content.decode()
    response = phone.post(f"/s/{workshop.code}/answer/", {"statement": "abc", "score": "3"})
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_statement_of_another_instrument_is_refused(phone, workshop):
    data = read_instrument()
    data["version"] = 99
    other, _ = instrument_load(data)
    foreign = Statement.objects.filter(element__instrument=other).first()
    response = tap(phone, workshop, foreign, "3")
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_answers_outside_the_survey_phase_are_refused(phone, workshop):
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.DISCUSSION)
    response = tap(phone, workshop, statements(workshop)[0], "3")
    assert response.status_code == 409
    assert "De vragenlijst is gesloten" in response.content.decode()
    assert not Answer.objects.exists()
    page = phone.get(f"/s/{workshop.code}/survey/1/")
    assert "De vragenlijst is gesloten" in page.content.decode()


def test_waiting_phones_move_on_when_the_survey_opens(client, make_workshop):
    workshop = make_workshop(phase=Phase.JOIN)
    client.post(f"/j/{workshop.code}/", {"consent": "on"})
    assert "begint zodra" in client.get(f"/s/{workshop.code}/survey/1/").content.decode()
    assert client.get(f"/s/{workshop.code}/survey/status/", **HTMX).status_code == 204
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.SURVEY)
    response = client.get(f"/s/{workshop.code}/survey/status/", **HTMX)
    assert response["HX-Redirect"] == f"/s/{workshop.code}/survey/1/"


def test_a_tampered_cookie_is_not_a_participant(client, phone, workshop):
    name = participant_cookie_name(workshop)
    value = phone.cookies[name].value
    client.cookies[name] = value[:-3] + ("aaa" if not value.endswith("aaa") else "bbb")
    assert client.get(f"/s/{workshop.code}/survey/1/")["Location"] == f"/j/{workshop.code}/"
    response = tap(client, workshop, statements(workshop)[0], "3")
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_a_phone_of_one_session_cannot_answer_in_another(phone, workshop, make_workshop):
    other = make_workshop(city="Utrecht")
    response = tap(phone, other, statements(other)[0], "3")
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_unknown_session_code_is_404(client, db):
    assert client.get("/j/NOPE99/").status_code == 404
    assert client.post("/s/NOPE99/answer/", {"statement": "1", "score": "3"}).status_code == 404


def test_answer_needs_post(phone, workshop):
    assert phone.get(f"/s/{workshop.code}/answer/").status_code == 405


def test_a_tap_costs_a_fixed_number_of_queries(phone, workshop, django_assert_max_num_queries):
    first, second = statements(workshop)[:2]
    tap(phone, workshop, first, "3")
    with django_assert_max_num_queries(14):
        assert tap(phone, workshop, second, "4").status_code == 200


def test_done_page_lists_elements_still_open(phone, workshop):
    for s in statements(workshop, 1):
        tap(phone, workshop, s, "3")
    html = phone.get(f"/s/{workshop.code}/survey/done/").content.decode()
    assert "Kennis &amp; Vaardigheden" not in html
    assert "Sociaal Netwerk" in html


def test_the_done_page_follows_the_phase_as_the_survey_pages_do(phone, workshop):
    """A phone that finished stays on its "Bedankt!" page, which reloads when the phase
    changes: after the survey it says the survey is closed (no way back to the statements),
    and once the results are shown it goes to them, as the elements' pages do."""
    done = f"/s/{workshop.code}/survey/done/"
    html = phone.get(done).content.decode()
    assert "Bedankt!" in html and f'href="/s/{workshop.code}/survey/1/"' in html
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.DISCUSSION)
    html = phone.get(done).content.decode()
    assert "De vragenlijst is gesloten" in html
    assert "Bedankt!" not in html and f'href="/s/{workshop.code}/survey/' not in html
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.RESULTS, results_revealed=True)
    assert phone.get(done)["Location"] == f"/s/{workshop.code}/results/"
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.JOIN, results_revealed=False)
    assert "begint zodra" in phone.get(done).content.decode()


def test_the_phones_hot_paths_stay_a_few_queries(phone, workshop, django_assert_max_num_queries):
    """Every phone loads six pages and taps 46 times: pin what each costs the database."""
    s = statements(workshop, 2)[0]
    phone.get(f"/s/{workshop.code}/survey/1/")  # the instrument's structure, once per process
    with django_assert_max_num_queries(4):  # session, participant, answers, resume point
        assert phone.get(f"/s/{workshop.code}/survey/2/").status_code == 200
    with django_assert_max_num_queries(1 + SAVE_QUERIES[connection.vendor]):
        response = phone.post(
            f"/s/{workshop.code}/answer/", {"statement": s.pk, "score": "3"}, **HTMX
        )
    assert response.status_code == 200


def test_the_survey_page_shows_the_scale_in_words(phone, workshop):
    """The ends and middle of the scale, in the page's language (the instrument comes with the
    session from plain SQL: its JSON fields must be decoded, not shown as JSON text)."""
    html = phone.get(f"/s/{workshop.code}/survey/1/").content.decode()
    assert "1 = slecht ontwikkeld" in html
    assert "5 = goed ontwikkeld" in html
    assert '<span class="sr-only"> slecht ontwikkeld</span>' in html


def test_the_plain_sql_selectors_build_what_the_orm_builds(phone, workshop):
    """Every field of the session, its instrument, the participant and its table as the ORM
    reads them (dates, UUIDs, booleans and JSON converted on both databases)."""
    from sessions.selectors import participant_by_code, participant_from_cookies, workshop_by_code

    def same(a, b) -> None:
        assert type(a) is type(b)
        for field in type(a)._meta.concrete_fields:
            assert getattr(a, field.attname) == getattr(b, field.attname), field.name

    orm = Workshop.objects.select_related("instrument").get(pk=workshop.pk)
    built = workshop_by_code(workshop.code.lower())
    same(built, orm)
    same(built.instrument, orm.instrument)

    participant = Participant.objects.select_related("table").get(workshop=workshop)
    cookies = {k: v.value for k, v in phone.cookies.items()}
    from_cookies = participant_from_cookies(cookies=cookies, workshop=built)
    same(from_cookies, participant)
    same(from_cookies.table, participant.table)
    by_code = participant_by_code(cookies=cookies, code=workshop.code)
    same(by_code, participant)
    same(by_code.workshop, orm)


def test_the_offline_copy_holds_every_element_with_the_answers_and_moves_nothing(phone, workshop):
    """What the phone keeps to answer without a network: the six elements' pages in one reply,
    with the answers given so far; fetching it leaves the phone's place where it was."""
    first = statements(workshop, 1)[0]
    last = statements(workshop, 6)[-1]
    assert tap(phone, workshop, first, "4").status_code == 200
    assert tap(phone, workshop, last, "dk").status_code == 200
    assert phone.get(f"/s/{workshop.code}/survey/2/").status_code == 200
    reply = phone.get(f"/s/{workshop.code}/survey/offline/")
    assert reply.status_code == 200
    assert "no-cache" in reply["Cache-Control"]
    html = reply.content.decode()
    assert html.count("<template data-number=") == 6
    assert html.count('class="statement') == 46
    assert f'<form class="statement answered" data-statement="{first.pk}">' in html
    assert 'value="4" checked' in html and 'value="dk" checked' in html
    assert f'href="/s/{workshop.code}/survey/done/" data-done' in html
    assert Participant.objects.get().last_element == 2


def _join(workshop: Workshop, *, table: str, language: str = "nl") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(f"/j/{workshop.code}/", {"table": table, "consent": "on"})
    assert response.status_code == 302
    return client


def test_a_fresh_phones_offline_copy_is_its_own_drawn_once_for_the_session(workshop):
    """Phones that have not answered yet get pages drawn once per session and language, each
    with its own seat written in: the same bytes as pages drawn for that phone alone."""
    from survey.selectors import instrument_structure
    from survey.views import _ANY_SEAT, _offline_pages

    offline = f"/s/{workshop.code}/survey/offline/"
    first, second = _join(workshop, table="2"), _join(workshop, table="")
    replies = [phone.get(offline) for phone in (first, second, first)]
    english = _join(workshop, table="3", language="en").get(offline)

    assert all(reply.status_code == 200 for reply in [*replies, english])
    pages = [reply.content.decode() for reply in replies]
    seats = [p.seat_label for p in Participant.objects.order_by("pk")]
    assert seats == ["T2·P1", "P1", "T3·P1"]
    assert pages[0].count("Je bent T2·P1<") == 6
    assert pages[1].count("Je bent P1<") == 6
    assert pages[0] == pages[2]
    assert pages[0].replace("T2·P1", "P1") == pages[1]
    assert english.content.decode().count("You are T3·P1<") == 6
    for reply in [*replies, english]:
        assert _ANY_SEAT.seat_label not in reply.content.decode()
        assert "no-cache" in reply["Cache-Control"]
    participant = (
        Participant.objects.select_related("table", "workshop__instrument").order_by("pk").first()
    )
    with translation.override("nl"):
        alone = _offline_pages(
            participant.workshop, participant, instrument_structure(workshop.instrument_id), {}
        )
    assert pages[0] == alone


def test_a_fresh_phones_offline_copy_follows_the_sessions_city(workshop):
    """The statements' stem names the city: renamed, the next phone's pages say the new one."""
    offline = f"/s/{workshop.code}/survey/offline/"
    assert "Zwolle" in _join(workshop, table="1").get(offline).content.decode()

    Workshop.objects.filter(pk=workshop.pk).update(city="Deventer")
    pages = _join(workshop, table="1").get(offline).content.decode()

    assert "Deventer" in pages and "Zwolle" not in pages


def test_the_offline_copy_is_for_a_joined_phone_during_the_survey(client, phone, workshop):
    assert client.get(f"/s/{workshop.code}/survey/offline/").url == f"/j/{workshop.code}/"
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.DISCUSSION)
    assert phone.get(f"/s/{workshop.code}/survey/offline/").status_code == 204
