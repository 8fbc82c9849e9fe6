"""The element scores of a session with their spread, for the session and per table, role,
source and table focus: one table of rows, the same in the workbook's sheet, the CSV and the
organiser's page, its variables described in the codebook (`CODEBOOK`).

The computation is `exports.statistics` (the participant as the unit, Student's t interval).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exports.data import SEAT_WITHOUT_PHONE, SessionData, in_lang
from exports.statistics import METHOD, Spread, breakdown, element_spreads

GROUPS = ("session", "table", "role", "source", "focus")
VARIABLES = (
    "session",
    "group",
    "group_value",
    "label",
    "element",
    "method",
    "n",
    "mean",
    "sd",
    "ci95_low",
    "ci95_high",
)

TEXT: dict[str, dict[str, Any]] = {
    "nl": {
        "groups": {
            "session": "sessie",
            "table": "tafel",
            "role": "rol",
            "source": "bron",
            "focus": "focus van de tafel",
        },
        "whole": "hele sessie",
        "no_table": "zonder tafel",
        "no_role": "rol niet opgegeven",
        "no_focus": "tafel zonder focus of geen tafel",
        "table": "Tafel {n}",
        "sources": {"phone": "telefoon", "paper": "papier", SEAT_WITHOUT_PHONE: "zonder telefoon"},
        "meaning": {
            "session": "code van de sessie",
            "group": "uitsplitsing: session (de hele sessie), table, role, source of focus",
            "group_value": "de groep: tafelnummer, rolcode, bron (phone/paper) of de focus; "
            "leeg = zonder tafel, rol niet opgegeven, of geen focus",
            "label": "de groep in woorden (taal van de export)",
            "element": "code van het element",
            "method": "methode van de elementscore: participant_mean (het gemiddelde van "
            "de eigen gemiddelden van de deelnemers)",
            "n": "aantal deelnemers in de groep met een elementscore (een antwoord 1-5 in het "
            "element)",
            "mean": "elementscore van de groep: het gemiddelde van de elementscores van die "
            "deelnemers",
            "sd": "standaardafwijking van die elementscores (deler n - 1); leeg bij n < 2",
            "ci95_low": "ondergrens van het 95%-betrouwbaarheidsinterval van mean: mean - "
            "t(0,975; n - 1) x sd / wortel(n), Student-t op de elementscores van de deelnemers; "
            "leeg bij n < 2",
            "ci95_high": "bovengrens van dat interval: mean + t(0,975; n - 1) x sd / wortel(n)",
        },
        "file": "uitsplitsing (één rij per groep en element)",
    },
    "en": {
        "groups": {
            "session": "session",
            "table": "table",
            "role": "role",
            "source": "source",
            "focus": "table focus",
        },
        "whole": "whole session",
        "no_table": "no table",
        "no_role": "role not given",
        "no_focus": "table without a focus, or no table",
        "table": "Table {n}",
        "sources": {"phone": "phone", "paper": "paper", SEAT_WITHOUT_PHONE: "no phone"},
        "meaning": {
            "session": "session code",
            "group": "breakdown: session (the whole session), table, role, source or focus",
            "group_value": "the group: table number, role code, source (phone/paper) or the "
            "focus; empty = no table, role not given, or no focus",
            "label": "the group in words (the export's language)",
            "element": "element key",
            "method": "element-score method: participant_mean (the mean of the participants' "
            "own means)",
            "n": "participants of the group with an element score (a 1-5 answer in the element)",
            "mean": "the group's element score: the mean of those participants' element scores",
            "sd": "standard deviation of those element scores (divisor n - 1); empty for n < 2",
            "ci95_low": "lower bound of the 95% confidence interval of mean: mean - "
            "t(0.975; n - 1) x sd / sqrt(n), Student's t on the participants' element scores; "
            "empty for n < 2",
            "ci95_high": "upper bound of that interval: mean + t(0.975; n - 1) x sd / sqrt(n)",
        },
        "file": "breakdowns (one row per group and element)",
    },
}


@dataclass(frozen=True)
class BreakdownRow:
    group: str
    value: str | int | None
    label: str
    element: str
    element_name: str
    spread: Spread

    def cells(self, session: str) -> tuple[Any, ...]:
        """The row as VARIABLES, plain values."""
        s = self.spread
        return (
            session,
            self.group,
            self.value,
            self.label,
            self.element,
            METHOD,
            s.n,
            s.mean,
            s.sd,
            s.ci_low,
            s.ci_high,
        )


def _groups(data: SessionData, lang: str) -> dict[str, tuple[dict[int, Any], dict[Any, str]]]:
    """Per grouping: participant -> group value, and group value -> its label."""
    t = in_lang(TEXT, lang)
    roles = dict(data.roles)
    table: dict[int, Any] = {}
    role: dict[int, Any] = {}
    source: dict[int, Any] = {}
    focus: dict[int, Any] = {}
    for p in sorted(data.participants, key=lambda p: (p.table is None, p.table or 0)):
        table[p.participant_id] = p.table
        focus[p.participant_id] = data.table_focus.get(p.table) if p.table else None
    order = {code: i for i, (code, _label) in enumerate(data.roles)}
    for p in sorted(data.participants, key=lambda p: order.get(p.role_code, len(order))):
        role[p.participant_id] = p.role_code or None
    for p in sorted(data.participants, key=lambda p: p.source):
        source[p.participant_id] = p.source
    groups = {
        "table": (
            table,
            {n: t["table"].format(n=n) if n else t["no_table"] for n in table.values()},
        ),
        "role": (role, {r: roles.get(r, r) if r else t["no_role"] for r in role.values()}),
        "source": (source, {s: t["sources"].get(s, s) for s in source.values()}),
    }
    if data.table_focus:
        groups["focus"] = (focus, {f: f or t["no_focus"] for f in focus.values()})
    return groups


def breakdown_rows(*, data: SessionData, lang: str = "nl") -> list[BreakdownRow]:
    """The session's rows, then each grouping's, a row per group and element (a group none of
    whose participants gave a 1-5 answer is left out)."""
    t = in_lang(TEXT, lang)
    names = {e.key: e.name for e in data.elements}
    keys = [e.key for e in data.elements]
    # Each participant's element scores, only those they have (a 1-5 answer in the element).
    means = {
        participant: {
            key: mean for key, mean in zip(keys, own.means, strict=True) if mean is not None
        }
        for participant, own in data.participant_scores.items()
        if any(mean is not None for mean in own.means)
    }
    rows = [
        BreakdownRow("session", None, t["whole"], key, names[key], s)
        for key, s in element_spreads(means, keys).items()
    ]
    for group, (group_of, labels) in _groups(data, lang).items():
        for value, per_element in breakdown(means, keys, group_of).items():
            if not any(s.n for s in per_element.values()):
                continue
            rows += [
                BreakdownRow(group, value, labels[value], key, names[key], s)
                for key, s in per_element.items()
            ]
    return rows


def codebook_rows(*, lang: str = "nl") -> list[tuple[str, str, str, str, str]]:
    """(file, variable, meaning, type, values) of the breakdowns' variables."""
    t = in_lang(TEXT, lang)
    types = {"nl": ("tekst", "geheel getal", "getal"), "en": ("text", "integer", "number")}
    text, whole, number = in_lang(types, lang)
    kinds = {"n": whole, "mean": number, "sd": number, "ci95_low": number, "ci95_high": number}
    values: Mapping[str, str] = {
        "group": "; ".join(f"{g} = {t['groups'][g]}" for g in GROUPS),
        "method": "participant_mean",
        "mean": "1-5",
    }
    return [
        (t["file"], v, t["meaning"][v], kinds.get(v, text), values.get(v, "")) for v in VARIABLES
    ]
