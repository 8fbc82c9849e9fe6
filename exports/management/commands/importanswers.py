from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from core.errors import Rejected
from exports.services import ImportRefused, answers_import
from sessions.selectors import workshop_get


class Command(BaseCommand):
    help = (
        "Import answers into a session from a CSV or Excel file in the export's long format "
        "(answers.csv: participant, table, seat, role, source, statement, score, dont_know, ...). "
        "Every problem is listed by row and column; nothing is stored if there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="the session to import into")
        parser.add_argument("path", help="a .csv or .xlsx file")

    def handle(self, *args, code: str, path: str, **options):
        try:
            workshop = workshop_get(code=code)
        except Http404:
            raise CommandError(f"no session with code {code!r}") from None
        file = Path(path)
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            summary = answers_import(workshop=workshop, name=file.name, content=content)
        except ImportRefused as refused:
            for p in refused.problems:
                where = f"row {p.row}" + (f", column {p.column}" if p.column else "")
                self.stderr.write(f"{where}: {p.message}")
            raise CommandError(f"{refused} ({len(refused.problems)} problems)") from None
        except Rejected as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{summary.answers} answers of {summary.participants} participants imported "
            f"into {workshop.code} ({workshop.city})"
        )
