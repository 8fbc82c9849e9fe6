import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.errors import Rejected
from core.inputs import clean_text
from instrument.models import Instrument
from sessions.fields import IdField, PlainSelect
from sessions.models import (
    MAX_TABLES,
    PARTICIPANT_CAP_DEFAULT,
    PARTICIPANT_CAP_MAX,
    ROUND_MINUTES_MAX,
    TABLE_ADVISED_MAX,
    TABLE_FOCUS_MAX,
    Phase,
    ProjectorMode,
    Role,
    Workshop,
)

# <input type="date"> takes ISO dates only; the Dutch format ("27-11-2026") left it empty.
ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _one_line(value: str, *, max_length: int, required: bool) -> str:
    """A one-line text field through the one text cleaner (core.inputs.clean_text)."""
    try:
        # Line ends are kept as they were typed (a pasted title may hold one); what XML
        # cannot hold and invisible-only text are refused.
        return clean_text(
            value,
            max_length=max_length,
            required=required,
            empty_message=_("Enter the city."),  # type: ignore[arg-type]  # lazy is fine
        )
    except Rejected as refused:
        raise forms.ValidationError(str(refused)) from None


def _table_choice(table, text: str) -> str:
    """ "2 · Haven (5 of 7)": the number people look for, its focus, how full it is (`text`:
    the translated pattern, looked up once per form, not once per table)."""
    name = f"{table.number} · {table.focus}" if table.focus else str(table.number)
    return text % {
        "table": name,
        "n": table.size,
        "max": TABLE_ADVISED_MAX,
    }


class _Pairs(BaseChoiceIterator):
    """Choices already as Django keeps them, flat (value, label) pairs, taken as they are.

    Django normalises a list of choices each time it is set on a field, again on the field's
    widget, and again whenever a form copies its fields (every form does): for the join form,
    with a conference's 30 tables, that was a third of its construction (cProfile), on every
    phone's GET and POST. Django leaves an iterator of choices as it is."""

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.pairs = pairs

    def __iter__(self) -> Any:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    # Never changed once made (a form sets new choices, it does not edit them): a form's copy
    # of its fields shares them.
    def __copy__(self) -> "_Pairs":
        return self

    def __deepcopy__(self, memo: dict) -> "_Pairs":
        return self


