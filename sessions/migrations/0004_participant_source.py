"""Participants say how their answers came in (phone or paper form), for every export."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0003_instrument_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="source",
            field=models.CharField(
                choices=[("phone", "phone"), ("paper", "paper form")], default="phone", max_length=8
            ),
        ),
    ]
