import datetime

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import Rejected
from core.inputs import clean_text
from instrument.models import Instrument
from sessions.fields import IdField
from sessions.models import (
    MAX_TABLES,
    PARTICIPANT_CAP_DEFAULT,
    PARTICIPANT_CAP_MAX,
    Phase,
    ProjectorMode,
    Role,
    Workshop,
)


def _one_line(value: str, *, max_length: int, required: bool) -> str:
    """A one-line text field through the one text cleaner (core.inputs.clean_text)."""
    try:
        return clean_text(
            value, max_length=max_length, required=required, empty_message=_("Enter the city.")
        )
    except Rejected as refused:
        raise forms.ValidationError(str(refused)) from None


class JoinForm(forms.Form):
    role = forms.ChoiceField(
        label=_("I am here as"),
        choices=[("", _("Rather not say")), *Role.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    table = forms.TypedChoiceField(
        label=_("My table number"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: object, workshop: Workshop, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        numbers = workshop.tables.order_by("number").values_list("number", flat=True)
        self.fields["table"].choices = [("", _("I don't know yet"))] + [
            (n, str(n)) for n in numbers
        ]


class WorkshopForm(forms.Form):
    city = forms.CharField(label=_("City"), max_length=100)
    date = forms.DateField(
        label=_("Date"), initial=datetime.date.today, widget=forms.DateInput(attrs={"type": "date"})
    )
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

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request, in the request's language (a lazy text formatted at import
        # time would be fixed in one language).
        self.fields["participant_cap"].help_text = gettext(
            "%(default)s is plenty for a normal session; raise it for a conference "
            "(at most %(max)s). Phones beyond it are told the session is full."
        ) % {"default": PARTICIPANT_CAP_DEFAULT, "max": f"{PARTICIPANT_CAP_MAX:,}"}

    def clean_city(self) -> str:
        return _one_line(self.cleaned_data["city"], max_length=100, required=True)

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"], max_length=200, required=False)

    def clean_participant_cap(self) -> int:
        return self.cleaned_data["participant_cap"] or PARTICIPANT_CAP_DEFAULT


class StateForm(forms.Form):
    """Any subset of what the room sees; absent fields stay as they are."""

    phase = forms.ChoiceField(choices=Phase.choices, required=False)
    projector_mode = forms.ChoiceField(choices=ProjectorMode.choices, required=False)
    projector_element = IdField(min_value=1, max_value=50, required=False)
    results_revealed = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")],
        coerce=lambda v: v == "1",
        required=False,
        empty_value=None,
    )

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class DuplicateForm(forms.Form):
    city = forms.CharField(label=_("City"), max_length=100)
    date = forms.DateField(
        label=_("Date"), initial=datetime.date.today, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_city(self) -> str:
        return _one_line(self.cleaned_data["city"], max_length=100, required=True)
