from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from exports.views import export_filename, session_workbook, workbook_bytes
from sessions.selectors import workshop_get


class Command(BaseCommand):
    help = "Export a session to an Excel workbook (the organiser page's download)."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the session code")
        parser.add_argument("--out", default=None, help="file to write (default: named after it)")
        parser.add_argument(
            "--lang",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE[:2],
            help="language of the sheet names, headers and instrument texts",
        )

    def handle(self, *args, code: str, out: str | None, lang: str, **options):
        try:
            workshop = workshop_get(code=code)
        except Http404:
            raise CommandError(f"no session with code {code!r}") from None
        path = Path(out or export_filename(workshop, "xlsx"))
        path.write_bytes(workbook_bytes(session_workbook(workshop=workshop, lang=lang)))
        self.stdout.write(str(path))
