import datetime
import re

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Max

from instrument.models import Instrument
from sessions import signals
from sessions.models import (
    MAX_TABLES,
    TABLE_FOCUS_MAX,
    Participant,
    Phase,
    ProjectorMode,
    Role,
    Source,
    Table,
    Workshop,
)


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
    created_by: AbstractBaseUser | None = None,
    phase: str = Phase.JOIN,
) -> Workshop:
    if not 1 <= tables <= MAX_TABLES:
        raise ValueError(f"tables must be 1..{MAX_TABLES}")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(
                    city=city.strip(),
                    date=date,
                    title=title.strip(),
                    instrument=instrument,
                    created_by=created_by,
                    phase=phase,
                )
                Table.objects.bulk_create(
                    Table(workshop=workshop, number=n) for n in range(1, tables + 1)
                )
                return workshop
        except IntegrityError:
            continue  # a code collision: draw another
    raise RuntimeError("could not draw a free session code")


def participant_join(
    *, workshop: Workshop, table: Table | None, role: str, source: str = Source.PHONE
) -> Participant:
    """Give a phone (or a paper form) a seat: the next free seat number at its table (or in
    the room)."""
    if role and role not in Role.values:
        raise ValueError("unknown role")
    for _attempt in range(10):
        try:
            with transaction.atomic():
                seats = Participant.objects.filter(workshop=workshop, table=table)
                seat = (seats.aggregate(m=Max("seat"))["m"] or 0) + 1
                participant = Participant.objects.create(
                    workshop=workshop, table=table, role=role, seat=seat, source=source
                )
                # The snapshot counts who joined, so a join is a new version too.
                Workshop.objects.filter(pk=workshop.pk).update(
                    results_version=F("results_version") + 1
                )
                transaction.on_commit(lambda: _announce_results(workshop.pk))
                if table is not None:  # the table's chair sees the new row without a reload
                    transaction.on_commit(lambda: _announce_seating(workshop.pk, [table.pk]))
        except IntegrityError:
            continue  # two phones took the same seat at once: take the next one
        return participant
    raise RuntimeError("could not find a free seat")


def workshop_update_state(
    *,
    workshop: Workshop,
    phase: str | None = None,
    projector_mode: str | None = None,
    projector_element: int | None = None,
    results_revealed: bool | None = None,
) -> Workshop:
    """Change what the room sees: the phase, the projector's mode and element, the reveal.

    One version bump and one broadcast for the whole change; phones and projectors follow.
    """
    changes: dict = {}
    if phase is not None:
        if phase not in Phase.values:
            raise ValueError("unknown phase")
        changes["phase"] = phase
    if projector_mode is not None:
        if projector_mode not in ProjectorMode.values:
            raise ValueError("unknown projector mode")
        changes["projector_mode"] = projector_mode
    if projector_element is not None:
        if not 1 <= projector_element <= workshop.instrument.elements.count():
            raise ValueError("no such element")
        changes["projector_element"] = projector_element
    if results_revealed is not None:
        changes["results_revealed"] = bool(results_revealed)
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


def workshop_update(
    *,
    workshop: Workshop,
    city: str,
    title: str,
    date: datetime.date,
    tables: int,
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
        Workshop.objects.filter(pk=workshop.pk).update(
            city=city, title=title, date=date, results_version=F("results_version") + 1
        )
        transaction.on_commit(lambda: _announce_results(workshop.pk))
        # Chairs see a new focus of their table.
        transaction.on_commit(lambda: _announce_seating(workshop.pk, list(focus_tables)))
    workshop.city, workshop.title, workshop.date = city, title, date
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
    created_by: AbstractBaseUser | None,
    title: str = "",
) -> Workshop:
    """The next city's session with this one's setup (tables, instrument); no answers. The
    title is the one given, else the source's with the new city in place of the old.

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
    )


def workshop_set_archived(*, workshop: Workshop, archived: bool) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(archived=archived)
    workshop.archived = archived


def workshop_delete(*, workshop: Workshop) -> None:
    """Delete the session with its tables, participants, answers and notes (all cascade).

    Participants go first: deleting the tables first would set their table to NULL, and seat
    numbers that were unique per table then collide in the room-wide constraint.
    """
    with transaction.atomic():
        Participant.objects.filter(workshop=workshop).delete()
        workshop.delete()
