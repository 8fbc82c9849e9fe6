from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    # django.contrib.sessions owns the label "sessions".
    name = "sessions"
    label = "workshops"
    verbose_name = _("Workshop sessions")
    default_auto_field = "django.db.models.BigAutoField"
