from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentConfig(AppConfig):
    name = "instrument"
    verbose_name = _("Instrument")
    default_auto_field = "django.db.models.BigAutoField"
