"""Pages that list participants stay small however many joined one table.

2,000 participants at one table made its chair page 25 MB (7.5 s) before."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from notes.models import Note
from notes.selectors import CHAIR_PAGE_SIZE
from sessions.models import Participant
from survey.models import Element

CROWD = 2000
MAX_PAGE_BYTES = 400_000


@pytest.fixture
def crowded(make_workshop):
    workshop = make_workshop(participant_cap=5000)
    table = workshop.tables.get(number=1)
    Participant.objects.bulk_create(
        Participant(workshop=workshop, table=table, seat=n) for n in range(1, CROWD + 1)
    )
    element = Element.objects.filter(instrument=workshop.instrument).order_by("order").first()
    last = Participant.objects.filter(table=table).order_by("-seat").first()
    Note.objects.create(
        workshop=workshop,
        table=table,
        participant=last,
        element=element,
        kind="plus",
        text="De laatste deelnemer",
        client_id=uuid.uuid4(),
        author="T1",
    )
    return workshop, table


def test_the_chair_page_of_a_crowded_table_stays_small(crowded):
    workshop, table = crowded
    url = f"/s/{workshop.code}/chair/{table.chair_key}/"
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
    size = len(page.content)
    print(f"chair page with {CROWD} participants at the table: {size:,} bytes")
    assert page.status_code == 200
    assert size < MAX_PAGE_BYTES
    html = page.content.decode()
    assert f"Participants 1\u2013{CHAIR_PAGE_SIZE} of {CROWD}" in html
    assert "T1·P1<" in html and f"T1·P{CHAIR_PAGE_SIZE + 1}<" not in html
    last_page = -(-CROWD // CHAIR_PAGE_SIZE)
    tail = Client().get(f"{url}?page={last_page}")
    assert tail.status_code == 200 and len(tail.content) < MAX_PAGE_BYTES
    assert f"T1·P{CROWD}<" in tail.content.decode()
    assert "De laatste deelnemer" in tail.content.decode()
    assert Client().get(f"{url}?page=%C2%B2").status_code == 400


def test_the_organiser_pages_of_a_crowded_session_stay_small(crowded):
    workshop, _table = crowded
    organiser = Client(HTTP_ACCEPT_LANGUAGE="en")
    organiser.force_login(get_user_model().objects.create_user("o", password="x" * 12))
    for url in (f"/s/{workshop.code}/organiser/", f"/s/{workshop.code}/dashboard/"):
        page = organiser.get(url)
        size = len(page.content)
        print(f"{url} with {CROWD} participants: {size:,} bytes")
        assert page.status_code == 200
        assert size < MAX_PAGE_BYTES
        assert re.search(r"and 1,?960 more", page.content.decode()), url


def test_a_phones_pages_come_compressed(workshop):
    """The join page and the first survey page went uncompressed (3.8 + 13.8 KB of a phone's
    first load over the venue's wifi). Compressed, they carry the same page."""
    import gzip

    phone = Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    sizes = {}
    join = phone.get(f"/j/{workshop.code}/")
    joined = phone.post(f"/j/{workshop.code}/", {"role": "finance", "table": "2", "consent": "on"})
    assert joined.status_code == 302
    survey = phone.get(joined["Location"])
    for name, response in (("join", join), ("survey", survey)):
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        page = gzip.decompress(response.content).decode()
        sizes[name] = (len(page), len(response.content))
        assert page.rstrip().endswith("</html>")
    assert 'name="csrfmiddlewaretoken"' in gzip.decompress(join.content).decode()
    assert 'type="radio"' in gzip.decompress(survey.content).decode()
    for plain, compressed in sizes.values():
        assert compressed < plain / 2, sizes
    # A phone that does not ask for it gets the page as before.
    assert "Content-Encoding" not in Client().get(f"/j/{workshop.code}/")
