from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Workbooks and CSV files of sessions (and the comparison of several): no models."""

    name = "exports"
    verbose_name = _("Exports")
