from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentConfig(AppConfig):
    name = "instrument"
    verbose_name = _("Instrument")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # core (framework-free) raises its refusals through core.i18n: give it Django's
        # gettext, so they are in the request's language.
        from django.utils.translation import gettext

        from core import i18n

        i18n.install(gettext)
