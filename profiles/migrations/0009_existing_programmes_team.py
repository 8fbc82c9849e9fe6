"""The programmes from before programmes had a team: each into the team most of its sessions
belong to, and one with no session of a team into the team "Scentiss" that the sessions'
upgrade (workshops 0008) made, so that everyone keeps seeing what they saw. A database with
no programme gets nothing."""

from collections import Counter

from django.db import migrations

TEAM_NAME = "Scentiss"
TEAM_SLUG = "scentiss"


def forwards(apps, schema_editor):
    Programme = apps.get_model("profiles", "Programme")
    Team = apps.get_model("accounts", "Team")
    default = None
    for programme in Programme.objects.filter(team__isnull=True):
        teams = Counter(
            programme.workshops.filter(team__isnull=False).values_list("team_id", flat=True)
        )
        if teams:
            programme.team_id = sorted(teams.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        else:
            if default is None:
                default, _created = Team.objects.get_or_create(
                    slug=TEAM_SLUG, defaults={"name": TEAM_NAME}
                )
            programme.team_id = default.pk
        programme.save(update_fields=["team"])


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0008_programme_team"),
        ("workshops", "0008_existing_sessions_team"),
    ]

    # Backwards: the column goes with 0008.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
