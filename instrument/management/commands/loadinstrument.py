from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from instrument.loader import (
    DEFAULT_INSTRUMENT,
    InstrumentConflict,
    instrument_load,
    read_instrument,
)


class Command(BaseCommand):
    help = (
        "Load an instrument (questionnaire) from a JSON file. An existing version is kept as is; "
        "a file with other text under an existing version is refused (give it the next version: "
        "sessions keep the version they were made with, new sessions get the newest)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_INSTRUMENT))

    def handle(self, *args, path: str, **options):
        try:
            instrument, created = instrument_load(read_instrument(Path(path)))
        except InstrumentConflict as exc:
            raise CommandError(str(exc)) from exc
        state = "loaded" if created else "already present"
        self.stdout.write(f"{instrument} {state}")
