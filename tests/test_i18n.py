"""Dutch first, English second: by default, by the browser's language, and by the switch."""

from django.test import Client

from instrument.models import Statement


def test_dutch_by_default(client, workshop):
    html = client.get(f"/j/{workshop.code}/").content.decode()
    assert '<html lang="nl">' in html
    assert "Welkom bij de ecosysteemdialoog Zwolle" in html


def test_english_by_the_browsers_language(workshop):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    client.post(f"/j/{workshop.code}/", {"consent": "on"})
    html = client.get(f"/s/{workshop.code}/survey/1/").content.decode()
    assert '<html lang="en">' in html
    assert "Knowledge &amp; Skills" in html  # the instrument in English too
    assert "To foster impact entrepreneurship in Zwolle" in html
    assert "know / no opinion" in html


def test_the_visible_switch_changes_the_language_and_keeps_the_page(client, workshop):
    client.post(f"/j/{workshop.code}/", {"consent": "on"})
    page = f"/s/{workshop.code}/survey/2/"
    assert 'value="en"' in client.get(page).content.decode()  # the switch is on the page
    response = client.post("/i18n/setlang/", {"language": "en", "next": page})
    assert response["Location"] == page
    html = client.get(page).content.decode()
    assert "Social Network" in html
    client.post("/i18n/setlang/", {"language": "nl", "next": page})
    assert "Sociaal Netwerk" in client.get(page).content.decode()


def test_every_statement_has_both_languages(instrument):
    for s in Statement.objects.filter(element__instrument=instrument):
        assert s.full_text("Zwolle", "nl") != s.full_text("Zwolle", "en")
