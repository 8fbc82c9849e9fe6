from django.db import migrations


def load(apps, schema_editor):
    from types import SimpleNamespace

    from instrument.loader import INSTRUMENT_V1, instrument_load, read_instrument

    models = SimpleNamespace(
        Instrument=apps.get_model("survey", "Instrument"),
        Element=apps.get_model("survey", "Element"),
        Statement=apps.get_model("survey", "Statement"),
    )
    instrument_load(read_instrument(INSTRUMENT_V1), models=models)


class Migration(migrations.Migration):
    dependencies = [("survey", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
