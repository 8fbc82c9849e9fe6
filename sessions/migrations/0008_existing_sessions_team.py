"""The sessions and accounts from before teams: every session into the team "Scentiss", every
account into it (staff as its managers, the others as organisers), so that everyone keeps
seeing what they saw. A database with neither gets no team."""

from django.conf import settings
from django.db import migrations

TEAM_NAME = "Scentiss"
TEAM_SLUG = "scentiss"


def forwards(apps, schema_editor):
    Workshop = apps.get_model("workshops", "Workshop")
    Team = apps.get_model("accounts", "Team")
    Membership = apps.get_model("accounts", "Membership")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    if not Workshop.objects.exists() and not User.objects.exists():
        return
    team, _created = Team.objects.get_or_create(slug=TEAM_SLUG, defaults={"name": TEAM_NAME})
    Workshop.objects.filter(team__isnull=True).update(team=team)
    for user in User.objects.all():
        role = "manager" if user.is_staff or user.is_superuser else "organiser"
        Membership.objects.get_or_create(user=user, team=team, defaults={"role": role})


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0007_workshop_team"),
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Backwards: the column goes with 0007; the team and memberships stay (harmless).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
