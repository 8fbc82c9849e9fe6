from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("City profiles and programmes")
    default_auto_field = "django.db.models.BigAutoField"
