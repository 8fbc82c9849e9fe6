from pathlib import Path

from django.core.management.base import BaseCommand

from instrument.loader import DEFAULT_INSTRUMENT, instrument_load, read_instrument


class Command(BaseCommand):
    help = "Load an instrument (questionnaire) from a JSON file; an existing version is kept as is."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_INSTRUMENT))

    def handle(self, *args, path: str, **options):
        instrument, created = instrument_load(read_instrument(Path(path)))
        state = "loaded" if created else "already present"
        self.stdout.write(f"{instrument} {state}")
