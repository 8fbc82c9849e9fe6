"""Load an instrument from its JSON file (instrument/instruments/<slug>-2025.v<version>.json).

A file per version: a session keeps the version it ran with, so a used version is never edited;
a changed questionnaire is a new file with the next version (v2 restores the hand-out's exact
Dutch and corrects two English translations, see its "changes").
"""

import json
from pathlib import Path
from typing import Any

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
INSTRUMENT_V1 = INSTRUMENTS_DIR / "scentiss-ecosysteem-2025.v1.json"
INSTRUMENT_V2 = INSTRUMENTS_DIR / "scentiss-ecosysteem-2025.v2.json"
# What new sessions get (the newest version); the data migrations name their file explicitly.
DEFAULT_INSTRUMENT = INSTRUMENT_V2

INSTRUMENT_FIELDS = ("name_nl", "name_en", "stem_nl", "stem_en", "scale_nl", "scale_en")
ELEMENT_FIELDS = (
    "key",
    "name_nl",
    "name_en",
    "capital_nl",
    "capital_en",
    "core_question_nl",
    "core_question_en",
    "discussion_questions_nl",
    "discussion_questions_en",
)
STATEMENT_FIELDS = ("key", "text_nl", "text_en", "label_nl", "label_en")


class InstrumentConflict(ValueError):
    """A file claims a slug and version that exist with other content."""


def read_instrument(path: Path = DEFAULT_INSTRUMENT) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _value(data: dict, field: str) -> Any:
    if field in data:
        return data[field]
    return [] if field.startswith(("scale_", "discussion_")) else ""


def instrument_as_data(instrument: Any) -> dict:
    """The stored instrument in the file's shape (the fields a session's text comes from)."""
    data = {f: getattr(instrument, f) for f in INSTRUMENT_FIELDS}
    data["slug"], data["version"] = instrument.slug, instrument.version
    data["elements"] = []
    for element in instrument.elements.order_by("order"):
        e = {f: getattr(element, f) for f in ELEMENT_FIELDS}
        e["statements"] = [
            {f: getattr(s, f) for f in STATEMENT_FIELDS}
            for s in element.statements.order_by("order")
        ]
        data["elements"].append(e)
    return data


def _normalised(data: dict) -> dict:
    out = {f: _value(data, f) for f in INSTRUMENT_FIELDS}
    out["slug"], out["version"] = data["slug"], data["version"]
    out["elements"] = [
        {
            **{f: _value(e, f) for f in ELEMENT_FIELDS},
            "statements": [{f: _value(s, f) for f in STATEMENT_FIELDS} for s in e["statements"]],
        }
        for e in data["elements"]
    ]
    return out


def instrument_load(data: dict, *, models: Any = None) -> tuple[Any, bool]:
    """Create the instrument described by `data` unless its slug and version exist.

    Returns (instrument, created). An existing version is never changed: sessions keep the
    exact instrument they ran with. A file that claims an existing version with different text
    raises InstrumentConflict instead of being ignored silently (a changed questionnaire needs
    the next version number). `models` lets a migration pass its historical models.
    """
    if models is None:
        from instrument import models as models
    Instrument, Element, Statement = models.Instrument, models.Element, models.Statement
    existing = Instrument.objects.filter(slug=data["slug"], version=data["version"]).first()
    if existing is not None:
        if _normalised(instrument_as_data(existing)) != _normalised(data):
            raise InstrumentConflict(
                f"{data['slug']} version {data['version']} exists with other text; "
                "give the changed questionnaire the next version number"
            )
        return existing, False
    instrument = Instrument.objects.create(
        slug=data["slug"],
        version=data["version"],
        name_nl=data["name_nl"],
        name_en=data.get("name_en", ""),
        stem_nl=data["stem_nl"],
        stem_en=data.get("stem_en", ""),
        scale_nl=data.get("scale_nl", []),
        scale_en=data.get("scale_en", []),
    )
    for order, e in enumerate(data["elements"], start=1):
        element = Element.objects.create(
            instrument=instrument,
            order=order,
            key=e["key"],
            name_nl=e["name_nl"],
            name_en=e.get("name_en", ""),
            capital_nl=e.get("capital_nl", ""),
            capital_en=e.get("capital_en", ""),
            core_question_nl=e["core_question_nl"],
            core_question_en=e.get("core_question_en", ""),
            discussion_questions_nl=e.get("discussion_questions_nl", []),
            discussion_questions_en=e.get("discussion_questions_en", []),
        )
        Statement.objects.bulk_create(
            Statement(
                element=element,
                order=i,
                key=s["key"],
                text_nl=s["text_nl"],
                text_en=s.get("text_en", ""),
                label_nl=s["label_nl"],
                label_en=s.get("label_en", ""),
            )
            for i, s in enumerate(e["statements"], start=1)
        )
    return instrument, True
