import datetime
import secrets
import socket

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.models import Role
from accounts.services import membership_set, team_get_or_create
from instrument.loader import instrument_load, read_instrument
from sessions.models import Phase, Workshop
from sessions.services import workshop_create
from sessions.urls_helpers import session_urls

DEMO_USER = "organiser"
DEMO_TEAM = "Demo"


def lan_address() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


class Command(BaseCommand):
    help = "Load the instrument, make the demo organiser and session if missing, print the URLs."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url: str, **options):
        if "//0.0.0.0" in base_url:
            # Listening on every interface: print an address phones on the LAN can reach.
            base_url = base_url.replace("0.0.0.0", lan_address())  # noqa: S104
        instrument, _ = instrument_load(read_instrument())
        password_file = settings.BASE_DIR / ".demo-login"
        User = get_user_model()
        if not User.objects.filter(username=DEMO_USER).exists():
            password = secrets.token_urlsafe(9)
            User.objects.create_superuser(DEMO_USER, "", password)
            password_file.write_text(password)
            password_file.chmod(0o600)
        password = password_file.read_text().strip() if password_file.exists() else "(unknown)"
        # The demo's organiser manages the Demo team: /organiser/people/ invites colleagues.
        organiser = User.objects.get(username=DEMO_USER)
        team = team_get_or_create(name=DEMO_TEAM)
        membership_set(user=organiser, team=team, role=Role.MANAGER)
        workshop = Workshop.objects.order_by("created_at").first()
        if workshop is None:
            workshop = workshop_create(
                city="Zwolle",
                date=datetime.date.today(),
                tables=4,
                title="Demo ecosysteemdialoog",
                instrument=instrument,
                phase=Phase.SURVEY,
                team=team,
            )
        urls = session_urls(workshop=workshop, base_url=base_url)
        self.stdout.write(
            "\n"
            f"  Scentiss Live is running: session {workshop.code} ({workshop.city})\n"
            f"  Organiser : {urls['organiser_url']}\n"
            f"              login {DEMO_USER} / {password} (manager of team {DEMO_TEAM})\n"
            f"  Projector : {urls['projector_url']}\n"
            f"  Join      : {urls['join_url']}\n"
        )
