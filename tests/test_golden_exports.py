"""Every export's bytes, pinned: one fixed session (fixed code, fixed times, the same answers,
notes, observations, profile and programme every run) is downloaded as each export, and each
file is compared with its golden copy in tests/data/golden/.

- CSV: byte for byte; results.json as indented JSON, its numbers to nine decimals (the
  database sums floats in no fixed order).
- xlsx and docx (zip files): part by part, each XML part pretty-printed (so a difference
  shows as a few lines), docProps/core.xml without its created/modified times (openpyxl and
  python-docx write the clock there); other parts (images) by SHA-256.
- .sav: what pyreadstat reads back, the metadata (names, labels, value labels, missing
  values, measures, formats) and the data (the file's header holds its creation time).

A change to an export that is meant (a new sheet, a column, a word) is accepted with
`make golden` (UPDATE_GOLDEN=1 on this module: the golden files are rewritten, the ones no
longer made are removed); then read `git diff tests/data/golden/` before committing it.
A new export URL fails `test_every_export_has_a_golden_file` until it is added to EXPORTS.
"""

import datetime
import difflib
import functools
import hashlib
import io
import json
import os
import tempfile
import uuid
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.urls import get_resolver, reverse
from django.utils import timezone
from lxml import etree

from accounts.models import ConsentText
from accounts.selectors import CONSENT_FIELDS, consent_digest
from instrument.models import Element, Statement
from notes.services import extra_seat_create, note_create, observation_create
from profiles.models import Programme
from profiles.services import (
    point_create,
    profile_element_update,
    profile_update,
    programme_create,
    recommendation_create,
)
from sessions.models import Participant, Table, Workshop
from sessions.services import participant_join
from survey.services import answer_save, paper_form_save

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
CODE = "GOLD2026"
# Every time stored for the session, and the clock of the export requests.
START = datetime.datetime(2026, 11, 26, 13, 0, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 11, 26, 17, 30, tzinfo=datetime.UTC)
# The version of the consent text the phones agreed to: a text's version is its row's number,
# fixed here (PostgreSQL's sequences never repeat one).
CONSENT_VERSION = 2026

# golden file -> (URL of the download, its query string, the browser's language)
EXPORTS = {
    "workbook-nl.xlsx": ("export-xlsx", "", "nl"),
    "workbook-en.xlsx": ("export-xlsx", "", "en"),
    "answers.csv": ("export-csv", "", "nl"),
    "wide.csv": ("export-wide-csv", "", "nl"),
    "excel-answers-nl.csv": ("export-excel-long", "lang=nl", "nl"),
    "excel-wide-nl.csv": ("export-excel-wide", "lang=nl", "nl"),
    "excel-answers-en.csv": ("export-excel-long", "lang=en", "en"),
    "excel-wide-en.csv": ("export-excel-wide", "lang=en", "en"),
    "codebook-nl.csv": ("export-codebook", "", "nl"),
    "codebook-en.csv": ("export-codebook", "", "en"),
    "long.sav": ("export-long-sav", "", "nl"),
    "wide.sav": ("export-wide-sav", "", "nl"),
    "long.dta": ("export-long-dta", "", "nl"),
    "wide.dta": ("export-wide-dta", "", "nl"),
    "breakdowns.csv": ("export-breakdowns", "", "nl"),
    "dictionary.csv": ("export-dictionary", "", "nl"),
    "session.json": ("export-session-json", "", "nl"),
    "sessions-answers.csv": ("export-programme-answers-csv", f"codes={CODE}", "nl"),
    "sessions-answers.sav": ("export-programme-answers-sav", f"codes={CODE}", "nl"),
    "sessions-answers.dta": ("export-programme-answers-dta", f"codes={CODE}", "nl"),
    "sessions-elements.csv": ("export-programme-elements-csv", f"codes={CODE}", "nl"),
    "sessions-codebook.csv": ("export-programme-codebook-csv", f"codes={CODE}", "nl"),
    "compare.xlsx": ("export-compare", f"codes={CODE}", "nl"),
    "results.json": ("results-json", "", "nl"),
    "profile.docx": ("profile-docx", "", "nl"),
    "programme-report.docx": ("programme-docx", "", "nl"),
    "publication.docx": ("publication", "", "nl"),
}
# The download URLs that are not exports of a session's data.
NOT_EXPORTS = {"import-answers"}


