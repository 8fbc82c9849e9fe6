from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.forms import InviteForm
from accounts.models import Role
from accounts.services import account_reset, membership_set, organiser_invite, team_get_or_create
from core.errors import Rejected


class Command(BaseCommand):
    help = (
        "Make an organiser account in a team (the team is made if missing) and print its "
        "one-time link to choose a password. An existing account is put in the team with the "
        "role; --new-link also gives it a new link (its password stops working)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--team", required=True, help="the team's name")
        parser.add_argument("--role", choices=Role.values, default=Role.ORGANISER)
        parser.add_argument("--name", default="", help="the person's name (optional)")
        parser.add_argument("--email", default="")
        parser.add_argument("--new-link", action="store_true")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, **o):
        with transaction.atomic():  # a refusal leaves no team behind
            self._handle(o)

    def _handle(self, o):
        try:
            team = team_get_or_create(name=o["team"])
        except Rejected as refused:
            raise CommandError(f"--team: {refused}") from None
        existing = User.objects.filter(username__iexact=o["username"].strip()).first()
        try:
            if existing is not None:
                membership_set(user=existing, team=team, role=o["role"])
                self.stdout.write(f"{existing.username}: {o['role']} of {team.name}")
                if not o["new_link"]:
                    return
                issued = account_reset(user=existing, by=None)
            else:
                form = InviteForm(
                    {
                        "username": o["username"],
                        "name": o["name"],
                        "email": o["email"],
                        "team": team.slug,
                        "role": o["role"],
                    },
                    teams=[team],
                )
                if not form.is_valid():
                    errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
                    raise CommandError(errors)
                data = form.cleaned_data
                issued = organiser_invite(
                    username=data["username"],
                    name=data["name"],
                    email=data["email"],
                    team=team,
                    role=data["role"],
                    created_by=None,
                )
                self.stdout.write(f"{issued.user.username}: {o['role']} of {team.name}")
        except Rejected as refused:
            raise CommandError(str(refused)) from None
        link = o["base_url"].rstrip("/") + reverse("welcome", args=[issued.token])
        expires = timezone.localtime(issued.invitation.expires_at).isoformat(timespec="minutes")
        self.stdout.write(f"link: {link}")
        self.stdout.write(f"valid once, until {expires}")
