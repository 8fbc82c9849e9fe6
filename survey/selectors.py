from django.db.models import Prefetch

from sessions.models import Participant, Workshop
from survey.aggregation import ElementSpec, ItemSpec, aggregate
from survey.models import Answer, Element, Statement


def instrument_specs(*, instrument_id: int) -> list[ElementSpec]:
    """The instrument's elements and statements as plain specs (Dutch names: the JSON feed's
    language; pages put their own language's names on top by key)."""
    elements = Element.objects.filter(instrument_id=instrument_id).prefetch_related(
        Prefetch("statements", queryset=Statement.objects.order_by("order"))
    )
    return [
        ElementSpec(
            key=e.key,
            name=e.name_nl,
            items=tuple(
                ItemSpec(statement_id=s.pk, key=s.key, label=s.label_nl) for s in e.statements.all()
            ),
        )
        for e in elements.order_by("order")
    ]


def results_snapshot(*, workshop_id: int) -> dict:
    """The session's live results: the object the projector, results_url and live_url share.

    The version is read before the answers, so a snapshot holds at least every answer up to
    its version (it may hold newer ones; the next snapshot carries their version).
    """
    code, city, version, instrument_id = Workshop.objects.values_list(
        "code", "city", "results_version", "instrument_id"
    ).get(pk=workshop_id)
    rows = Answer.objects.filter(participant__workshop_id=workshop_id).values_list(
        "participant_id", "statement_id", "score"
    )
    results = aggregate(
        instrument_specs(instrument_id=instrument_id), rows.iterator(chunk_size=5000)
    )
    return {
        "session": code,
        "city": city,
        "version": version,
        "respondents": results["respondents"],
        "participants": Participant.objects.filter(workshop_id=workshop_id).count(),
        "elements": results["elements"],
    }
