"""Parsing of the profiles app's input: types here, rules in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from profiles.models import NAME_MAX_LENGTH, Audience, PointSection
from sessions.fields import IdField, IdListField


class IdsField(IdListField):
    """Any number of ids (which ones are allowed is the service's to judge), each through
    the one strict id parser: "²", a fullwidth digit, "1_0" or an id past the column's
    range is refused."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(_("Choose from the list."), code="invalid") from None


class ProfileForm(forms.Form):
    local_context = forms.CharField(
        label=_("Local context"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    closing_quote_note = IdField(required=False)
    closing_quote = forms.CharField(
        label=_("Closing quote"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProfileElementForm(forms.Form):
    quote_note = IdField(required=False)
    quote = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3}))
    synthesis = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 7})
    )


class PointCreateForm(forms.Form):
    section = forms.ChoiceField(choices=PointSection.choices)
    element = IdField(required=False)
    sources = IdsField(required=False)
    text = forms.CharField(required=False, strip=False)


class PointUpdateForm(forms.Form):
    sources = IdsField(required=False)
    text = forms.CharField(required=False, strip=False)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, strip=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reflective_questions = forms.CharField(
        label=_("Reflective questions"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    workshops = IdsField(required=False)


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, strip=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RecommendationForm(forms.Form):
    audience = forms.ChoiceField(label=_("For"), choices=Audience.choices)
    text = forms.CharField(
        label=_("Recommendation"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    themes = IdsField(required=False)
    workshops = IdsField(required=False)