def fixed_session(instrument) -> tuple[Workshop, Programme]:
    """Zwolle, three tables: phones with roles answering (with don't-knows and a changed
    answer), a paper form, a seat without a phone, chairs' notes and quotes, observations,
    a profile drawn from the notes, and a programme with the hand-out's texts."""
    from sessions.services import workshop_create

    before = _last_ids()
    workshop = workshop_create(
        city="Zwolle",
        date=datetime.date(2026, 11, 26),
        tables=3,
        instrument=instrument,
        title="Ecosysteemdialoog Zwolle",
        phase="survey",
    )
    Workshop.objects.filter(pk=workshop.pk).update(code=CODE)
    workshop.refresh_from_db()
    statements = list(
        Statement.objects.filter(element__instrument=instrument).order_by("element__order", "order")
    )
    elements = list(Element.objects.filter(instrument=instrument).order_by("order"))
    tables = list(Table.objects.filter(workshop=workshop).order_by("number"))
    roles = ["entrepreneur", "policy", "network", "finance", "research", "civil", "other", ""]
    people = [
        participant_join(workshop=workshop, table=tables[i % 3], role=role)
        for i, role in enumerate(roles)
    ]
    for i, person in enumerate(people[:-1]):  # the last one joined and answered nothing
        for k, statement in enumerate(statements[: len(statements) - i]):
            score = None if (i + k) % 7 == 0 else 1 + (i * 3 + k) % 5
            answer_save(participant=person, statement_id=statement.pk, score=score)
    answer_save(participant=people[0], statement_id=statements[1].pk, score=5)  # changed
    # The phones agreed to one text; the last one joined before the app asked (no version).
    consent_fields = {
        "purpose_nl": "Voor het onderzoek naar het ecosysteem van Zwolle.",
        "audience_nl": "Alleen de onderzoekers van Scentiss.",
        "retention_nl": "Tot het onderzoek af is, hooguit twee jaar.",
    }
    text = ConsentText.objects.create(
        pk=CONSENT_VERSION,
        digest=consent_digest(consent_text_fields(consent_fields)),
        **consent_text_fields(consent_fields),
    )
    Participant.objects.filter(pk__in=[p.pk for p in people[:-1]]).update(
        consent=text, consented_at=START
    )
    paper_form_save(
        workshop=workshop,
        scores={s.pk: 1 + k % 5 for k, s in enumerate(statements)},
        client_id=uuid.UUID(int=1),
        table=tables[1],
        role="policy",
    )
    extra_seat_create(table=tables[2], initials="JvD", role="civil")

    notes = []
    for e, element in enumerate(elements):
        table = tables[e % 3]
        seated = [p for p in people if p.table_id == table.pk]
        notes.append(
            note_create(
                table=table,
                element_id=element.pk,
                kind="plus",
                text=f"Sterk in {element.key}: de hogeschool en het mkb werken samen.",
                client_id=uuid.UUID(int=100 + e),
                participant_id=seated[0].pk,
            ).note
        )
        notes.append(
            note_create(
                table=table,
                element_id=element.pk,
                kind="minus" if e % 2 else "differ",
                text=f"“Bij {element.key} loopt het vast op geld en tijd.”",
                client_id=uuid.UUID(int=200 + e),
                participant_id=seated[1].pk if e % 2 else None,
                is_quote=True,
            ).note
        )
    observation_create(
        workshop=workshop, kind="theme", text="Talent blijft niet in de regio.", author=None
    )
    observation_create(
        workshop=workshop,
        kind="statement",
        text="“We kennen elkaar, maar werken niet samen.”",
        author=None,
        element_id=elements[1].pk,
        table=tables[0],
        client_id=uuid.UUID(int=300),
    )

    for e, element in enumerate(elements):
        good, quote = notes[2 * e], notes[2 * e + 1]
        point_create(
            workshop=workshop,
            section="strength",
            element_id=element.pk,
            text="",
            source_ids=[good.pk],
        )
        point_create(
            workshop=workshop,
            section="bottleneck",
            element_id=element.pk,
            text=f"Knelpunt bij {element.key}: te weinig tijd.",
            source_ids=[quote.pk],
        )
        profile_element_update(
            workshop=workshop,
            element_id=element.pk,
            synthesis=f"Duiding van {element.key}: veel goede wil, weinig structuur.",
            quote="",
            quote_note_id=quote.pk,
        )
    point_create(workshop=workshop, section="opportunity", text="Een gedeelde agenda.")
    profile_update(
        workshop=workshop,
        local_context="Zwolle is een stad aan de IJssel.\n\nMet {deelnemers} deelnemers.",
        summary="Samenvatting: het netwerk is er, de financiering niet.",
        closing_quote="“Samen komen we verder.”",
    )
    programme = programme_create(
        name="Impact ondernemerschap in Zwolle", workshop_ids=[workshop.pk]
    )
    recommendation_create(
        programme=programme,
        audience="municipalities",
        text="Maak ruimte voor experimenten.",
        workshop_ids=[workshop.pk],
    )
    _fix_times(after=before)
    Participant.objects.filter(workshop=workshop).update(joined_at=START)
    workshop.refresh_from_db()
    return workshop, programme


