"""Parsing of the profiles app's input: types here, rules in the services."""

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from profiles.models import NAME_MAX_LENGTH, Audience, PointSection
from sessions.fields import IdField, IdListField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class IdsField(IdListField):
    """Any number of ids (which ones are allowed is the service's to judge), each through
    the one strict id parser: "²", a fullwidth digit, "1_0" or an id past the column's
    range is refused."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(_("Choose from the list."), code="invalid") from None


def _optional_text(label: "StrOrPromise | None", rows: int) -> forms.CharField:
    """An optional text of some lines, as typed: its limits and cleaning are the service's."""
    return forms.CharField(
        label=label, required=False, strip=False, widget=forms.Textarea(attrs={"rows": rows})
    )


class ProfileForm(forms.Form):
    local_context = _optional_text(_("Local context"), 6)
    summary = _optional_text(_("Summary"), 8)
    closing_quote_note = IdField(required=False)
    closing_quote_observation = IdField(required=False)
    closing_quote = _optional_text(_("Closing quote"), 3)


class ProfileElementForm(forms.Form):
    quote_note = IdField(required=False)
    quote_observation = IdField(required=False)
    quote = _optional_text(None, 3)
    synthesis = _optional_text(None, 7)


class PointCreateForm(forms.Form):
    section = forms.ChoiceField(choices=PointSection.choices)
    element = IdField(required=False)
    sources = IdsField(required=False)
    observations = IdsField(required=False)
    text = forms.CharField(required=False, strip=False)


class PointUpdateForm(forms.Form):
    sources = IdsField(required=False)
    observations = IdsField(required=False)
    text = forms.CharField(required=False, strip=False)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, strip=False)
    description = _optional_text(_("Description"), 3)


class ThemeForm(NameForm):
    """A theme as the hand-out has it: a narrative and its key points (one per line)."""

    narrative = _optional_text(_("Narrative"), 8)
    key_points = _optional_text(_("Key points"), 4)


class ProgrammeForm(NameForm):
    """A programme is named and described as a theme is, and has more."""

    reflective_questions = _optional_text(_("Reflective questions"), 4)
    workshops = IdsField(required=False)


class RecommendationForm(forms.Form):
    audience = forms.ChoiceField(label=_("For"), choices=Audience.choices)
    text = _optional_text(_("Recommendation"), 2)
    themes = IdsField(required=False)
    workshops = IdsField(required=False)


# The publication's texts of a programme, in its order, with their labels.
PUBLICATION_TEXT_LABELS: tuple[tuple[str, "StrOrPromise"], ...] = (
    ("foreword", _("Foreword")),
    ("introduction", _("Introduction")),
    ("method", _("Method")),
    ("participants_text", _("About the participants")),
    ("elements_intro", _("Introduction to the elements")),
    ("themes_intro", _("Introduction to the themes")),
    ("recommendations_intro", _("Introduction to the recommendations")),
    ("cities_intro", _("Introduction to the cities")),
)


class PublicationTextsForm(forms.Form):
    """The programme's texts of the publication and one definition per element (fields
    "definition-<key>"); as typed, the service cleans them."""

    def __init__(self, *args, element_keys: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in PUBLICATION_TEXT_LABELS:
            self.fields[name] = _optional_text(label, 8)
        for key in element_keys:
            self.fields[f"definition-{key}"] = _optional_text(None, 5)
        self.element_keys = element_keys

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name, _label in PUBLICATION_TEXT_LABELS}

    def definitions(self) -> dict[str, str]:
        return {k: self.cleaned_data[f"definition-{k}"] for k in self.element_keys}
