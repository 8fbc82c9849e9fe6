import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Max

from sessions.models import MAX_TABLES, Participant, Phase, Role, Table, Workshop
from survey.broadcast import results_changed
from survey.models import Instrument


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


def participant_join(*, workshop: Workshop, table: Table | None, role: str) -> Participant:
    """Give a phone a seat: the next free seat number at its table (or in the room)."""
    if role and role not in Role.values:
        raise ValueError("unknown role")
    for _attempt in range(10):
        try:
            with transaction.atomic():
                seats = Participant.objects.filter(workshop=workshop, table=table)
                seat = (seats.aggregate(m=Max("seat"))["m"] or 0) + 1
                participant = Participant.objects.create(
                    workshop=workshop, table=table, role=role, seat=seat
                )
                # The snapshot counts who joined, so a join is a new version too.
                Workshop.objects.filter(pk=workshop.pk).update(
                    results_version=F("results_version") + 1
                )
                transaction.on_commit(lambda: results_changed(workshop.pk))
        except IntegrityError:
            continue  # two phones took the same seat at once: take the next one
        return participant
    raise RuntimeError("could not find a free seat")


def workshop_set_phase(*, workshop: Workshop, phase: str) -> Workshop:
    if phase not in Phase.values:
        raise ValueError("unknown phase")
    Workshop.objects.filter(pk=workshop.pk).update(phase=phase)
    workshop.phase = phase
    return workshop