class JoinForm(forms.Form):
    # A list, not eight radio buttons: on a 390x844 phone "Starten" stays above the fold.
    role = forms.ChoiceField(
        label=_("I am here as"),
        choices=_Pairs([("", _("Rather not say")), *Role.choices]),
        required=False,
        widget=PlainSelect,
    )
    table = forms.TypedChoiceField(
        label=_("My table number"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=PlainSelect,
    )

    # The consent text's version the page showed: agreeing to a text that changed meanwhile
    # is refused (the page shows the new one). Not required: the checkbox is the agreement.
    consent_version = IdField(required=False, widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("I have read this and agree that my answers are used as described."),
        error_messages={
            "required": _(
                "Tick the box to agree before you start; without it nothing is stored. "
                "Not taking part is fine too."
            )
        },
    )

    def __init__(
        self,
        *args: Any,
        workshop: Workshop,
        tables: list,
        consent_version: int | None = None,
        **kwargs: Any,
    ) -> None:
        """tables: the session's tables with `size` (how many sit there), from the selector;
        consent_version: the version of the consent text that applies now."""
        super().__init__(*args, **kwargs)
        self.current_consent_version = consent_version
        self.fields["consent_version"].initial = consent_version
        text = gettext("%(table)s (%(n)s of %(max)s)")
        self.fields["table"].choices = _Pairs(
            [("", _("I don't know yet")), *((t.number, _table_choice(t, text)) for t in tables)]
        )
        roomy = [t for t in tables if t.size < TABLE_ADVISED_MAX]
        # The suggestion: the emptiest table with room (the lowest number of those).
        self.suggested = min(roomy, key=lambda t: (t.size, t.number)) if roomy else None

    def clean_consent_version(self) -> int | None:
        shown = self.cleaned_data.get("consent_version")
        if shown is not None and shown != self.current_consent_version:
            raise forms.ValidationError(
                _(
                    "The text about your answers has just been changed. Read it again and "
                    "agree to start."
                )
            )
        return shown


class WorkshopForm(forms.Form):
    city = forms.CharField(label=_("City"), max_length=100)
    date = forms.DateField(label=_("Date"), initial=datetime.date.today, widget=ISO_DATE)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    tables = IdField(
        label=_("Number of tables"),
        min_value=1,
        max_value=MAX_TABLES,
        initial=4,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_TABLES}),
    )
    participant_cap = IdField(
        label=_("Maximum number of participants"),
        min_value=1,
        max_value=PARTICIPANT_CAP_MAX,
        initial=PARTICIPANT_CAP_DEFAULT,
        required=False,  # left empty: the default
        widget=forms.NumberInput(attrs={"min": 1, "max": PARTICIPANT_CAP_MAX}),
    )
    instrument = forms.ModelChoiceField(
        label=_("Survey"), queryset=Instrument.objects.all(), empty_label=None
    )
    # The tables' focus ("Haven", "Zorg"), one line per table in order; *Bewerken* changes them.
    focus = forms.CharField(
        label=_("Focus per table (optional)"),
        help_text=_(
            "One line per table, in order: a sector or district (Haven); an empty line for a "
            "table without one."
        ),
        required=False,
        max_length=MAX_TABLES * (TABLE_FOCUS_MAX + 2),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, teams: Sequence[Team] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The new session's team: the organiser's only team, or one of theirs to choose; an
        # organiser in no team makes a session of no team.
        self.teams = {team.slug: team for team in teams}
        if len(self.teams) > 1:
            self.fields["team"] = forms.ChoiceField(
                label=_("Team"), choices=[(team.slug, team.name) for team in teams]
            )
        # Formatted per request, in the request's language (a lazy text formatted at import
        # time would be fixed in one language).
        self.fields["participant_cap"].help_text = gettext(
            "%(default)s is plenty for a normal session; raise it for a conference "
            "(at most %(max)s). Phones beyond it are told the session is full."
        ) % {
            "default": number_format(PARTICIPANT_CAP_DEFAULT, force_grouping=True),
            # 5.000 in Dutch, 5,000 in English.
            "max": number_format(PARTICIPANT_CAP_MAX, force_grouping=True),
        }

    def clean_city(self) -> str:
        return _one_line(self.cleaned_data["city"], max_length=100, required=True)

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"], max_length=200, required=False)

    def clean_participant_cap(self) -> int:
        return self.cleaned_data["participant_cap"] or PARTICIPANT_CAP_DEFAULT

    def clean_focus(self) -> dict[int, str]:
        """{table number: focus} from the lines typed, the tables without one left out."""
        lines = self.cleaned_data["focus"].replace("\r\n", "\n").replace("\r", "\n").split("\n")
        focus = {}
        for number, line in enumerate(lines, start=1):
            try:
                text = clean_text(line, max_length=TABLE_FOCUS_MAX, multiline=False)
            except Rejected as refused:
                raise forms.ValidationError(
                    gettext("Table %(n)s: %(reason)s") % {"n": number, "reason": refused}
                ) from None
            if text:
                focus[number] = text
        return focus

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tables = data.get("tables")
        if tables and any(number > tables for number in data.get("focus", {})):
            self.add_error(
                "focus",
                gettext("There are more lines than tables (%(n)s); one line per table.")
                % {"n": tables},
            )
        if "team" in self.fields:
            if data.get("team") in self.teams:
                data["team"] = self.teams[data["team"]]
        else:
            data["team"] = next(iter(self.teams.values()), None)
        return data


class StateForm(forms.Form):
    """Any subset of what the room sees; absent fields stay as they are."""

    phase = forms.ChoiceField(choices=Phase.choices, required=False)
    projector_mode = forms.ChoiceField(choices=ProjectorMode.choices, required=False)
    projector_element = IdField(min_value=1, max_value=50, required=False)
    projector_table = IdField(min_value=1, max_value=MAX_TABLES, required=False)
    results_revealed = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")],
        coerce=lambda v: v == "1",
        required=False,
        empty_value=None,
    )

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class RoundForm(forms.Form):
    """The round timer: start (with its minutes), the next element, or stop."""

    action = forms.ChoiceField(choices=[("start", "start"), ("next", "next"), ("stop", "stop")])
    minutes = IdField(
        label=_("Minutes per round"),
        min_value=1,
        max_value=ROUND_MINUTES_MAX,
        required=False,
        widget=forms.NumberInput(
            attrs={"min": 1, "max": ROUND_MINUTES_MAX, "inputmode": "numeric"}
        ),
    )


