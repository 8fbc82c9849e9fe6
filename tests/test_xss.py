"""No script injection: every text a user types is shown as text.

Known payloads go in through every form people type into (the organiser's new-session form,
`createsession`, the duplicate form, the chair's notes and seats, observations) and then every
page that shows them is parsed: no <script> but our own files and JSON data, no event-handler
attribute, no javascript: URL, the JSON data intact and holding the payload as a string, and
the payload itself visible as text where the page shows it.
"""

import io
import json
import re
import uuid
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.test import Client

from instrument.models import Statement
from notes.models import Note, Observation
from sessions.models import Participant, Phase, Workshop
from sessions.services import duplicate_title, workshop_update_state

HTMX = {"HTTP_HX_REQUEST": "true"}

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}{% debug %}",
    "</script><script>alert(1)</script>",
    "';alert(1);//\u2028<!--",
    "<svg onload=alert(1)>\n<a href='javascript:alert(1)'>x</a>",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}


class Page(HTMLParser):
    """What a browser would make of a page, as far as script injection goes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.texts: list[str] = []
        self._script: dict | None = None
        self._script_data: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        for name, value in attrs:
            self.attributes.append((tag, name.lower(), value))
        if tag == "script":
            self._script = dict(attrs)
            self._script_data = []

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        for name, value in attrs:
            self.attributes.append((tag, name.lower(), value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_data)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_data.append(data)
        else:
            self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def attribute_values(self) -> list[str]:
        return [value for _, _, value in self.attributes if value]

    def json_data(self) -> list:
        return [json.loads(body) for attrs, body in self.scripts if attrs.get("type")]


def strings(data) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in strings(v)]
    return []


def assert_safe(response, *, shows: list[str] = (), in_json: list[str] = ()) -> Page:
    """The page runs no script of ours but its files, and shows `shows` as text."""
    assert response.status_code in (200, 201, 400, 403, 404), response.status_code
    html = response.content.decode()
    page = Page(html)
    for attrs, body in page.scripts:
        if "src" in attrs:
            assert attrs["src"].startswith("/static/"), attrs
            assert not body.strip()
        else:
            # json_script: data, not code; intact (nothing closed it early).
            assert attrs.get("type") == "application/json", (attrs, body[:200])
            json.loads(body)
            assert "</" not in body.lower()
    for tag, name, value in page.attributes:
        assert not name.startswith("on"), (tag, name, value)
        if name in URL_ATTRIBUTES and value:
            assert (
                not re.sub(r"[\s\x00-\x1f]", "", value)
                .lower()
                .startswith(("javascript:", "data:text", "vbscript:"))
            ), (tag, name, value)
        if name == "style":
            raise AssertionError(f"style attribute on <{tag}>: {value}")
    for tag in ("iframe", "object", "embed", "base"):
        assert f"<{tag}" not in html.lower()
    text = page.text
    for payload in shows:
        assert payload in text, (payload, response.request["PATH_INFO"])
    data = [s for d in page.json_data() for s in strings(d)]
    for payload in in_json:
        assert payload in data, payload
    return page


# --- everything typed in, then every page ---------------------------------------------------


def statements(workshop: Workshop) -> list[Statement]:
    return list(
        Statement.objects.filter(element__instrument=workshop.instrument).order_by(
            "element__order", "order"
        )
    )


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_every_typed_text_is_shown_as_text_on_every_page(organiser, instrument, payload):
    city = payload.replace("\n", " ")[:100]
    title = f"Titel {payload}"
    initials = " ".join(payload.split())[:5].strip()

    # The organiser's form.
    response = organiser.post(
        "/organiser/new/",
        {
            "city": city,
            "title": title,
            "date": "2026-11-26",
            "tables": "2",
            "instrument": instrument.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    workshop = Workshop.objects.get(city=city.strip())
    assert workshop.title == title.strip()
    code = workshop.code
    workshop_update_state(workshop=workshop, phase=Phase.SURVEY)

    # createsession, and the duplicate form.
    out = io.StringIO()
    call_command("createsession", "--city", f"CLI {city}", "--title", title, "--json", stdout=out)
    cli = Workshop.objects.get(code=json.loads(out.getvalue())["code"])
    assert cli.city == f"CLI {city}".strip()
    response = organiser.post(
        f"/s/{code}/duplicate/", {"city": f"Kopie {city}", "date": "2027-01-01"}
    )
    assert response.status_code == 302
    duplicate = Workshop.objects.get(city=f"Kopie {city}".strip())
    # The next city's title carries the new city, not the old one.
    assert duplicate.title == duplicate_title(
        title=workshop.title, old_city=workshop.city, new_city=duplicate.city
    )

    # A phone joins and answers; the chair writes notes and adds a seat with initials.
    phone = Client()
    assert phone.post(f"/j/{code}/", {"table": "1", "consent": "on"}).status_code == 302
    for statement in statements(workshop)[:10]:
        phone.post(f"/s/{code}/answer/", {"statement": statement.pk, "score": "4"}, **HTMX)
    table = workshop.tables.get(number=1)
    chair = f"/s/{code}/chair/{table.chair_key}/"
    participant = Participant.objects.get(workshop=workshop)
    element = statements(workshop)[0].element
    for kind, who in (("plus", participant.pk), ("agree", None)):
        fields = {"client_id": str(uuid.uuid4()), "element": element.pk, "kind": kind}
        fields |= {"text": payload, "is_quote": "on"} | ({"participant": who} if who else {})
        created = Client().post(f"{chair}notes/", fields, **HTMX)
        assert created.status_code == 201, created.content
        assert_safe(created, shows=payload.split("\n"))  # linebreaksbr: a <br> per line end
    response = Client().post(f"{chair}seats/", {"initials": initials, "role": "civil"})
    assert response.status_code == 302
    note = Note.objects.filter(table=table).first()
    assert note.text == payload.strip()  # stored as typed

    # The organiser's observation.
    response = organiser.post(f"/s/{code}/observations/", {"kind": "theme", "text": payload})
    assert response.status_code == 302
    assert Observation.objects.get(workshop=workshop).text == payload.strip()

    shown = payload.strip()
    lines = [line for line in shown.split("\n") if line]  # linebreaksbr splits the text
    key = workshop.projector_key
    checks = [
        (organiser.get("/organiser/"), [city, title, f"CLI {city}", f"Kopie {city}"], []),
        (organiser.get(f"/s/{code}/organiser/"), [city, title], []),
        (organiser.get(f"/s/{code}/dashboard/"), [], []),
        (organiser.get(f"/s/{code}/delete/"), [city], []),
        (organiser.get(f"/s/{code}/tables/cards/"), [city], []),
        (organiser.get(f"/s/{code}/observations/"), [city, *lines], []),
        (organiser.get(f"/s/{code}/notes/counts/"), [], []),
        (
            organiser.get(f"/organiser/compare/?code={code}&code={cli.code}"),
            [city, f"CLI {city}"],
            [city, f"CLI {city}"],
        ),
        (organiser.get(f"/organiser/compare/?code={code}&code={cli.code}&projector=1"), [city], []),
        (Client().get(f"/s/{code}/projector/?key={key}"), [city, title], [city]),
        (Client().get(f"/j/{code}/"), [city, title], []),
        (Client().get(f"/j/{cli.code}/"), [f"CLI {city}"], []),
        (phone.get(f"/s/{code}/survey/1/"), [city], []),
        (phone.get(f"/s/{code}/survey/done/"), [], []),
        (Client().get(chair), [city, *lines, initials], []),
        (Client().get(f"{chair}notes/{note.pk}/", **HTMX), [*lines], []),
        (Client().get(f"{chair}notes/{note.pk}/edit/", **HTMX), [shown], []),
    ]
    workshop_update_state(workshop=workshop, phase=Phase.DISCUSSION)
    checks.append((phone.get(f"/s/{code}/survey/1/"), [], []))  # the closed page
    workshop_update_state(workshop=workshop, phase=Phase.RESULTS, results_revealed=True)
    checks.append((phone.get(f"/s/{code}/results/"), [city], []))
    for response, shows, in_json in checks:
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert_safe(response, shows=shows, in_json=in_json)

    # The feed is JSON, served as JSON (never sniffed as HTML), with the city as a string.
    results = Client().get(f"/s/{code}/results.json?key={key}")
    assert results["Content-Type"] == "application/json"
    assert results["X-Content-Type-Options"] == "nosniff"
    assert results.json()["city"] == city.strip()

    # A refused edit shows the draft as text; deleting a session names it in a message.
    response = Client().post(f"{chair}notes/{note.pk}/edit/", {"text": " "}, **HTMX)
    assert response.status_code == 400
    assert_safe(response)
    response = organiser.post(
        f"/s/{duplicate.code}/delete/", {"confirm_code": duplicate.code}, follow=True
    )
    assert_safe(response, shows=[f"Kopie {city}".strip()])


@pytest.mark.parametrize("payload", PAYLOADS[:3], ids=range(3))
def test_a_refused_form_shows_what_was_typed_as_text(organiser, instrument, payload):
    """The organiser's form comes back with the errors and the typed values, escaped."""
    response = organiser.post(
        "/organiser/new/",
        {"city": payload, "title": payload, "date": "not a date", "tables": "99"},
    )
    assert response.status_code == 400
    page = assert_safe(response)
    assert payload in page.attribute_values()  # the value="" of the city and title inputs


@pytest.mark.parametrize("payload", PAYLOADS[:2], ids=range(2))
def test_reflected_urls_are_escaped(client, organiser, workshop, payload):
    """What is in the URL (the login's ?next=, the language switch's return path, an
    unknown code) comes back escaped, if at all."""
    assert_safe(client.get("/accounts/login/", {"next": payload}))
    assert_safe(client.get(f"/j/{workshop.code}/", {"x": payload}))
    assert_safe(client.get(f"/j/{quote(payload, safe='')}/"))
    assert_safe(client.get(f"/s/{workshop.code}/projector/", {"key": payload}))
    assert_safe(organiser.get("/organiser/compare/", {"code": payload}))
    response = client.get("/", {"code": payload})
    assert response.status_code in (302, 404)
    assert "<" not in response.get("Location", "")
