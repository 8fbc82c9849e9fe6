"""Version 2 of the Scentiss instrument: the hand-out's Dutch exactly (publiek-2's final ".",
the quotation marks of element 6's core question) and two English translations corrected
(netwerk-8, publiek-1). Version 1 stays: the sessions made with it keep it; new sessions get
the newest version."""

from django.db import migrations


def load(apps, schema_editor):
    from types import SimpleNamespace

    from survey.loader import INSTRUMENT_V2, instrument_load, read_instrument

    models = SimpleNamespace(
        Instrument=apps.get_model("survey", "Instrument"),
        Element=apps.get_model("survey", "Element"),
        Statement=apps.get_model("survey", "Statement"),
    )
    instrument_load(read_instrument(INSTRUMENT_V2), models=models)


class Migration(migrations.Migration):
    dependencies = [("survey", "0004_answer_tallies")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
