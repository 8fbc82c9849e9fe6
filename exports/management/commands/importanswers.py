from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from core.errors import Rejected
from exports.imports import more_problems
from exports.services import ImportRefused, answers_import
from sessions.selectors import workshop_get


class Command(BaseCommand):
    help = (
        "Import answers into a session from a file the app writes: the long CSV (answers.csv: "
        "participant, table, seat, role, source, statement, score, dont_know, ...) or the "
        "session workbook (export.xlsx, either language: its participants too). "
        "Every problem is listed by row and column; nothing is stored if there is any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the session to import into")
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="path",
            help="a .csv or .xlsx file; or answers.csv with wide.csv (the participants) and "
            "session.json (the tables' focus), read together",
        )

    def handle(self, *args: Any, code: str, paths: list[str], **options: Any) -> None:
        try:
            workshop = workshop_get(code=code)
        except Http404:
            raise CommandError(f"no session with code {code!r}") from None
        files = []
        for path in paths:
            file = Path(path)
            try:
                files.append((file.name, file.read_bytes()))
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            summary = answers_import(workshop=workshop, files=files)
        except ImportRefused as refused:
            for p in refused.problems:
                where = [f"sheet {p.sheet}"] if p.sheet else []
                where += [f"row {p.row}"] if p.row else ["file"]
                where += [f"column {p.column}"] if p.column else []
                self.stderr.write(f"{', '.join(where)}: {p.message}")
            if refused.omitted:
                self.stderr.write(more_problems(refused.omitted))
            total = len(refused.problems) + refused.omitted
            raise CommandError(f"{refused} ({total} problems)") from None
        except Rejected as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{summary.answers} answers of {summary.participants} participants imported "
            f"into {workshop.code} ({workshop.city})"
        )
