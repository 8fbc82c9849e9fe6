"""Recount the tallies of stored sessions from their answers, after the tally rule changed
(survey/tallies.py). Each session in its own transaction. Run it while no session takes
answers: a tap that lands between the recount's read and write is not in the recount."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from sessions.models import Workshop
from survey.services import tallies_rebuild


class Command(BaseCommand):
    help = "Recount every session's tallies (or those given by code) from the stored answers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("codes", nargs="*", help="session codes (default: every session)")

    def handle(self, *args: Any, codes: list[str], **options: Any) -> None:
        sessions = Workshop.objects.order_by("pk")
        if codes:
            sessions = sessions.filter(code__in=[c.upper() for c in codes])
        count = 0
        for workshop_id in sessions.values_list("pk", flat=True):
            with transaction.atomic():
                tallies_rebuild(workshop_id=workshop_id)
            count += 1
        self.stdout.write(f"{count} session(s) recounted")
