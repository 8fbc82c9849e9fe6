"""Version 2 of the Scentiss instrument: the hand-out's Dutch exactly (publiek-2's final ".",
the quotation marks of element 6's core question) and two English translations corrected
(netwerk-8, publiek-1). Version 1 stays: the sessions made with it keep it; new sessions get
the newest version."""

from django.db import migrations


def load(apps, schema_editor):
    from types import SimpleNamespace

    from instrument.loader import INSTRUMENT_V2, instrument_load, read_instrument

    models = SimpleNamespace(
        Instrument=apps.get_model("instrument", "Instrument"),
        Element=apps.get_model("instrument", "Element"),
        Statement=apps.get_model("instrument", "Statement"),
    )
    instrument_load(read_instrument(INSTRUMENT_V2), models=models)


class Migration(migrations.Migration):
    dependencies = [("instrument", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
