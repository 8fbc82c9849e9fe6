"""Load an instrument from its JSON file (instrument/instruments/*.json)."""

import json
from pathlib import Path
from typing import Any

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
DEFAULT_INSTRUMENT = INSTRUMENTS_DIR / "scentiss-ecosysteem-2025.json"


def read_instrument(path: Path = DEFAULT_INSTRUMENT) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def instrument_load(data: dict, *, models: Any = None) -> tuple[Any, bool]:
    """Create the instrument described by `data` unless its slug and version exist.

    Returns (instrument, created). An existing version is never changed: sessions keep the
    exact instrument they ran with. `models` lets a migration pass its historical models.
    """
    if models is None:
        from instrument import models as models
    Instrument, Element, Statement = models.Instrument, models.Element, models.Statement
    existing = Instrument.objects.filter(slug=data["slug"], version=data["version"]).first()
    if existing is not None:
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
