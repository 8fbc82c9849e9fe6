"""City profiles (chapter 6 of the hand-out) and the analysis across cities (chapters 4 and 5).

A profile belongs to one session. Its points (strong points, bottlenecks, opportunities) are
written by the organiser from the table chairs' notes and keep those notes as their sources,
so every line of the hand-out can be traced back to what was said at the tables.

A programme groups sessions (the cities); its themes tag notes across the cities and its
recommendations, per audience, point at the themes and cities that support them.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from notes.models import Note, Observation
    from sessions.models import Workshop

POINT_MAX_LENGTH = 2000
TEXT_MAX_LENGTH = 10000
NAME_MAX_LENGTH = 200


def _length_at_most(field: str, limit: int) -> Q:
    return Q(LessThanOrEqual(Length(field), limit))


def _not_blank(field: str, limit: int) -> Q:
    return Q(GreaterThan(Length(field), 0), LessThanOrEqual(Length(field), limit))


def _all_at_most(fields: tuple[str, ...], limit: int) -> Q:
    condition = Q()
    for name in fields:
        condition &= _length_at_most(name, limit)
    return condition


# The programme's texts of the publication, in the publication's order.
PUBLICATION_TEXT_FIELDS = (
    "foreword",
    "introduction",
    "method",
    "participants_text",
    "elements_intro",
    "themes_intro",
    "recommendations_intro",
    "cities_intro",
)


class Profile(models.Model):
    """The city profile of one session: the texts around the six elements."""

    workshop = models.OneToOneField(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="profile"
    )
    local_context = models.TextField(_("local context"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # The closing quote: the organiser's wording, or (empty) the chosen note's text as written.
    closing_quote = models.TextField(_("closing quote"), blank=True)
    closing_quote_note = models.ForeignKey(
        "notes.Note",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closing quote from note"),
    )
    # Or from an observation (a striking statement the researcher or a chair wrote down).
    closing_quote_observation = models.ForeignKey(
        "notes.Observation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closing quote from observation"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("city profile")
        verbose_name_plural = _("city profiles")
        constraints = [
            models.CheckConstraint(
                condition=_length_at_most("local_context", TEXT_MAX_LENGTH)
                & _length_at_most("summary", TEXT_MAX_LENGTH)
                & _length_at_most("closing_quote", POINT_MAX_LENGTH),
                name="profile_text_lengths",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workshop.city} ({self.workshop.code})"


class ProfileElement(models.Model):
    """Per element of the profile: the organiser's synthesis and the representative quote."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="element_texts")
    element = models.ForeignKey("instrument.Element", on_delete=models.PROTECT, related_name="+")
    synthesis = models.TextField(_("synthesis"), blank=True)
    quote = models.TextField(_("quote"), blank=True)
    quote_note = models.ForeignKey(
        "notes.Note",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quote from note"),
    )
    quote_observation = models.ForeignKey(
        "notes.Observation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quote from observation"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["profile", "element__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "element"], name="profile_element_once_per_profile"
            ),
            models.CheckConstraint(
                condition=_length_at_most("synthesis", TEXT_MAX_LENGTH)
                & _length_at_most("quote", POINT_MAX_LENGTH),
                name="profile_element_text_lengths",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} · {self.element}"


class PointSection(models.TextChoices):
    STRENGTH = "strength", _("Strong points")
    BOTTLENECK = "bottleneck", _("Bottlenecks")
    OPPORTUNITY = "opportunity", _("Opportunities")


# Per element: strong points and bottlenecks. For the whole city: the opportunities ("Kansen").
ELEMENT_SECTIONS = frozenset({PointSection.STRENGTH, PointSection.BOTTLENECK})


class ProfilePoint(models.Model):
    """One bullet of the profile, merged and reworded from one or more notes (its sources)."""

    # Set by profiles.selectors: the sources, decorated, and their count per kind.
    source_notes: list["Note"]
    source_observations: list["Observation"]
    source_tally: Any

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="points")
    element = models.ForeignKey(
        "instrument.Element", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    section = models.CharField(max_length=12, choices=PointSection.choices)
    text = models.TextField(_("text"), max_length=POINT_MAX_LENGTH)
    order = models.PositiveIntegerField(default=0)
    sources = models.ManyToManyField(
        "notes.Note", blank=True, related_name="profile_points", verbose_name=_("sources")
    )
    # The researcher's and the table chairs' observations it also stands on (the hand-out:
    # observations "meegenomen in de kwalitatieve analyse").
    observations = models.ManyToManyField(
        "notes.Observation",
        blank=True,
        related_name="profile_points",
        verbose_name=_("observations"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["profile", "section", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(section__in=["strength", "bottleneck"], element__isnull=False)
                    | Q(section="opportunity", element__isnull=True)
                ),
                name="profile_point_section_matches_element",
            ),
            models.CheckConstraint(
                condition=_not_blank("text", POINT_MAX_LENGTH), name="profile_point_text_1_to_2000"
            ),
        ]
        indexes = [models.Index(fields=["profile", "element", "section", "order"])]

    def __str__(self) -> str:
        return f"{self.profile} {self.section}: {self.text[:40]}"


class Programme(models.Model):
    """Sessions analysed together (the five cities of the hand-out)."""

    # Set by profiles.selectors.programme_list: the sessions it shows.
    shown_workshops: list["Workshop"]

    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True)
    # The hand-out's "Reflectieve vragen" to start from, one per line, editable.
    reflective_questions = models.TextField(_("reflective questions"), blank=True, default="")
    # The publication's own texts (profiles.handout gives the hand-out's as starting text).
    foreword = models.TextField(_("foreword"), blank=True, default="")
    introduction = models.TextField(_("introduction"), blank=True, default="")
    method = models.TextField(_("method"), blank=True, default="")
    participants_text = models.TextField(_("about the participants"), blank=True, default="")
    elements_intro = models.TextField(_("introduction to the elements"), blank=True, default="")
    themes_intro = models.TextField(_("introduction to the themes"), blank=True, default="")
    recommendations_intro = models.TextField(
        _("introduction to the recommendations"), blank=True, default=""
    )
    cities_intro = models.TextField(_("introduction to the cities"), blank=True, default="")
    workshops = models.ManyToManyField(
        "workshops.Workshop", blank=True, related_name="programmes", verbose_name=_("sessions")
    )
    # The team whose members see and edit the programme (accounts.access); None: made outside
    # any team, for those in no team (as sessions of no team).
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("team"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=_not_blank("name", NAME_MAX_LENGTH)
                & _length_at_most("description", TEXT_MAX_LENGTH),
                name="programme_text_lengths",
            ),
            models.CheckConstraint(
                condition=_length_at_most("reflective_questions", TEXT_MAX_LENGTH),
                name="programme_reflective_questions_length",
            ),
            models.CheckConstraint(
                condition=_all_at_most(PUBLICATION_TEXT_FIELDS, TEXT_MAX_LENGTH),
                name="programme_publication_text_lengths",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A cross-cutting theme of a programme, with which the organiser tags notes."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True)
    # As the hand-out has a theme: a narrative of a paragraph or two and its key points
    # ("Kernpunten"), one per line.
    narrative = models.TextField(_("narrative"), blank=True, default="")
    key_points = models.TextField(_("key points"), blank=True, default="")
    order = models.PositiveIntegerField(default=0)
    notes = models.ManyToManyField(
        "notes.Note", through="ThemeTag", blank=True, related_name="themes"
    )
    # The researcher's and the chairs' observations tagged with the theme.
    observations = models.ManyToManyField(
        "notes.Observation", blank=True, related_name="themes", verbose_name=_("observations")
    )

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="theme_name_per_programme"),
            models.CheckConstraint(
                condition=_not_blank("name", NAME_MAX_LENGTH)
                & _length_at_most("description", TEXT_MAX_LENGTH),
                name="theme_text_lengths",
            ),
            models.CheckConstraint(
                condition=_all_at_most(("narrative", "key_points"), TEXT_MAX_LENGTH),
                name="theme_publication_text_lengths",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key_point_list(self) -> list[str]:
        return [line.strip() for line in self.key_points.splitlines() if line.strip()]


class ProgrammeElement(models.Model):
    """The programme's definition of one element (chapter 3 of the hand-out), by the element's
    key: the name and the form of capital are the instrument's, the definition is the
    programme's text."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="elements")
    key = models.SlugField(max_length=40)
    definition = models.TextField(_("definition"), blank=True, default="")

    class Meta:
        ordering = ["programme", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="programme_element_once"),
            models.CheckConstraint(
                condition=_length_at_most("definition", TEXT_MAX_LENGTH),
                name="programme_element_definition_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.key}"


class ThemeTag(models.Model):
    """A note tagged with a theme. The link lives in profiles, which sits above notes: a note
    knows nothing of the programmes' themes."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="tags")
    note = models.ForeignKey("notes.Note", on_delete=models.CASCADE, related_name="theme_tags")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["theme", "note"], name="theme_tag_once"),
        ]

    def __str__(self) -> str:
        return f"{self.theme} ← {self.note_id}"


class Audience(models.TextChoices):
    """The audiences of the hand-out's recommendations (chapter 5)."""

    MUNICIPALITIES = "municipalities", _("Municipalities and provinces")
    SUPPORT = "support", _("Support organisations")
    KNOWLEDGE = "knowledge", _("Knowledge institutions")
    FINANCIERS = "financiers", _("Financiers and funds")
    NETWORKS = "networks", _("Network organisations")


class Recommendation(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="recommendations"
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    text = models.TextField(_("recommendation"), max_length=POINT_MAX_LENGTH)
    order = models.PositiveIntegerField(default=0)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="recommendations", verbose_name=_("themes")
    )
    workshops = models.ManyToManyField(
        "workshops.Workshop", blank=True, related_name="+", verbose_name=_("cities")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "audience", "order", "pk"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=list(Audience.values)),
                name="recommendation_audience_known",
            ),
            models.CheckConstraint(
                condition=_not_blank("text", POINT_MAX_LENGTH),
                name="recommendation_text_1_to_2000",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_audience_display()}: {self.text[:40]}"
