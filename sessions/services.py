import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Max

from instrument.models import Instrument
from sessions import signals
from sessions.models import (
    MAX_TABLES,
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


def workshop_duplicate(
    *, source: Workshop, city: str, date: datetime.date, created_by: AbstractBaseUser | None
) -> Workshop:
    """The next city's session with this one's setup (title, tables, instrument); no answers.

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
        title=source.title,
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
