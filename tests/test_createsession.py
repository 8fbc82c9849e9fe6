import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sessions.models import Workshop


def test_createsession_prints_absolute_urls_as_json(instrument):
    out = StringIO()
    call_command(
        "createsession", "--city", "Zwolle", "--tables", "4", "--json",
        "--base-url", "https://scentiss.example.org", stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    workshop = Workshop.objects.get(code=data["code"])
    assert workshop.city == "Zwolle"
    assert workshop.tables.count() == 4
    base = "https://scentiss.example.org"
    assert data["join_url"] == f"{base}/j/{workshop.code}/"
    assert (
        data["projector_url"] == f"{base}/s/{workshop.code}/projector/?key={workshop.projector_key}"
    )
    assert data["organiser_url"] == f"{base}/s/{workshop.code}/organiser/"
    assert (
        data["results_url"] == f"{base}/s/{workshop.code}/results.json?key={workshop.projector_key}"
    )
    assert (
        data["live_url"]
        == f"wss://scentiss.example.org/ws/s/{workshop.code}/live/?key={workshop.projector_key}"
    )
    assert data["export_url"] == f"{base}/s/{workshop.code}/export.xlsx"
    keys = [t.chair_key for t in workshop.tables.order_by("number")]
    assert data["chair_urls"] == [f"{base}/s/{workshop.code}/chair/{k}/" for k in keys]
    assert len(set(keys)) == 4 and all(len(k) >= 20 for k in keys)


def test_createsession_default_base_url(instrument):
    out = StringIO()
    call_command("createsession", "--city", "Utrecht", "--json", stdout=out)
    assert json.loads(out.getvalue())["join_url"].startswith("http://127.0.0.1:8000/j/")


@pytest.mark.parametrize("args", [["--city", "X", "--tables", "0"], ["--city", "  "]])
def test_createsession_refuses_bad_input(instrument, args):
    with pytest.raises(CommandError):
        call_command("createsession", *args)
    assert not Workshop.objects.exists()


def test_each_session_keeps_the_instrument_it_ran_with(instrument):
    from instrument.loader import instrument_load, read_instrument

    out = StringIO()
    call_command("createsession", "--city", "Zwolle", "--json", stdout=out)
    first = Workshop.objects.get(code=json.loads(out.getvalue())["code"])
    data = read_instrument()
    newest = data["version"]
    data["version"] = newest + 1
    instrument_load(data)
    out = StringIO()
    call_command("createsession", "--city", "Groningen", "--json", stdout=out)
    second = Workshop.objects.get(code=json.loads(out.getvalue())["code"])
    assert first.instrument.version == newest
    assert second.instrument.version == newest + 1