class DuplicateForm(forms.Form):
    city = forms.CharField(label=_("City of the new session"), max_length=100)
    date = forms.DateField(label=_("Date"), initial=datetime.date.today, widget=ISO_DATE)
    title = forms.CharField(
        label=_("Title (empty: this title with the new city)"), max_length=200, required=False
    )
    keep_focus = forms.BooleanField(
        label=_("Keep the tables' focus (sector or district)"), initial=True, required=False
    )

    def clean_city(self) -> str:
        return _one_line(self.cleaned_data["city"], max_length=100, required=True)

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"], max_length=200, required=False)


class WorkshopEditForm(forms.Form):
    """What the organiser may change on the day: city, title, date, more tables, each table's
    focus. Tables can only be added (a table may hold people and notes)."""

    city = forms.CharField(label=_("City"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    date = forms.DateField(label=_("Date"), widget=ISO_DATE)
    tables = IdField(
        label=_("Number of tables"),
        min_value=1,
        max_value=MAX_TABLES,
        help_text=_("Raise the number to add tables; tables are never removed."),
    )
    participant_cap = IdField(
        label=_("Maximum number of participants"),
        min_value=1,
        max_value=PARTICIPANT_CAP_MAX,
        widget=forms.NumberInput(attrs={"min": 1, "max": PARTICIPANT_CAP_MAX}),
    )

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        self.existing = list(workshop.tables.order_by("number"))
        initial = {
            "city": workshop.city,
            "title": workshop.title,
            "date": workshop.date,
            "tables": len(self.existing),
            "participant_cap": workshop.participant_cap,
            **{f"focus_{t.number}": t.focus for t in self.existing},
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["tables"].widget.attrs["min"] = len(self.existing)
        for t in self.existing:
            self.fields[f"focus_{t.number}"] = forms.CharField(
                label=_("Table %(n)s: focus (sector or district, optional)") % {"n": t.number},
                max_length=TABLE_FOCUS_MAX,
                required=False,
            )

    def clean_city(self) -> str:
        return _one_line(self.cleaned_data["city"], max_length=100, required=True)

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"], max_length=200, required=False)

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        for t in self.existing:
            name = f"focus_{t.number}"
            if name in data:
                try:
                    data[name] = _one_line(data[name], max_length=TABLE_FOCUS_MAX, required=False)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data

    def clean_tables(self) -> int:
        tables = self.cleaned_data["tables"]
        if tables < len(self.existing):
            raise forms.ValidationError(
                _("This session has %(n)s tables; tables can be added, not removed.")
                % {"n": len(self.existing)}
            )
        return tables

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "city": data["city"],
            "title": data["title"],
            "date": data["date"],
            "tables": data["tables"],
            "participant_cap": data["participant_cap"],
            "focus": {t.number: data[f"focus_{t.number}"] for t in self.existing},
        }


class ExcludeForm(forms.Form):
    """The joins to take out of the results: those between two moments (ISO 8601, as the
    console's burst flag writes them)."""

    joined_from = forms.DateTimeField()
    joined_to = forms.DateTimeField()
