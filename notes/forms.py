"""Parsing of the notes app's input: types here, rules in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from notes.models import INITIALS_MAX_LENGTH, ObservationKind
from sessions.fields import IdField
from sessions.models import Role


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
        self.fields["element"].choices = [
            ("", _("the whole session")),
            *((e.pk, e.tr("name")) for e in elements),
        ]
