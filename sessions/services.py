import datetime
import re
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import TEAM_NAME_MAX_LENGTH, AuditAction, ConsentText, Team
from accounts.services import audit_record, consent_text_store
from core.errors import Rejected
from core.inputs import clean_text
from instrument.models import Instrument
from sessions import signals
from sessions.models import (
    MAX_TABLES,
    PARTICIPANT_CAP_DEFAULT,
    PARTICIPANT_CAP_MAX,
    ROUND_MINUTES_MAX,
    SEAT_MAX,
    TABLE_FOCUS_MAX,
    Exclusion,
    ExclusionKind,
    Participant,
    Phase,
    ProjectorMode,
    Role,
    Source,
    Table,
    Workshop,
)
from sessions.selectors import anonymised_refusal, join_refusal, seat_highest


def _announce_results(workshop_id: int) -> None:
    signals.results_changed.send(sender=Workshop, workshop_id=workshop_id)


def _announce_seating(workshop_id: int, table_ids: list[int]) -> None:
    signals.seating_changed.send(sender=Workshop, workshop_id=workshop_id, table_ids=table_ids)


def workshop_create(
    *,
    city: str,
    date: datetime.date,
    tables: int,
    instrument: Instrument,
    title: str = "",
    created_by: User | None = None,
    phase: str = Phase.JOIN,
    participant_cap: int = PARTICIPANT_CAP_DEFAULT,
    team: Team | None = None,
    focus: dict[int, str] | None = None,
) -> Workshop:
    """A new session with its tables; `focus`: {table number: sector or district} for the
    tables that have one."""
    if not 1 <= tables <= MAX_TABLES:
        raise ValueError(f"tables must be 1..{MAX_TABLES}")
    focus = {
        number: clean_text(text, max_length=TABLE_FOCUS_MAX, multiline=False)
        for number, text in (focus or {}).items()
    }
    if any(not 1 <= number <= tables for number in focus):
        raise ValueError("a focus for a table the session does not have")
    if not 1 <= participant_cap <= PARTICIPANT_CAP_MAX:
        raise ValueError(f"participant_cap must be 1..{PARTICIPANT_CAP_MAX}")
    city = clean_text(city, max_length=100, required=True)
    title = clean_text(title, max_length=200)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(
                    city=city,
                    date=date,
                    title=title,
                    instrument=instrument,
                    created_by=created_by,
                    phase=phase,
                    participant_cap=participant_cap,
                    team=team,
                )
                Table.objects.bulk_create(
                    Table(workshop=workshop, number=n, focus=focus.get(n, ""))
                    for n in range(1, tables + 1)
                )
                return workshop
        except IntegrityError:
            continue  # a code collision: draw another
    raise RuntimeError("could not draw a free session code")


def participant_join(
    *,
    workshop: Workshop,
    table: Table | None,
    role: str,
    source: str = Source.PHONE,
    closed_ok: bool = False,
    consent: ConsentText | None = None,
) -> Participant:
    """Give a phone (or a paper form) a seat: the next free seat number at its table (or in
    the room).

    Refused (Rejected) once the session has `participant_cap` participants, and in a closed
    session unless `closed_ok` (a chair adding a seat for someone without a phone) or the
    seat is a paper form's (typed in afterwards). `consent`: the consent text the phone
    agreed to (recorded with the moment).

    Joins of one session are serialised on the session's row: the version bump that every
    join makes anyway comes first and holds the row's lock until commit, so the seat number
    and the cap are read by one join at a time, on any number of server processes (two
    processes used to pick the same seat and give up after ten retries: a 500). The unique
    constraints per table and room stay as the guarantee.
    """
    if role and role not in Role.values:
        raise ValueError("unknown role")
    with transaction.atomic():
        # The snapshot counts who joined, so a join is a new version too; the UPDATE also
        # locks the session's row until this transaction ends.
        _execute(_BUMP_VERSION, [workshop.pk])
        refusal = join_refusal(
            workshop_id=workshop.pk, closed_ok=closed_ok or source == Source.PAPER
        )
        if refusal is not None:
            raise Rejected(refusal)
        participant = _participant_insert(
            workshop=workshop,
            table=table,
            role=role,
            seat=_free_seat(workshop, table),
            source=source,
            consent=consent,
        )
        transaction.on_commit(lambda: _announce_results(workshop.pk))
        if table is not None:  # the table's chair sees the new row without a reload
            transaction.on_commit(lambda: _announce_seating(workshop.pk, [table.pk]))
    return participant