def consent_text_fields(fields: dict[str, str]) -> dict[str, str]:
    """Every field of a consent text, empty where `fields` has none (as the app stores it)."""
    return {name: fields.get(name, "") for name in CONSENT_FIELDS}


def _stored_models() -> list[type[models.Model]]:
    """The app's models that store a date-time."""
    ours = {"accounts", "instrument", "workshops", "survey", "notes", "profiles"}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in ours
        and not model._meta.proxy
        and any(isinstance(f, models.DateTimeField) for f in model._meta.concrete_fields)
    ]


def _last_ids() -> dict[type[models.Model], int]:
    return {m: m.objects.aggregate(top=models.Max("pk"))["top"] or 0 for m in _stored_models()}


def _fix_times(*, after: dict[type[models.Model], int]) -> None:
    """Every date-time of every row made for the session (ids above `after`), a minute apart
    in the order the rows were made, from START: the same values every run, whatever else
    the test database holds."""
    for model in _stored_models():
        fields = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)
        ]
        made = model.objects.filter(pk__gt=after[model]).order_by("pk")
        for i, pk in enumerate(made.values_list("pk", flat=True)):
            at = START + datetime.timedelta(minutes=i)
            for field in fields:  # an empty time stays empty (anonymised_at, withdrawn_at…)
                model.objects.filter(pk=pk, **{f"{field}__isnull": False}).update(**{field: at})


# --- normalising ------------------------------------------------------------------------------

_STAMPS = {
    "{http://purl.org/dc/terms/}created",
    "{http://purl.org/dc/terms/}modified",
}


def _xml(name: str, data: bytes) -> str:
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
    if name == "docProps/core.xml":
        for element in list(root):
            if element.tag in _STAMPS:
                element.text = "(the time of the export)"
    return etree.tostring(root, pretty_print=True, encoding="unicode")


@functools.cache
def docx_template() -> dict[str, bytes]:
    """The parts of python-docx's default template, which every Word export starts from."""
    import docx

    path = Path(docx.__file__).parent / "templates" / "default.docx"
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@functools.cache
def _template_xml(name: str) -> str:
    return _xml(name, docx_template()[name])


