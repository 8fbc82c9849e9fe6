"""Write a programme's publication (the whole hand-out) as a Word file: the same file as the
programme page's download button.

    python manage.py publication 3 --out hand-out.docx
    python manage.py publication "Impact ondernemerschap in 5 steden" --out hand-out.docx
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from profiles.models import Programme
from profiles.publication import programme_publication


def find_programme(ref: str) -> Programme:
    """By id (plain ASCII digits) or by exact name; a name two programmes share is refused."""
    ref = ref.strip()
    if ref.isascii() and ref.isdigit() and len(ref) <= 18:
        programme = Programme.objects.filter(pk=int(ref)).first()
        if programme is not None:
            return programme
    matches = list(Programme.objects.filter(name=ref)[:2])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CommandError(f"Two or more programmes are named {ref!r}: give the id instead.")
    raise CommandError(f"No programme with id or name {ref!r}.")


class Command(BaseCommand):
    help = "Write a programme's publication (the hand-out) as a .docx file."

    def add_arguments(self, parser):
        parser.add_argument("programme", help="the programme's id or exact name")
        parser.add_argument(
            "--out", required=True, type=Path, help="the .docx file to write (overwritten)"
        )

    def handle(self, *args, **options):
        programme = find_programme(options["programme"])
        out: Path = options["out"]
        if out.parent and not out.parent.exists():
            raise CommandError(f"The folder {out.parent} does not exist.")
        content = programme_publication(programme=programme)
        out.write_bytes(content)
        self.stdout.write(f"{out} ({len(content):,} bytes): {programme.name}")
