import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from instrument.models import Instrument
from sessions.models import MAX_TABLES, Phase, ProjectorMode, Role, Workshop


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
    tables = forms.IntegerField(
        label=_("Number of tables"), min_value=1, max_value=MAX_TABLES, initial=4
    )
    instrument = forms.ModelChoiceField(
        label=_("Survey"), queryset=Instrument.objects.all(), empty_label=None
    )

    def clean_city(self) -> str:
        city = self.cleaned_data["city"].strip()
        if not city:
            raise forms.ValidationError(_("Enter the city."))
        return city


class StateForm(forms.Form):
    """Any subset of what the room sees; absent fields stay as they are."""

    phase = forms.ChoiceField(choices=Phase.choices, required=False)
    projector_mode = forms.ChoiceField(choices=ProjectorMode.choices, required=False)
    projector_element = forms.IntegerField(min_value=1, max_value=50, required=False)
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
