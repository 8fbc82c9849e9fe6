"""Consent before the first answer and withdrawal from the phone, over HTTP: what the join page
says, what agreeing stores, every refusal (nothing stored), the organisers' texts per team and
per session, and a withdrawal that takes the answers out of the results and every export."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import ConsentText, Membership, Role
from accounts.services import team_get_or_create
from instrument.models import Statement
from sessions.models import Exclusion, Participant, Phase, Workshop
from survey.selectors import results_snapshot

HTMX = {"HTTP_HX_REQUEST": "true"}
HOSTILE_VERSIONS = [
    "²",
    "\uff17",
    "1_0",
    "+1",
    "-1",
    " 1",
    "99999999999999999999",
    "1\uffff",
    "\u200b",
]
HOSTILE_TEXTS = ["\uffff", "a\x00b", "\u200b\u200d", "x" * 1001]


def join(client: Client, workshop: Workshop, **data) -> object:
    return client.post(f"/j/{workshop.code}/", data)


def first_statement(workshop: Workshop) -> Statement:
    return Statement.objects.filter(element__instrument=workshop.instrument).order_by(
        "element__order", "order"
    )[0]


@pytest.fixture
def team_organiser(db):
    user = get_user_model().objects.create_user("oost", password="a-long-password-1")
    team = team_get_or_create(name="Scentiss Oost")
    Membership.objects.create(user=user, team=team, role=Role.ORGANISER)
    client = Client()
    client.force_login(user)
    return client, team


def test_the_join_page_says_who_what_what_for_who_sees_how_long_with_the_statement(
    client, make_workshop, team_organiser
):
    _, team = team_organiser
    workshop = make_workshop(team=team)
    html = client.get(f"/j/{workshop.code}/").content.decode()
    assert "deze sessie wordt georganiseerd door Scentiss Oost" in html
    assert "Geen naam, geen e-mail, geen locatie" in html
    for summary in ("Waarvoor?", "Wie ziet de antwoorden?", "Hoe lang?"):
        assert summary in html
    assert "hoogstens twee jaar na de sessie" in html  # the built-in retention, in Dutch
    assert f'href="/j/{workshop.code}/privacy/"' in html
    assert 'name="consent"' in html and "required" in html
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/j/{workshop.code}/").content.decode()
    assert "this session is run by Scentiss Oost" in english
    assert "at most two years after the session" in english
    privacy = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/j/{workshop.code}/privacy/")
    assert privacy.status_code == 200
    text = privacy.content.decode()
    assert "What is stored" in text and "Autoriteit Persoonsgegevens" in text
    assert "Privacyverklaring" in client.get(f"/j/{workshop.code}/privacy/").content.decode()


def test_joining_without_agreeing_says_so_and_stores_nothing(client, workshop):
    for data in ({}, {"table": "1"}, {"consent": ""}, {"consent": "false"}):
        response = join(client, workshop, **data)
        assert response.status_code == 400
        assert "Vink het vakje aan" in response.content.decode()
    english = join(Client(HTTP_ACCEPT_LANGUAGE="en"), workshop, table="1")
    assert "Tick the box to agree" in english.content.decode()
    assert not Participant.objects.exists()


def test_agreeing_records_the_version_and_the_moment(client, workshop):
    page = client.get(f"/j/{workshop.code}/").content.decode()
    version = ConsentText.objects.get(builtin=True).version
    assert f'name="consent_version" value="{version}"' in page
    response = join(client, workshop, consent="on", consent_version=str(version), table="2")
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.consent_id == version and participant.consented_at is not None
    # The same POST again: the phone resumes, no second participant.
    join(client, workshop, consent="on", consent_version=str(version), table="2")
    assert Participant.objects.count() == 1


def test_a_hostile_or_outdated_version_is_refused_with_a_message(client, workshop):
    client.get(f"/j/{workshop.code}/")
    for value in HOSTILE_VERSIONS:
        response = join(client, workshop, consent="on", consent_version=value)
        assert response.status_code == 400, value
    stale = ConsentText.objects.get(builtin=True).version + 1
    response = join(client, workshop, consent="on", consent_version=str(stale))
    assert response.status_code == 400
    assert "is net gewijzigd" in response.content.decode()
    assert not Participant.objects.exists()


def test_the_session_text_overrides_the_team_text_which_overrides_the_built_in_one(
    client, make_workshop, team_organiser
):
    organiser, team = team_organiser
    workshop = make_workshop(team=team)
    other = make_workshop(team=team)
    team_text = {
        "organiser": "Lectoraat Impact",
        "contact": "privacy@example.org",
        "purpose_nl": "Voor het stadsprofiel.",
        "purpose_en": "For the city profile.",
        "audience_nl": "Alleen het team.",
        "audience_en": "",
        "retention_nl": "Een jaar.",
        "retention_en": "One year.",
    }
    response = organiser.post(f"/organiser/teams/{team.slug}/consent/", team_text)
    assert response.status_code == 302
    organiser.post(f"/organiser/teams/{team.slug}/consent/", team_text)  # twice: one version
    team.refresh_from_db()
    assert ConsentText.objects.filter(builtin=False).count() == 1
    html = client.get(f"/j/{other.code}/").content.decode()
    assert "Lectoraat Impact" in html and "Voor het stadsprofiel." in html
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/j/{other.code}/").content.decode()
    assert "For the city profile." in english and "Alleen het team." in english  # falls back
    response = organiser.post(
        f"/s/{workshop.code}/consent/", {**team_text, "purpose_nl": "Voor deze ene sessie."}
    )
    assert response.status_code == 302
    assert "Voor deze ene sessie." in client.get(f"/j/{workshop.code}/").content.decode()
    assert "Voor deze ene sessie." not in client.get(f"/j/{other.code}/").content.decode()
    assert join(client, workshop, consent="on").status_code == 302
    workshop.refresh_from_db()
    assert Participant.objects.get().consent_id == workshop.consent_text_id != team.consent_text_id
    # Back to the team's text; the participant keeps the version they agreed to.
    organiser.post(f"/s/{workshop.code}/consent/", {"reset": "1"})
    workshop.refresh_from_db()
    assert workshop.consent_text_id is None
    assert "Voor het stadsprofiel." in Client().get(f"/j/{workshop.code}/").content.decode()


def test_hostile_consent_texts_are_refused_and_nothing_is_stored(make_workshop, team_organiser):
    organiser, team = team_organiser
    workshop = make_workshop(team=team)
    base = {"purpose_nl": "a", "audience_nl": "b", "retention_nl": "c"}
    stored = ConsentText.objects.filter(builtin=False).count()
    for field in ("organiser", "contact", "purpose_nl", "audience_en", "retention_nl"):
        for value in HOSTILE_TEXTS:
            for url in (f"/s/{workshop.code}/consent/", f"/organiser/teams/{team.slug}/consent/"):
                response = organiser.post(url, {**base, field: value})
                assert response.status_code == 400, (field, repr(value)[:20], url)
                assert 'class="error"' in response.content.decode()
    response = organiser.post(f"/s/{workshop.code}/consent/", {**base, "purpose_nl": ""})
    assert "Schrijf dit deel van de tekst in het Nederlands." in response.content.decode()
    assert ConsentText.objects.filter(builtin=False).count() == stored
    workshop.refresh_from_db()
    team.refresh_from_db()
    assert workshop.consent_text_id is None and team.consent_text_id is None
    # Text of another script, right-to-left and with markup is text.
    rtl = {**base, "organiser": "<b>مركز</b> \u202bOost"}
    assert organiser.post(f"/s/{workshop.code}/consent/", rtl).status_code == 302
    html = Client().get(f"/j/{workshop.code}/").content.decode()
    assert "&lt;b&gt;مركز&lt;/b&gt;" in html


def test_a_team_of_someone_else_is_a_404(client, team_organiser):
    organiser, _ = team_organiser
    elsewhere = team_get_or_create(name="Scentiss West")
    assert organiser.get(f"/organiser/teams/{elsewhere.slug}/consent/").status_code == 404
    assert organiser.get("/organiser/teams/%EF%BF%BF/consent/").status_code == 404


def test_withdrawing_takes_the_answers_out_of_results_feed_and_exports(client, workshop, organiser):
    statement = first_statement(workshop)
    stays, leaves = Client(), Client()
    for phone, score in ((stays, "5"), (leaves, "1")):
        assert join(phone, workshop, consent="on", table="1").status_code == 302
        tapped = phone.post(
            f"/s/{workshop.code}/answer/", {"statement": statement.pk, "score": score}, **HTMX
        )
        assert tapped.status_code == 200
    before = results_snapshot(workshop_id=workshop.pk)
    assert before["participants"] == 2
    # The survey pages offer it; its page asks first.
    page = leaves.get(f"/s/{workshop.code}/survey/1/").content.decode()
    assert f'href="/s/{workshop.code}/withdraw/"' in page
    assert (
        "Ja, trek mijn antwoorden terug"
        in leaves.get(f"/s/{workshop.code}/withdraw/").content.decode()
    )
    assert leaves.post(f"/s/{workshop.code}/withdraw/").status_code == 302
    assert leaves.post(f"/s/{workshop.code}/withdraw/").status_code == 302  # twice: once
    gone = Participant.objects.get(withdrawn_at__isnull=False)
    assert Exclusion.objects.filter(kind="withdrawal").count() == 1
    after = results_snapshot(workshop_id=workshop.pk)
    assert after["participants"] == 1 and after["respondents"] == 1
    assert after["version"] > before["version"]
    assert (
        "Je hebt je teruggetrokken" in leaves.get(f"/s/{workshop.code}/withdraw/").content.decode()
    )
    # Its survey pages say so; its taps are refused.
    assert leaves.get(f"/s/{workshop.code}/survey/2/").status_code == 302
    refused = leaves.post(
        f"/s/{workshop.code}/answer/", {"statement": statement.pk, "score": "3"}, **HTMX
    )
    assert refused.status_code == 403 and "teruggetrokken" in refused.content.decode()
    # The exports: one participant, with the consent version; no row of the withdrawn one.
    workbook = openpyxl.load_workbook(
        io.BytesIO(organiser.get(f"/s/{workshop.code}/export.xlsx").content)
    )
    sheet = next(ws for ws in workbook.worksheets if ws.title.lower().startswith("deelnemers"))
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[-1] == "versie toestemmingstekst"
    assert len(rows) == 2 and rows[1][-1] == gone.consent_id
    for path in ("answers.csv", "wide.csv"):
        body = organiser.get(f"/s/{workshop.code}/{path}").content.decode("utf-8-sig")
        assert gone.seat_label not in body, path
    # The console counts it; the organiser cannot put it back.
    dashboard = organiser.get(f"/s/{workshop.code}/dashboard/").content.decode()
    assert 'id="dash-withdrawn">1<' in dashboard
    exclusion = Exclusion.objects.get(kind="withdrawal")
    undo = organiser.post(f"/s/{workshop.code}/exclude/{exclusion.pk}/undo/")
    assert undo.status_code == 404
    assert Participant.objects.get(pk=gone.pk).exclusion_id == exclusion.pk


def test_after_the_close_a_phone_cannot_withdraw_here_and_is_told_whom_to_ask(client, workshop):
    assert join(client, workshop, consent="on").status_code == 302
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.CLOSED)
    response = client.post(f"/s/{workshop.code}/withdraw/")
    assert response.status_code == 409
    assert "Vraag het de organisator" in response.content.decode()
    assert not Participant.objects.filter(withdrawn_at__isnull=False).exists()


def test_a_phone_that_has_not_joined_is_sent_to_join(client, workshop):
    assert client.post(f"/s/{workshop.code}/withdraw/").status_code == 302
    assert client.get(f"/s/{workshop.code}/withdraw/")["Location"] == f"/j/{workshop.code}/"
