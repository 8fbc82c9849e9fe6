# The instrument (Instrument, Element, Statement) moved to the instrument app with its tables
# unchanged (db_table there): the survey's foreign keys point at the new app's models and the
# old models leave the survey's state. Nothing happens in the database.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('instrument', '0001_initial'),
        ('survey', '0004_answer_tallies'),
        # Every foreign key to the old models moves first, or the state would point at nothing.
        ('workshops', '0003_instrument_app'),
        ('notes', '0002_instrument_app'),
        ('profiles', '0002_instrument_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='answer',
                    name='statement',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='instrument.statement'),
                ),
                migrations.AlterField(
                    model_name='itemtally',
                    name='statement',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='instrument.statement'),
                ),
                migrations.AlterField(
                    model_name='elementtally',
                    name='element',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='instrument.element'),
                ),
                migrations.DeleteModel(name='Statement'),
                migrations.DeleteModel(name='Element'),
                migrations.DeleteModel(name='Instrument'),
            ],
            database_operations=[],
        ),
    ]