def zip_text(content: bytes, template: dict[str, bytes] | None = None) -> str:
    """A zip file (xlsx, docx) as text: its parts in order, XML pretty-printed, other parts
    by their SHA-256. A part that python-docx's template also has is written as the
    template's hash and the changes made to it (styles.xml alone is 440 kB of latent styles
    nobody touches)."""
    out = []
    template = template or {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            name, data = info.filename, archive.read(info)
            if not name.endswith((".xml", ".rels")):
                digest = hashlib.sha256(data).hexdigest()
                out.append(f"### {name}\nsha256 {digest} ({len(data)} bytes)\n")
                continue
            text = _xml(name, data)
            if name not in template:
                out.append(f"### {name}\n{text}")
                continue
            base = _template_xml(name)
            digest = hashlib.sha256(template[name]).hexdigest()
            changes = difflib.unified_diff(
                base.splitlines(), text.splitlines(), "template", name, lineterm="", n=1
            )
            lines = list(changes)[2:]  # the two file lines say nothing the header does not
            out.append(
                f"### {name}: python-docx's template part (sha256 {digest}), "
                f"{'changed' if lines else 'unchanged'}\n" + "".join(f"{line}\n" for line in lines)
            )
    return "".join(out)


def sav_text(content: bytes, suffix: str = ".sav") -> str:
    """A .sav (or Stata .dta) file as pyreadstat reads it: metadata as JSON, then the data as
    CSV."""
    import pyreadstat

    read = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
    with tempfile.NamedTemporaryFile(suffix=suffix) as file:
        file.write(content)
        file.flush()
        frame, meta = read(file.name, user_missing=True)
    described = {
        "file_label": meta.file_label,
        "file_encoding": meta.file_encoding,
        "number_rows": meta.number_rows,
        "column_names": meta.column_names,
        "column_labels": meta.column_labels,
        # Keys as JSON writes them ("1.0"); a .dta's also hold "a" (its missing value .a).
        "variable_value_labels": {
            name: {str(value): label for value, label in labels.items()}
            for name, labels in meta.variable_value_labels.items()
        },
        "missing_ranges": meta.missing_ranges,
        "missing_user_values": meta.missing_user_values,
        "variable_measure": meta.variable_measure,
        "original_variable_types": meta.original_variable_types,
        "variable_display_width": meta.variable_display_width,
    }
    metadata = json.dumps(described, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    return f"{metadata}\n{frame.to_csv(index=False, lineterminator=chr(10))}"


def json_text(content: bytes) -> str:
    """results.json indented, its numbers to nine decimals: PostgreSQL sums the element means
    as floats in no fixed row order, so their last digit may differ from run to run."""
    data = json.loads(content, parse_float=lambda text: round(float(text), 9))
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def normalised(name: str, content: bytes) -> bytes:
    """What is compared: the bytes for CSV, text for the others."""
    if name.endswith(".json"):
        return json_text(content).encode()
    if name.endswith(".xlsx"):
        return zip_text(content).encode()
    if name.endswith(".docx"):
        return zip_text(content, docx_template()).encode()
    if name.endswith((".sav", ".dta")):
        return sav_text(content, name[-4:]).encode()
    return content


def golden_path(name: str) -> Path:
    return GOLDEN / (name + ".txt" if name.endswith((".xlsx", ".docx", ".sav", ".dta")) else name)


def _parts(text: bytes) -> dict[str, bytes]:
    sections = (b"\n" + text).split(b"\n### ")[1:]
    return {s.split(b"\n", 1)[0].split(b":")[0].decode(): s for s in sections}


def _changed_parts(want: bytes, got: bytes) -> list[str]:
    before, after = _parts(want), _parts(got)
    return sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))


def _shown(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines()


# --- the tests --------------------------------------------------------------------------------


@pytest.fixture
def downloads(organiser, instrument, monkeypatch) -> dict[str, bytes]:
    _workshop, programme = fixed_session(instrument)
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    files = {}
    for name, (url_name, query, lang) in EXPORTS.items():
        args = [programme.pk] if url_name in ("programme-docx", "publication") else [CODE]
        if url_name == "export-compare" or url_name.startswith("export-programme-"):
            args = []
        url = reverse(url_name, args=args) + (f"?{query}" if query else "")
        response = organiser.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200, (name, url, response.status_code)
        files[name] = response.content
    return files


def test_every_export_matches_its_golden_file(downloads):
    changed = []
    for name, content in downloads.items():
        path = golden_path(name)
        got = normalised(name, content)
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_bytes() != got:
                path.write_bytes(got)
            continue
        assert path.exists(), f"{path} is missing: make golden writes it"
        want = path.read_bytes()
        if got != want:
            diff = difflib.unified_diff(
                _shown(want), _shown(got), str(path), name, lineterm="", n=2
            )
            parts = _changed_parts(want, got) if name.endswith((".xlsx", ".docx")) else []
            where = f" (parts: {', '.join(parts)})" if parts else ""
            changed.append(f"{name}{where}:\n" + "\n".join(list(diff)[:60]))
    if UPDATE:
        made = {golden_path(name).name for name in downloads}
        for stale in GOLDEN.iterdir():
            if stale.name not in made:
                stale.unlink()
        return
    assert not changed, (
        "An export's bytes changed. If the change is meant, `make golden` rewrites "
        "tests/data/golden/ (then read its git diff):\n\n" + "\n\n".join(changed)
    )


def test_every_export_has_a_golden_file():
    """A download added to the URLs is pinned here too: every URL that returns a file
    (exports' and profiles' downloads, results.json) is in EXPORTS."""
    resolver = get_resolver()
    names = {
        name
        for name in resolver.reverse_dict
        if isinstance(name, str)
        and (
            name.startswith("export-")
            or name.endswith("-docx")
            or name in ("publication", "results-json")
        )
    }
    covered = {url_name for url_name, _query, _lang in EXPORTS.values()}
    assert names - NOT_EXPORTS - covered == set(), "add these downloads to EXPORTS"
