# The instrument moved from the survey app to its own (same table): state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('instrument', '0001_initial'),
        ('workshops', '0002_projector_modes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='workshop',
                    name='instrument',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='workshops', to='instrument.instrument'),
                ),
            ],
            database_operations=[],
        ),
    ]