# A join's two writes in plain SQL: composing them through the ORM (filter().update(F + 1),
# objects.create) cost more server CPU than running them (py-spy: 12.8% of a joining room's
# samples in participant_join, nearly all of it the ORM's compilers).
_W, _P = Workshop._meta.db_table, Participant._meta.db_table
_BUMP_VERSION = f"UPDATE {_W} SET results_version = results_version + 1 WHERE id = %s"  # noqa: S608
_JOIN_FIELDS = [
    f for f in Participant._meta.concrete_fields if not f.primary_key
]  # every column but the id, in the model's order
_INSERT_PARTICIPANT = (
    f"INSERT INTO {_P} ({', '.join(str(f.column) for f in _JOIN_FIELDS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_JOIN_FIELDS))}) RETURNING id"
)


def _execute(sql: str, params: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else None


def _participant_insert(
    *,
    workshop: Workshop,
    table: Table | None,
    role: str,
    seat: int,
    source: str,
    consent: ConsentText | None,
) -> Participant:
    """Participant.objects.create(...) as one INSERT written out: the same row (each value
    prepared by its field for this database, as the ORM does), the same instance back."""
    now = timezone.now()
    participant = Participant(
        workshop=workshop,
        table=table,
        role=role,
        seat=seat,
        source=source,
        consent=consent,
        consented_at=now if consent is not None else None,
        joined_at=now,
    )
    if not connection.features.can_return_columns_from_insert:  # an old SQLite
        participant.save(force_insert=True)
        return participant
    values = [f.get_db_prep_save(getattr(participant, f.attname), connection) for f in _JOIN_FIELDS]
    (participant.pk,) = _execute(_INSERT_PARTICIPANT, values)
    participant._state.adding = False
    participant._state.db = connection.alias
    return participant


def _free_seat(workshop: Workshop, table: Table | None) -> int:
    """The next seat number at the table (or in the room): one past the highest, or, should
    that pass SEAT_MAX (seats of left participants leave gaps), the lowest free one. The cap
    (at most SEAT_MAX) guarantees there is one."""
    top = seat_highest(workshop_id=workshop.pk, table_id=None if table is None else table.pk)
    if top < SEAT_MAX:
        return top + 1
    seats = Participant.objects.filter(workshop=workshop, table=table)
    taken = set(seats.values_list("seat", flat=True))
    return next(n for n in range(1, SEAT_MAX + 1) if n not in taken)


def participants_exclude(
    *,
    workshop: Workshop,
    joined_from: datetime.datetime,
    joined_to: datetime.datetime,
    by: User | None,
) -> Exclusion:
    """Take the phones that joined between two moments (both included) out of the results:
    the live results, the projector, the dashboard's counts and every export leave them out,
    and their phones' answers are refused from now on. Their stored answers stay, so
    `exclusion_undo` brings them back. Paper forms and chairs' seats are never taken out.

    Refused (Rejected, nothing changed) if no such phone counts now."""
    if joined_from > joined_to:
        raise Rejected(_("That time span is not valid; nothing changed."))
    anonymised_refusal(workshop=workshop)
    with transaction.atomic():
        # A new version for the projectors; the UPDATE also locks the session's row, so a
        # join waits and is either in before or out of the span's count.
        Workshop.objects.filter(pk=workshop.pk).update(results_version=F("results_version") + 1)
        chosen = list(
            Participant.objects.filter(
                workshop=workshop,
                source=Source.PHONE,
                exclusion__isnull=True,
                extra_seat__isnull=True,
                joined_at__gte=joined_from,
                joined_at__lte=joined_to,
            ).values_list("pk", flat=True)
        )
        if not chosen:
            raise Rejected(_("No participant that counts joined in that time; nothing changed."))
        exclusion = Exclusion.objects.create(
            workshop=workshop,
            joined_from=joined_from,
            joined_to=joined_to,
            count=len(chosen),
            created_by=by,
        )
        Participant.objects.filter(pk__in=chosen).update(exclusion=exclusion)
        audit_record(
            actor=by,
            action=AuditAction.EXCLUDE,
            workshop=workshop,
            detail={"exclusion": exclusion.pk, "count": len(chosen)},
        )
        transaction.on_commit(lambda: _announce_results(workshop.pk))
    return exclusion


def exclusion_undo(*, exclusion: Exclusion, by: User | None) -> bool:
    """Put an exclusion's participants back into the results (their answers with them); the
    exclusion stays on record as undone. False if it was undone already (nothing changed)."""
    if exclusion.kind == ExclusionKind.WITHDRAWAL:
        raise Rejected(_("A participant withdrew; only they could decide otherwise."))
    anonymised_refusal(workshop=exclusion.workshop)
    with transaction.atomic():
        Workshop.objects.filter(pk=exclusion.workshop_id).update(
            results_version=F("results_version") + 1
        )
        undone = Exclusion.objects.filter(pk=exclusion.pk, undone_at__isnull=True).update(
            undone_at=timezone.now(), undone_by=by
        )
        if not undone:
            transaction.set_rollback(True)
            return False
        Participant.objects.filter(exclusion=exclusion).update(exclusion=None)
        audit_record(
            actor=by,
            action=AuditAction.EXCLUDE_UNDO,
            workshop=exclusion.workshop,
            detail={"exclusion": exclusion.pk, "count": exclusion.count},
        )
        transaction.on_commit(lambda: _announce_results(exclusion.workshop_id))
    return True


def participant_withdraw(*, participant: Participant) -> Participant:
    """The participant withdraws (from their phone): their answers leave the live results, the
    projector, the dashboard and every export, and their phone's taps are refused, as for an
    exclusion (`Exclusion` of the kind WITHDRAWAL, which the organiser cannot undo). Their
    stored answers stay in the database, counted nowhere, until the session's data is deleted.

    Only while the session is open (not closed, not archived); the same request twice is one
    withdrawal (the first one's moment is kept)."""
    with transaction.atomic():
        # A new version for the projectors; the UPDATE also locks the session's row.
        Workshop.objects.filter(pk=participant.workshop_id).update(
            results_version=F("results_version") + 1
        )
        current = (
            Participant.objects.select_related("workshop", "exclusion")
            .select_for_update(of=("self",))
            .get(pk=participant.pk)
        )
        if current.withdrawn_at is not None:
            transaction.set_rollback(True)  # no new version: nothing changed
            return current
        workshop = current.workshop
        if workshop.archived or workshop.phase == Phase.CLOSED:
            raise Rejected(
                _(
                    "The session has ended, so you can no longer withdraw here. Ask the "
                    "organiser: they can take your answers out."
                )
            )
        now = timezone.now()
        current.exclusion = Exclusion.objects.create(
            workshop=workshop,
            kind=ExclusionKind.WITHDRAWAL,
            joined_from=current.joined_at,
            joined_to=current.joined_at,
            count=1,
        )
        current.withdrawn_at = now
        current.save(update_fields=["exclusion", "withdrawn_at"])
        transaction.on_commit(lambda: _announce_results(workshop.pk))
        if current.table_id is not None:  # the chair's board loses the row
            table_id = current.table_id
            transaction.on_commit(lambda: _announce_seating(workshop.pk, [table_id]))
    return current


def workshop_consent_set(
    *, workshop: Workshop, fields: dict[str, str] | None, by: User | None, inherited: ConsentText
) -> Workshop:
    """Give the session its own consent text (None: the team's, or the built-in one, again).
    A text the same as the one it would inherit (`inherited`) is that one: the session then
    follows its team's text."""
    text = None if fields is None else consent_text_store(fields=fields, created_by=by)
    if text is not None and text.pk == inherited.pk:
        text = None
    Workshop.objects.filter(pk=workshop.pk).update(consent_text=text)
    workshop.consent_text = text
    return workshop


def _impossible() -> Rejected:
    """The refusal of a change the organiser's controls do not offer (a table or element
    that is not there, a phase or mode that does not exist)."""
    return Rejected(_("That change is not possible; nothing changed."))


def workshop_update_state(
    *,
    workshop: Workshop,
    phase: str | None = None,
    projector_mode: str | None = None,
    projector_element: int | None = None,
    projector_table: int | None = None,
    results_revealed: bool | None = None,
) -> Workshop:
    """Change what the room sees: the phase, the projector's mode and element, the reveal.
    A table (by number) puts the projector on that table against the rest of the room.

    One version bump and one broadcast for the whole change; phones and projectors follow.
    Moving to the results phase shows the results in the same step: the projector switches
    to the spider chart and the phones to their results (unless the call says otherwise), and
    the round timer stops (as it does on closing).
    Refused (Rejected, nothing changed) for an unknown phase, mode, table or element, and for
    another phase of an anonymised session.
    """
    if phase == Phase.RESULTS and workshop.phase != Phase.RESULTS:
        projector_mode = ProjectorMode.CHART if projector_mode is None else projector_mode
        results_revealed = True if results_revealed is None else results_revealed
    changes: dict[str, Any] = {}
    if phase is not None:
        if phase not in Phase.values:
            raise _impossible()
        if workshop.anonymised_at is not None and phase != workshop.phase:
            # An anonymised session stays closed: its participants are gone, and reopened it
            # would mix new answers with kept totals.
            raise _impossible()
        changes["phase"] = phase
    if projector_table is not None:
        if not Table.objects.filter(workshop=workshop, number=projector_table).exists():
            raise _impossible()
        changes["projector_table"] = projector_table
        projector_mode = ProjectorMode.TABLE if projector_mode is None else projector_mode
    if (
        projector_mode == ProjectorMode.TABLE
        and (projector_table or workshop.projector_table) is None
    ):
        raise _impossible()  # the projector on "a table" without one
    if projector_mode is not None:
        if projector_mode not in ProjectorMode.values:
            raise _impossible()
        changes["projector_mode"] = projector_mode
    if projector_element is not None:
        if not 1 <= projector_element <= workshop.instrument.elements.count():
            raise _impossible()
        changes["projector_element"] = projector_element
    if results_revealed is not None:
        changes["results_revealed"] = bool(results_revealed)
    if changes.get("phase", Phase.JOIN) != Phase.JOIN:
        changes["rehearsing"] = False  # the survey starts: a rehearsal is over
    if changes.get("phase") in (Phase.RESULTS, Phase.CLOSED):
        changes["round_ends_at"] = None  # the discussion's rounds are over: no timer left
    changes = {k: v for k, v in changes.items() if getattr(workshop, k) != v}
    if not changes:
        return workshop
    with transaction.atomic():
        Workshop.objects.filter(pk=workshop.pk).update(
            **changes, results_version=F("results_version") + 1
        )
        transaction.on_commit(lambda: _announce_results(workshop.pk))
        if "phase" in changes or "results_revealed" in changes:
            phase = changes.get("phase", workshop.phase)
            revealed = changes.get("results_revealed", workshop.results_revealed)
            transaction.on_commit(
                lambda: signals.phone_state_changed.send(
                    sender=Workshop, workshop_id=workshop.pk, phase=phase, revealed=revealed
                )
            )
    for key, value in changes.items():
        setattr(workshop, key, value)
    return workshop


def workshop_set_rehearsing(*, workshop: Workshop, rehearsing: bool) -> None:
    """Start or end the rehearsal: while it runs, phones that join in the arrival phase can
    answer. Refused (Rejected) once the survey phase has started."""
    if rehearsing and workshop.phase != Phase.JOIN:
        raise Rejected(
            _("The survey has started: a rehearsal is only possible in the arrival phase.")
        )
    Workshop.objects.filter(pk=workshop.pk).update(rehearsing=rehearsing)
    workshop.rehearsing = rehearsing


def workshop_round(*, workshop: Workshop, action: str, minutes: int | None = None) -> Workshop:
    """The round timer of the discussion, one element per round.

    "start": a round of `minutes` (else the last length) for the projector's element, from now;
    "next": the projector shows the next element's discussion questions and its round starts;
    "stop": no timer. The projectors and the console follow (a new version, one broadcast).
    Refused (Rejected, nothing changed) past the last element or with an odd length."""
    if minutes is not None and not 1 <= minutes <= ROUND_MINUTES_MAX:
        raise Rejected(_("A round lasts 1 to %(max)d minutes.") % {"max": ROUND_MINUTES_MAX})
    length = minutes or workshop.round_minutes
    changes: dict[str, Any] = {"round_minutes": length}
    if action == "stop":
        changes["round_ends_at"] = None
    elif action in ("start", "next"):
        changes["round_ends_at"] = timezone.now() + datetime.timedelta(minutes=length)
        if action == "next":
            if workshop.projector_element >= workshop.instrument.elements.count():
                raise Rejected(_("This is the last element: there is no next one."))
            changes["projector_element"] = workshop.projector_element + 1
            changes["projector_mode"] = ProjectorMode.DISCUSSION
    else:
        raise _impossible()
    with transaction.atomic():
        Workshop.objects.filter(pk=workshop.pk).update(
            **changes, results_version=F("results_version") + 1
        )
        transaction.on_commit(lambda: _announce_results(workshop.pk))
    for key, value in changes.items():
        setattr(workshop, key, value)
    return workshop


def workshop_update(
    *,
    workshop: Workshop,
    city: str,
    title: str,
    date: datetime.date,
    tables: int,
    participant_cap: int | None = None,
    focus: dict[int, str] | None = None,
) -> Workshop:
    """Edit a session on the day: its city, title, date, and more tables (numbered on from
    the last). Tables are never removed here: a table may hold people and notes.

    Projectors and the organiser's page follow (a new version); phones see it on their next page.
    """
    city, title = city.strip(), title.strip()
    if not city:
        raise ValueError("city is required")
    if not 1 <= tables <= MAX_TABLES:
        raise ValueError(f"tables must be 1..{MAX_TABLES}")
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        have = list(Table.objects.filter(workshop=locked).values_list("number", flat=True))
        if tables < len(have):
            raise ValueError("tables are never removed")
        last = max(have, default=0)
        Table.objects.bulk_create(
            Table(workshop=locked, number=n) for n in range(last + 1, last + 1 + tables - len(have))
        )
        focus_tables = []
        for number, text in (focus or {}).items():
            text = " ".join(text.split())[:TABLE_FOCUS_MAX]
            table = Table.objects.filter(workshop=locked, number=number).exclude(focus=text)
            focus_tables += list(table.values_list("pk", flat=True))
            table.update(focus=text)
        cap = {} if participant_cap is None else {"participant_cap": participant_cap}
        if participant_cap is not None and not 1 <= participant_cap <= PARTICIPANT_CAP_MAX:
            raise ValueError(f"participant_cap must be 1..{PARTICIPANT_CAP_MAX}")
        Workshop.objects.filter(pk=workshop.pk).update(
            city=city, title=title, date=date, results_version=F("results_version") + 1, **cap
        )
        transaction.on_commit(lambda: _announce_results(workshop.pk))
        # Chairs see a new focus of their table.
        if city != locked.city:  # every chair's heading names the city
            focus_tables = list(Table.objects.filter(workshop=locked).values_list("pk", flat=True))
        transaction.on_commit(lambda: _announce_seating(workshop.pk, list(focus_tables)))
    workshop.city, workshop.title, workshop.date = city, title, date
    if participant_cap is not None:
        workshop.participant_cap = participant_cap
    return workshop


def duplicate_title(*, title: str, old_city: str, new_city: str) -> str:
    """The source's title for the next city: its city's name replaced by the new one, so the
    Utrecht projector never says "Groningen"."""
    if not old_city.strip() or old_city.strip().casefold() == new_city.strip().casefold():
        return title
    pattern = re.compile(rf"(?<!\w){re.escape(old_city.strip())}(?!\w)", re.IGNORECASE)
    return pattern.sub(lambda _m: new_city.strip(), title)


def workshop_duplicate(
    *,
    source: Workshop,
    city: str,
    date: datetime.date,
    created_by: User | None,
    title: str = "",
    keep_focus: bool = True,
) -> Workshop:
    """The next city's session with this one's setup (tables, their focus unless `keep_focus`
    is off, instrument); no answers. The title is the one given, else the source's with the
    new city in place of the old.

    A new session gets the newest version of the source's instrument (a corrected version is
    meant for every session from now on; the source keeps the version it ran with)."""
    instrument = (
        Instrument.objects.filter(slug=source.instrument.slug).order_by("-version").first()
        or source.instrument
    )
    return workshop_create(
        city=city,
        date=date,
        tables=source.tables.count() or 1,
        instrument=instrument,
        title=title.strip()
        or duplicate_title(title=source.title, old_city=source.city, new_city=city),
        created_by=created_by,
        participant_cap=source.participant_cap,
        team=source.team,
        focus={t.number: t.focus for t in source.tables.exclude(focus="")} if keep_focus else None,
    )


def workshop_set_archived(*, workshop: Workshop, archived: bool) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(archived=archived)
    workshop.archived = archived


def workshop_share(*, workshop: Workshop, team_slug: str, shared: bool) -> Team:
    """Share the session read-only with another team (`shared`), or stop sharing it. The
    other team's members then read and export it, compare it with theirs and hold it in
    their programmes; they change nothing. Once stopped, nothing of theirs names it any more
    (their programmes, recommendations and tags keep it unseen: profiles'
    programme_sessions, through workshops_for_team), and sharing it again shows it again.
    Sharing twice, or stopping what was not shared, changes nothing."""
    code = str(team_slug).strip().lower()
    if shared and workshop.team_id is None:
        raise Rejected(_("A session of no team cannot be shared: it has no team to share it."))
    if not code:
        raise Rejected(_("Choose a team from the list, or type another team's code."))
    # Only a code a team can have is looked up (PostgreSQL refuses a NUL byte in a query);
    # any other is as unknown as a code of no team.
    team = None
    if len(code) <= TEAM_NAME_MAX_LENGTH and "\x00" not in code:
        team = Team.objects.filter(slug=code).first()
    if not shared and (team is None or not workshop.shared_with.filter(pk=team.pk).exists()):
        # One message whether the team exists or not: stopping tells nobody a team's name.
        raise Rejected(_("This session is not shared with that team."))
    if team is None:
        # The same message for a code of no team and a mistyped one: the form never tells
        # which teams exist.
        raise Rejected(
            _(
                "No team has this code. Ask the other team for it: their organisers find "
                "their team's code under “Share read-only” on their sessions' pages."
            )
        )
    if team.pk == workshop.team_id:
        raise Rejected(_("The session already belongs to this team."))
    if shared:
        workshop.shared_with.add(team)
    else:
        workshop.shared_with.remove(team)
    return team


def workshop_delete(*, workshop: Workshop) -> None:
    """Delete the session with its tables, participants, answers and notes (all cascade).

    Participants go first: deleting the tables first would set their table to NULL, and seat
    numbers that were unique per table then collide in the room-wide constraint.
    """
    with transaction.atomic():
        Participant.objects.filter(workshop=workshop).delete()
        workshop.delete()
