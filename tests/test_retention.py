# ruff: noqa: RUF001  (fullwidth digits on purpose)
"""Data kept only as long as it should be: anonymising a closed session (its scores, profile
and publication read the same, no export has a row per participant), a team's retention
period and the console's proposal, and the audit trail with its page for managers."""

import csv
import datetime
import io
import tempfile
import uuid

import pyreadstat
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from accounts.models import AuditAction, AuditEvent, Membership, Role, Team
from notes.models import ExtraSeat, Note
from notes.services import extra_seat_create
from profiles.models import Programme
from profiles.selectors import city_counts
from sessions.models import Exclusion, Participant, Phase, Workshop
from sessions.services import participants_exclude, workshop_update_state
from survey.models import Answer, ElementTally, ItemTally, PaperEntry
from survey.selectors import results_snapshot
from survey.services import paper_form_save
from tests.test_publication import new_programme, seat, write_profile


def docx_text(content: bytes) -> list[str]:
    """A Word document's paragraphs and table cells, in order: what a reader reads."""
    doc = Document(io.BytesIO(content))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        out += [cell.text for row in table.rows for cell in row.cells]
    return out


def csv_rows(content: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def sav(content: bytes):
    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(content)
        handle.flush()
        return pyreadstat.read_sav(handle.name)


def scores(snapshot: dict) -> list:
    return [
        (e["key"], e["score"], e["n"], [(i["key"], i["mean"], i["counts"]) for i in e["items"]])
        for e in snapshot["elements"]
    ]


@pytest.fixture
def team(db) -> Team:
    return Team.objects.create(name="Scentiss Oost", slug="scentiss-oost")


@pytest.fixture
def manager(team, django_user_model):
    user = django_user_model.objects.create_user("baas", password="a-long-password-1")
    Membership.objects.create(user=user, team=team, role=Role.MANAGER)
    return user


@pytest.fixture
def manager_client(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def finished(make_workshop, team) -> dict:
    """Two closed sessions of the team in one programme, with roles, answers, notes about
    seats, a paper form, a chair's seat with initials, an excluded phone and profiles."""
    groningen = make_workshop(city="Groningen", date=datetime.date(2026, 10, 1), team=team)
    zwolle = make_workshop(city="Zwolle", date=datetime.date(2026, 11, 26), team=team)
    g = seat(groningen, ["entrepreneur", "policy", "finance", ""], answering=3)
    z = seat(zwolle, ["entrepreneur", "network", "network", "research", "civil", ""], answering=5)
    write_profile(groningen, g)
    write_profile(zwolle, z)
    statements = [s.pk for e in zwolle.instrument.elements.all() for s in e.statements.all()]
    paper_form_save(
        workshop=zwolle,
        scores={sid: 1 + k % 5 for k, sid in enumerate(statements)},
        client_id=uuid.uuid4(),
        table=z[0].table,
        role="policy",
    )
    extra_seat_create(table=z[1].table, initials="JdV", role="other")
    intruder = z[4]
    participants_exclude(
        workshop=zwolle, joined_from=intruder.joined_at, joined_to=intruder.joined_at, by=None
    )
    for w in (groningen, zwolle):
        workshop_update_state(workshop=w, phase=Phase.CLOSED)
    return {"groningen": groningen, "zwolle": zwolle}


def anonymise(client: Client, workshop: Workshop):
    return client.post(f"/s/{workshop.code}/anonymise/", {"confirm_code": workshop.code.lower()})


def test_anonymising_keeps_the_scores_profile_and_publication_and_no_export_has_a_participant(
    manager_client, finished
):
    organiser = manager_client  # the sessions are the team's: its manager runs them
    zwolle, groningen = finished["zwolle"], finished["groningen"]
    programme = new_programme(organiser, [groningen, zwolle])
    assert isinstance(programme, Programme)
    code = zwolle.code

    def documents() -> dict:
        return {
            "snapshot": scores(results_snapshot(workshop_id=zwolle.pk)),
            "counts": results_snapshot(workshop_id=zwolle.pk)["participants"],
            "respondents": results_snapshot(workshop_id=zwolle.pk)["respondents"],
            "roles": [
                (c.participants, c.respondents, c.roles)
                for c in city_counts(workshops=[groningen, zwolle])
            ],
            "profile": docx_text(organiser.get(f"/s/{code}/profile.docx").content),
            "publication": docx_text(
                organiser.get(f"/organiser/programmes/{programme.pk}/publication.docx").content
            ),
            "profile_page": organiser.get(f"/s/{code}/profile/").status_code,
        }

    before = documents()
    workbook_before = load_workbook(io.BytesIO(organiser.get(f"/s/{code}/export.xlsx").content))
    elements_before = [r for r in workbook_before["elementen"].iter_rows(values_only=True)]
    notes_before = Note.objects.filter(workshop=zwolle).count()
    assert Participant.objects.filter(workshop=zwolle).count() == 8
    assert ExtraSeat.objects.filter(participant__workshop=zwolle).exists()
    assert PaperEntry.objects.filter(workshop=zwolle).exists()

    response = anonymise(organiser, zwolle)
    assert response.status_code == 302
    zwolle.refresh_from_db()
    assert zwolle.anonymised_at is not None
    assert zwolle.phase == Phase.CLOSED
    # Nothing per participant is left in the database.
    assert not Participant.objects.filter(workshop=zwolle).exists()
    assert not Answer.objects.filter(participant__workshop=zwolle).exists()
    assert not ElementTally.objects.filter(workshop=zwolle).exists()
    assert not ItemTally.objects.filter(workshop=zwolle).exists()
    assert not PaperEntry.objects.filter(workshop=zwolle).exists()
    assert not ExtraSeat.objects.filter(participant__workshop=zwolle).exists()
    assert Exclusion.objects.filter(workshop=zwolle).count() == 1  # a count, no person
    # The notes stay, none of them linked to a participant; their seats are text.
    assert Note.objects.filter(workshop=zwolle).count() == notes_before
    assert not Note.objects.filter(workshop=zwolle, participant__isnull=False).exists()
    assert set(
        Note.objects.filter(workshop=zwolle, kind__in=["plus", "minus"]).values_list(
            "anonymised_seat", flat=True
        )
    ) == {"T1·P1"}
    # The other session is untouched.
    assert Participant.objects.filter(workshop=groningen).count() == 4

    after = documents()
    assert after == before

    # The same POST again changes nothing and says so.
    first = zwolle.anonymised_at
    again = anonymise(organiser, zwolle)
    assert again.status_code == 302
    zwolle.refresh_from_db()
    assert zwolle.anonymised_at == first
    assert documents() == before

    # Every export: no row per participant, the date of the anonymising, the same scores.
    workbook = load_workbook(io.BytesIO(organiser.get(f"/s/{code}/export.xlsx").content))
    assert workbook["deelnemers"].max_row == 1
    assert workbook["antwoorden"].max_row == 1
    facts = {row[0]: row[1] for row in workbook["sessie"].iter_rows(values_only=True) if row[0]}
    anonymised_fact = next(k for k in facts if k.startswith("geanonimiseerd op"))
    # The workbook writes the local time (Amsterdam): near midnight its date is not UTC's.
    assert facts[anonymised_fact].date() == timezone.localtime(zwolle.anonymised_at).date()
    assert facts["deelnemers"] == before["counts"]
    assert facts["respondenten"] == before["respondents"]
    elements_after = [r for r in workbook["elementen"].iter_rows(values_only=True)]
    assert [r[:2] + r[3:] for r in elements_after] == [r[:2] + r[3:] for r in elements_before]
    for old, new in zip(elements_before[1:], elements_after[1:], strict=True):
        assert new[2] == pytest.approx(old[2])
    assert workbook["notities"].max_row == notes_before + 1
    for path, delimiter in (
        ("answers.csv", ","),
        ("wide.csv", ","),
        ("excel/answers.csv", ";"),
        ("excel/wide.csv", ";"),
    ):
        rows = csv_rows(organiser.get(f"/s/{code}/{path}").content, delimiter)
        assert len(rows) == 1, path  # the header, no participant
    codebook = organiser.get(f"/s/{code}/codebook.csv").content.decode("utf-8-sig")
    assert (
        f"geanonimiseerd op {timezone.localtime(zwolle.anonymised_at).date().isoformat()}"
        in codebook
    )
    for kind in ("long", "wide"):
        frame, meta = sav(organiser.get(f"/s/{code}/{kind}.sav").content)
        assert len(frame) == 0
        assert "anonymised" in meta.file_label
    compared = load_workbook(
        io.BytesIO(organiser.get(f"/organiser/compare.xlsx?codes={code}").content)
    )
    rows = list(compared["vergelijking"].iter_rows(values_only=True))[1:]
    assert [r[8] for r in rows] == pytest.approx(
        [score for _key, score, _n, _items in before["snapshot"]]
    )
    # The console says it, and no longer offers it.
    page = organiser.get(f"/s/{code}/organiser/").content.decode()
    assert 'id="anonymised-notice"' in page
    assert f"/s/{code}/anonymise/" not in page


def test_only_a_closed_session_is_anonymised_and_an_anonymised_one_stays_closed(
    organiser, workshop
):
    seat(workshop, ["entrepreneur", "policy"], answering=2)
    page = organiser.get(f"/s/{workshop.code}/anonymise/")
    assert page.status_code == 200
    assert "Alleen een afgesloten sessie kan worden geanonimiseerd" in page.content.decode()
    assert 'name="confirm_code"' not in page.content.decode()
    refused = anonymise(organiser, workshop)
    assert refused.status_code == 400
    assert "Alleen een afgesloten sessie" in refused.content.decode()
    english = organiser.post(
        f"/s/{workshop.code}/anonymise/",
        {"confirm_code": workshop.code},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Only a closed session can be anonymised" in english.content.decode()
    assert Participant.objects.filter(workshop=workshop).count() == 2

    workshop_update_state(workshop=workshop, phase=Phase.CLOSED)
    wrong = organiser.post(f"/s/{workshop.code}/anonymise/", {"confirm_code": "NOPE"})
    assert wrong.status_code == 400
    assert Participant.objects.filter(workshop=workshop).count() == 2
    assert anonymise(organiser, workshop).status_code == 302

    reopened = organiser.post(f"/s/{workshop.code}/state/", {"phase": Phase.SURVEY})
    assert reopened.status_code == 302
    workshop.refresh_from_db()
    assert workshop.phase == Phase.CLOSED
    # A paper form or an import would add a participant beside the kept totals: refused.
    imported = organiser.post(
        f"/s/{workshop.code}/import/",
        {"file": io.BytesIO(b"session,participant\r\n")},
        format="multipart",
    )
    assert imported.status_code == 400
    assert "geanonimiseerd" in imported.content.decode()
    assert not Participant.objects.filter(workshop=workshop).exists()


def test_the_console_proposes_anonymising_a_closed_session_past_the_teams_period(
    make_workshop, team, manager_client
):
    today = datetime.date.today()
    old = make_workshop(city="Oud", date=today - datetime.timedelta(days=400), team=team)
    recent = make_workshop(city="Nieuw", date=today - datetime.timedelta(days=30), team=team)
    open_old = make_workshop(city="Open", date=today - datetime.timedelta(days=400), team=team)
    for w in (old, recent):
        workshop_update_state(workshop=w, phase=Phase.CLOSED)

    def proposed(w: Workshop) -> bool:
        return (
            'id="retention-notice"'
            in manager_client.get(f"/s/{w.code}/organiser/").content.decode()
        )

    # No period: nothing is proposed.
    assert not any(proposed(w) for w in (old, recent, open_old))
    assert "anonimiseren?" not in manager_client.get("/organiser/").content.decode()

    response = manager_client.post(f"/organiser/teams/{team.slug}/retention/", {"months": "12"})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.retention_months == 12
    assert proposed(old)
    assert not proposed(recent)
    assert not proposed(open_old)  # not closed
    listing = manager_client.get("/organiser/").content.decode()
    assert listing.count("anonimiseren?") == 1
    row = next(line for line in listing.splitlines() if "anonimiseren?" in line)
    assert "Oud" in row

    assert anonymise(manager_client, old).status_code == 302
    assert not proposed(old)
    assert "anonimiseren?" not in manager_client.get("/organiser/").content.decode()


@pytest.mark.parametrize(
    "months",
    ["²", "７", "1_0", "-3", "0", "601", "9" * 40, "12\uffff", "\u200b", "1e3", " +7"],
)
def test_an_odd_retention_period_is_refused_with_a_message_and_nothing_is_stored(
    manager_client, team, months
):
    team.retention_months = 24
    team.save()
    url = f"/organiser/teams/{team.slug}/retention/"
    response = manager_client.post(url, {"months": months})
    assert response.status_code == 400
    assert "Geef een heel aantal maanden van 1 tot en met 600" in response.content.decode()
    english = manager_client.post(url, {"months": months}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert "Give a whole number of months from 1 to 600" in english.content.decode()
    team.refresh_from_db()
    assert team.retention_months == 24
    assert not AuditEvent.objects.filter(action=AuditAction.RETENTION).exists()


def test_the_retention_period_twice_is_stored_once_and_empty_is_none(manager_client, team):
    url = f"/organiser/teams/{team.slug}/retention/"
    assert manager_client.post(url, {"months": "18"}).status_code == 302
    assert manager_client.post(url, {"months": "18"}).status_code == 302
    team.refresh_from_db()
    assert team.retention_months == 18
    assert AuditEvent.objects.filter(action=AuditAction.RETENTION).count() == 1
    dutch = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert dutch.status_code == 200
    assert manager_client.post(url, {"months": ""}).status_code == 302
    team.refresh_from_db()
    assert team.retention_months is None


def test_someone_of_another_team_cannot_set_the_period(team, django_user_model):
    stranger = django_user_model.objects.create_user("vreemd", password="a-long-password-1")
    other = Team.objects.create(name="West", slug="west")
    Membership.objects.create(user=stranger, team=other, role=Role.MANAGER)
    client = Client()
    client.force_login(stranger)
    response = client.post(f"/organiser/teams/{team.slug}/retention/", {"months": "3"})
    assert response.status_code == 404
    team.refresh_from_db()
    assert team.retention_months is None


# --- the audit trail ------------------------------------------------------------------------


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_exports_and_imports_are_recorded_once_each(manager_client, manager, make_workshop, team):
    source = make_workshop(team=team)
    seat(source, ["entrepreneur", "policy"], answering=2)
    for path in ("export.xlsx", "answers.csv", "wide.csv", "codebook.csv", "long.sav"):
        assert manager_client.get(f"/s/{source.code}/{path}").status_code == 200
    exported = events(AuditAction.EXPORT)
    assert [e.detail["file"] for e in reversed(exported)] == [
        "export.xlsx",
        "answers.csv",
        "wide.csv",
        "codebook.csv",
        "long.sav",
    ]
    assert {(e.actor_id, e.team_id, e.session_code) for e in exported} == {
        (manager.pk, team.pk, source.code)
    }
    content = manager_client.get(f"/s/{source.code}/answers.csv").content
    target = make_workshop(city="Deventer", team=team)
    response = manager_client.post(
        f"/s/{target.code}/import/", {"file": io.BytesIO(content)}, format="multipart"
    )
    assert response.status_code == 302
    (imported,) = events(AuditAction.IMPORT)
    assert imported.session_code == target.code
    assert imported.detail["participants"] == 2
    refused = manager_client.post(
        f"/s/{target.code}/import/", {"file": io.BytesIO(b"\x00")}, format="multipart"
    )
    assert refused.status_code == 400
    assert len(events(AuditAction.IMPORT)) == 1


def test_phase_archive_delete_and_anonymise_are_recorded_and_outlive_the_session(
    manager_client, manager, make_workshop, team
):
    w = make_workshop(team=team, title="Dag van de impact")
    code = w.code
    manager_client.post(f"/s/{code}/state/", {"phase": Phase.DISCUSSION})
    manager_client.post(f"/s/{code}/state/", {"projector_mode": "chart"})  # not a phase
    manager_client.post(f"/s/{code}/state/", {"phase": Phase.CLOSED})
    assert [(e.detail["from"], e.detail["to"]) for e in reversed(events(AuditAction.PHASE))] == [
        (Phase.SURVEY, Phase.DISCUSSION),
        (Phase.DISCUSSION, Phase.CLOSED),
    ]
    manager_client.post(f"/s/{code}/archive/", {"archived": "1"})
    manager_client.post(f"/s/{code}/archive/", {"archived": "1"})  # the same POST twice
    manager_client.post(f"/s/{code}/archive/", {"archived": "0"})
    assert len(events(AuditAction.ARCHIVE)) == 1
    assert len(events(AuditAction.UNARCHIVE)) == 1
    anonymise(manager_client, w)
    anonymise(manager_client, w)
    assert len(events(AuditAction.ANONYMISE)) == 1
    manager_client.post(f"/s/{code}/delete/", {"confirm_code": code})
    assert not Workshop.objects.filter(code=code).exists()
    (deleted,) = events(AuditAction.DELETE)
    assert (deleted.session_code, deleted.session_title, deleted.actor_name) == (
        code,
        "Dag van de impact",
        "baas",
    )
    assert deleted.team_id == team.pk
    page = manager_client.get("/organiser/audit/").content.decode()
    assert code in page and "Dag van de impact" in page


def test_exclusions_and_their_undoing_are_recorded(manager_client, make_workshop, team):
    w = make_workshop(team=team)
    (phone,) = seat(w, ["entrepreneur"], answering=1)
    manager_client.post(
        f"/s/{w.code}/exclude/",
        {"joined_from": phone.joined_at.isoformat(), "joined_to": phone.joined_at.isoformat()},
    )
    (excluded,) = events(AuditAction.EXCLUDE)
    assert excluded.detail["count"] == 1
    exclusion = Exclusion.objects.get(workshop=w)
    manager_client.post(f"/s/{w.code}/exclude/{exclusion.pk}/undo/")
    manager_client.post(f"/s/{w.code}/exclude/{exclusion.pk}/undo/")  # twice: once recorded
    assert len(events(AuditAction.EXCLUDE_UNDO)) == 1


def test_invitations_new_links_and_deactivations_are_recorded(manager_client, manager, team):
    response = manager_client.post(
        "/organiser/people/invite/",
        {"username": "j.jansen", "name": "Jan", "team": team.slug, "role": "researcher"},
    )
    assert response.status_code == 200
    (invited,) = events(AuditAction.INVITE)
    assert invited.detail == {"username": "j.jansen", "role": "researcher"}
    assert (invited.actor_id, invited.team_id) == (manager.pk, team.pk)
    colleague = get_user_model().objects.get(username="j.jansen")
    manager_client.post(f"/organiser/people/{colleague.pk}/new-link/")
    manager_client.post(f"/organiser/people/{colleague.pk}/active/", {"active": "0"})
    manager_client.post(f"/organiser/people/{colleague.pk}/active/", {"active": "0"})
    manager_client.post(f"/organiser/people/{colleague.pk}/active/", {"active": "1"})
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == [
        AuditAction.INVITE,
        AuditAction.RESET,
        AuditAction.DEACTIVATE,
        AuditAction.ACTIVATE,
    ]
    assert {e.team_id for e in AuditEvent.objects.all()} == {team.pk}


def test_the_audit_page_shows_a_managers_teams_only_and_refuses_the_other_roles(
    manager_client, manager, team, make_workshop, django_user_model
):
    ours = make_workshop(team=team, city="Zwolle")
    other_team = Team.objects.create(name="West", slug="west")
    theirs = make_workshop(team=other_team, city="Leiden")
    west = django_user_model.objects.create_user("w-organiser", password="a-long-password-1")
    Membership.objects.create(user=west, team=other_team, role=Role.ORGANISER)
    west_client = Client()
    west_client.force_login(west)
    manager_client.get(f"/s/{ours.code}/export.xlsx")
    assert manager_client.get(f"/s/{theirs.code}/export.xlsx").status_code == 404  # not theirs
    west_client.get(f"/s/{theirs.code}/export.xlsx")
    manager_client.post(f"/s/{ours.code}/state/", {"phase": Phase.DISCUSSION})
    page = manager_client.get("/organiser/audit/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode().split("<tbody>")[1]
    assert ours.code in text and theirs.code not in text
    assert text.index("changed the phase") < text.index("exported")  # newest first
    only_exports = manager_client.get("/organiser/audit/?action=export").content.decode()
    assert "changed the phase" not in only_exports.split("<tbody>")[1]
    for odd in ("²", "７", "1_0", "-1", "9" * 40, "\uffff"):
        assert (
            manager_client.get("/organiser/audit/", {"page": odd, "action": odd}).status_code == 200
        )

    for role in (Role.ORGANISER, Role.RESEARCHER):
        user = django_user_model.objects.create_user(f"x-{role}", password="a-long-password-1")
        Membership.objects.create(user=user, team=team, role=role)
        client = Client()
        client.force_login(user)
        refused = client.get("/organiser/audit/", HTTP_ACCEPT_LANGUAGE="nl")
        assert refused.status_code == 403
        assert "Alleen de beheerder van een team" in refused.content.decode()
        assert ours.code not in refused.content.decode()

    boss = django_user_model.objects.create_superuser("root", password="a-long-password-1")
    client = Client()
    client.force_login(boss)
    everything = client.get("/organiser/audit/").content.decode()
    assert ours.code in everything and theirs.code in everything


def test_the_audit_page_is_paginated(manager_client, manager, team, make_workshop):
    w = make_workshop(team=team)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=manager,
            actor_name="baas",
            team=team,
            action=AuditAction.EXPORT,
            session_code=w.code,
            detail={"file": f"f{i}.csv"},
        )
        for i in range(120)
    )
    first = manager_client.get("/organiser/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first.count("<tr><td><time") == 50
    assert "Page 1 of 3" in first
    last = manager_client.get("/organiser/audit/?page=3", HTTP_ACCEPT_LANGUAGE="en")
    assert last.content.decode().count("<tr><td><time") == 20
