# The instrument moved from the survey app to its own (same tables): state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('instrument', '0001_initial'),
        ('notes', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='note',
                    name='element',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='notes', to='instrument.element'),
                ),
                migrations.AlterField(
                    model_name='observation',
                    name='element',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='observations', to='instrument.element'),
                ),
            ],
            database_operations=[],
        ),
    ]
