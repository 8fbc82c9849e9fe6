"""The questionnaire a session is made with: an instrument, its elements and statements.

Beneath both sessions (a session is made with an instrument) and survey (an answer is to a
statement). The tables keep the names they had in the survey app (db_table): moving the models
here moved no data.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from instrument.i18n import current_lang, localized


class Instrument(models.Model):
    """A versioned questionnaire. A session keeps the instrument it ran with, so once used an
    instrument must not change: a changed questionnaire is a new version."""

    slug = models.SlugField(max_length=80)
    version = models.PositiveIntegerField()
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    stem_nl = models.CharField(
        _("statement stem (Dutch)"),
        max_length=300,
        help_text=_("Opening of every statement; {city} is replaced by the session's city."),
    )
    stem_en = models.CharField(_("statement stem (English)"), max_length=300, blank=True)
    scale_nl = models.JSONField(_("labels of 1..5 (Dutch)"), default=list, blank=True)
    scale_en = models.JSONField(_("labels of 1..5 (English)"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "survey_instrument"
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="instrument_slug_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name_nl} (v{self.version})"

    def tr(self, field: str) -> Any:
        return localized(self, field)

    def stem_for(self, city: str, lang: str | None = None) -> str:
        return localized(self, "stem", lang).replace("{city}", city)


class Element(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="elements")
    order = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=40)
    name_nl = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    capital_nl = models.CharField(_("capital form (Dutch)"), max_length=120, blank=True)
    capital_en = models.CharField(_("capital form (English)"), max_length=120, blank=True)
    core_question_nl = models.TextField()
    core_question_en = models.TextField(blank=True)
    discussion_questions_nl = models.JSONField(default=list, blank=True)
    discussion_questions_en = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "survey_element"
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "order"], name="element_order_unique"),
            models.UniqueConstraint(fields=["instrument", "key"], name="element_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name_nl

    def tr(self, field: str) -> Any:
        return localized(self, field)

    @property
    def tr_name(self) -> str:
        """The name in the active language (for templates, which cannot pass arguments)."""
        return localized(self, "name")


class Statement(models.Model):
    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="statements")
    order = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=40)
    text_nl = models.TextField(help_text=_("The statement after the stem."))
    text_en = models.TextField(blank=True)
    label_nl = models.CharField(max_length=120)
    label_en = models.CharField(max_length=120, blank=True)

    class Meta:
        db_table = "survey_statement"
        ordering = ["element__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["element", "order"], name="statement_order_unique"),
            models.UniqueConstraint(fields=["element", "key"], name="statement_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label_nl

    def tr(self, field: str) -> Any:
        return localized(self, field)

    def full_text(self, city: str, lang: str | None = None) -> str:
        """The statement as the participant reads it, with the city filled in."""
        instrument = self.element.instrument
        lang = lang or current_lang()
        # English needs a comma after the fronted phrase; Dutch inverts the verb instead.
        joiner = ", " if lang == "en" else " "
        return f"{instrument.stem_for(city, lang)}{joiner}{localized(self, 'text', lang)}"
