import re

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    CONSENT_FIELD_MAX,
    CONSENT_NAME_MAX,
    RETENTION_MONTHS_MAX,
    Role,
    Team,
)
from accounts.selectors import CONSENT_FIELDS
from core.errors import Rejected
from core.inputs import clean_text, parse_id

# Log-in names in ASCII: typed on any keyboard, and no look-alike letters of other scripts
# ("admin" spelt with a Cyrillic a) beside an existing name.
_USERNAME = re.compile(r"[A-Za-z0-9.@+_-]+", re.ASCII)
USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length or 150
NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length or 150
# Direction overrides and isolates (a name that shows reversed or hides what follows it).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


class InviteForm(forms.Form):
    username = forms.CharField(
        label=_("User name (to log in)"),
        max_length=10_000,  # the length is said in clean_username, as a message
        help_text=_("Letters, digits and . @ + - _ only, for example j.jansen."),
    )
    name = forms.CharField(label=_("Name (optional)"), required=False, max_length=10_000)
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        help_text=_("If the server can send e-mail, the link is sent there too."),
    )
    team = forms.ChoiceField(label=_("Team"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ORGANISER)

    def __init__(self, *args, teams: list[Team], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {team.slug: team for team in teams}
        self.fields["team"].choices = [(team.slug, team.name) for team in teams]

    def clean_username(self) -> str:
        value = self.cleaned_data["username"].strip()
        if len(value) > USERNAME_MAX_LENGTH:
            raise forms.ValidationError(
                _("A user name can have at most %(max)s characters; this one has %(n)s.")
                % {"max": USERNAME_MAX_LENGTH, "n": f"{len(value):,}"}
            )
        if not _USERNAME.fullmatch(value):
            raise forms.ValidationError(
                _(
                    "A user name consists of letters a-z, digits and . @ + - _ only (no "
                    "spaces, accents or invisible characters)."
                )
            )
        return value

    def clean_name(self) -> str:
        raw = self.cleaned_data["name"]
        if _BIDI_CONTROLS.search(raw):
            raise forms.ValidationError(
                _("The name contains invisible direction characters; type it again without them.")
            )
        try:
            return clean_text(raw, max_length=NAME_MAX_LENGTH, multiline=False)
        except Rejected as refused:
            raise forms.ValidationError(str(refused)) from None

    def clean_team(self) -> Team:
        return self.teams[self.cleaned_data["team"]]


class WelcomePasswordForm(SetPasswordForm):
    """Django's own: two password fields, checked by AUTH_PASSWORD_VALIDATORS."""


class ConsentTextForm(forms.Form):
    """What a session's phones are told before their first answer (accounts.ConsentText): for a
    team (its settings) or one session (its edit page). Blank English parts show the Dutch."""

    organiser = forms.CharField(
        label=_("Who runs the sessions (as participants see it)"),
        required=False,
        max_length=10_000,  # the length is said by the text cleaner, as a message
        help_text=_("Empty: the team's name."),
    )
    contact = forms.CharField(
        label=_("Contact for questions and withdrawal after the day"),
        required=False,
        max_length=10_000,
        help_text=_("An e-mail address or a web page; empty: ask the organiser in the room."),
    )
    purpose_nl = forms.CharField(
        label=_("What for (Dutch)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=100_000,
    )
    purpose_en = forms.CharField(
        label=_("What for (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=100_000,
    )
    audience_nl = forms.CharField(
        label=_("Who sees the answers (Dutch)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=100_000,
    )
    audience_en = forms.CharField(
        label=_("Who sees the answers (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=100_000,
    )
    retention_nl = forms.CharField(
        label=_("How long they are kept (Dutch)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=100_000,
    )
    retention_en = forms.CharField(
        label=_("How long they are kept (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=100_000,
    )
    # "Go back to the text this one would have without its own" instead of saving the fields.
    reset = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("reset"):
            return data
        for name in CONSENT_FIELDS:
            one_line = name in ("organiser", "contact")
            try:
                data[name] = clean_text(
                    data.get(name, ""),
                    max_length=CONSENT_NAME_MAX if one_line else CONSENT_FIELD_MAX,
                    required=name.endswith("_nl"),
                    multiline=not one_line,
                    empty_message=_("Write this part of the text in Dutch."),  # type: ignore[arg-type]
                )
            except Rejected as refused:
                self.add_error(name, str(refused))
        return data

    def consent_fields(self) -> dict[str, str] | None:
        """The text's fields to store, or None to go back to the inherited text."""
        if self.cleaned_data.get("reset"):
            return None
        return {name: self.cleaned_data[name] for name in CONSENT_FIELDS}


class RetentionForm(forms.Form):
    """A team's retention period in months; empty: none. ASCII digits only (core.inputs):
    "²", fullwidth digits, "1_0", "-3" and numbers past the maximum are refused with a message."""

    months = forms.CharField(
        label=_("Retention period in months"),
        required=False,
        max_length=100,
        help_text=_(
            "After this many months from its date, the console proposes anonymising a closed "
            "session. Empty: no period."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_months(self) -> int | None:
        raw = self.cleaned_data["months"].strip()
        if not raw:
            return None
        message = str(
            _("Give a whole number of months from 1 to %(max)s, or leave it empty.")
            % {"max": RETENTION_MONTHS_MAX}
        )
        try:
            return parse_id(raw, min_value=1, max_value=RETENTION_MONTHS_MAX, message=message)
        except Rejected as refused:
            raise forms.ValidationError(str(refused), code="invalid") from None
