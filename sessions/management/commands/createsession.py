import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from accounts.services import team_get_or_create
from core.errors import Rejected
from instrument.loader import instrument_load, read_instrument
from instrument.models import Instrument
from sessions.models import MAX_TABLES, Phase
from sessions.services import workshop_create
from sessions.urls_helpers import session_urls


class Command(BaseCommand):
    help = "Create a session and print its URLs (with --json: one JSON object)."

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True)
        parser.add_argument("--tables", type=int, default=4)
        parser.add_argument("--title", default="")
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None)
        parser.add_argument("--instrument", default=None, help="instrument slug (newest version)")
        parser.add_argument("--phase", choices=Phase.values, default=Phase.JOIN)
        parser.add_argument(
            "--team", default="", help="the team whose organisers see it (made if missing)"
        )
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        if not 1 <= o["tables"] <= MAX_TABLES:
            raise CommandError(f"--tables must be 1..{MAX_TABLES}")
        if not o["city"].strip():
            raise CommandError("--city must not be empty")
        team = None
        if o["team"]:
            try:
                team = team_get_or_create(name=o["team"])
            except Rejected as refused:
                raise CommandError(f"--team: {refused}") from None
        instruments = Instrument.objects.all()
        if o["instrument"]:
            instruments = instruments.filter(slug=o["instrument"])
        instrument = instruments.order_by("-version", "-created_at").first()
        if instrument is None:
            if o["instrument"]:
                raise CommandError(f"no instrument {o['instrument']!r}")
            instrument, _ = instrument_load(read_instrument())
        workshop = workshop_create(
            city=o["city"],
            date=o["date"] or datetime.date.today(),
            tables=o["tables"],
            title=o["title"],
            instrument=instrument,
            phase=o["phase"],
            team=team,
        )
        urls = session_urls(workshop=workshop, base_url=o["base_url"])
        if o["json"]:
            self.stdout.write(json.dumps(urls, ensure_ascii=False))
        else:
            for key, value in urls.items():
                self.stdout.write(f"{key}: {value}")
