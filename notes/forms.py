"""Parsing of the notes app's input: types here, rules in the services."""

import unicodedata
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from notes.models import INITIALS_MAX_LENGTH, ObservationKind
from notes.selectors import seating_context
from sessions.fields import IdField
from sessions.models import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class NoteCreateForm(forms.Form):
    client_id = forms.UUIDField(error_messages={"required": _("The note has no id; reload.")})
    element = IdField(error_messages={"required": _("Choose an element.")})
    kind = forms.CharField(max_length=10)
    participant = IdField(required=False)
    # Length and emptiness are the service's to judge (after normalising line ends).
    text = forms.CharField(required=False, strip=False)
    is_quote = forms.BooleanField(required=False)


class NoteUpdateForm(forms.Form):
    text = forms.CharField(required=False, strip=False)
    is_quote = forms.BooleanField(required=False)


class ExtraSeatForm(forms.Form):
    initials = forms.CharField(
        label=_("Initials (optional)"),
        required=False,
        max_length=INITIALS_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 6}),
    )
    role = forms.ChoiceField(
        label=_("Role (optional)"),
        required=False,
        choices=[("", "\u2013"), *Role.choices],
    )


class ObservationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ObservationKind.choices, widget=forms.RadioSelect
    )
    element = forms.TypedChoiceField(
        label=_("Element (optional)"), required=False, coerce=int, empty_value=None
    )
    text = forms.CharField(
        label=_("Observation"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )

    def __init__(self, *args, elements: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["element"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            ("", _("the whole session")),
            *((e.pk, e.tr("name")) for e in elements),
        ]


class ChairObservationForm(ObservationForm):
    """An observation from a chair's tablet: with an id made when the page was drawn, so the
    same post twice is stored once."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "obs-%s")
        super().__init__(*args, **kwargs)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        # Only invisible characters (zero-width space, joiners, direction marks) is no text.
        if text and not "".join(c for c in text if unicodedata.category(c) != "Cf").strip():
            raise forms.ValidationError(_("Write something first: an empty note is not stored."))
        return text


def _seating_label(participant) -> str:
    label = participant.seat_label
    if participant.table_id is None:
        label = _("%(seat)s (no table)") % {"seat": label}
    if participant.initials:
        label = f"{label} {participant.initials}"
    if participant.role:
        label = f"{label} · {participant.get_role_display()}"
    return str(label)


def _seated_group(*, chair: bool) -> str:
    """The group of those who sit at a table: at another table on the chair's tablet."""
    return str(_("At another table") if chair else _("At a table"))


def _session_choice(label: "StrOrPromise", refusal: "StrOrPromise") -> forms.TypedChoiceField:
    """One of the session's own (ids or numbers); a missing choice is refused as a wrong one."""
    return forms.TypedChoiceField(
        label=label, coerce=int, error_messages={"invalid_choice": refusal, "required": refusal}
    )


class SeatForm(forms.Form):
    """Seat or move a participant. The choices are the session's own participants and tables,
    so an id of another session, odd digits (fullwidth, "1_0") or a huge number is simply not a
    choice: refused with a message, nothing changed."""

    participant = _session_choice(_("Participant"), _("Choose a participant of this session."))
    table = _session_choice(_("Table"), _("Choose a table of this session."))

    def __init__(self, *args, candidates: list, tables: list, **kwargs) -> None:
        kwargs.setdefault("auto_id", "seat-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Those without a table first, as a group of their own: moving someone who sits at
        # another table is the rarer case (and the chair's page asks before it does).
        unseated = [(p.pk, _seating_label(p)) for p in candidates if p.table_id is None]
        seated = [(p.pk, _seating_label(p)) for p in candidates if p.table_id is not None]
        self.fields["participant"].choices = [
            ("", "\u2013"),
            *([(_("Without a table"), unseated)] if unseated else []),
            *([(_seated_group(chair=len(tables) == 1), seated)] if seated else []),
        ]
        self.fields["table"].choices = [
            (t.number, _("Table %(n)s") % {"n": t.number}) for t in tables
        ]
        if len(tables) == 1:  # the chair's form: its own table only
            self.fields["table"].widget = forms.HiddenInput()
            self.fields["table"].initial = tables[0].number


def seating_card(*, workshop) -> dict:
    """The organiser's seating card's context: the selectors' facts and the form."""
    context = seating_context(workshop=workshop)
    context["form"] = SeatForm(candidates=context["candidates"], tables=context["tables"])
    return context
