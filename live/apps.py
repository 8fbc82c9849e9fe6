from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    """The realtime layer: channel events, the broadcaster, the consumers and their routes."""

    name = "live"
    verbose_name = _("Live")

    def ready(self) -> None:
        # The data apps announce their changes through sessions' signals; live passes them on.
        from live import receivers

        receivers.connect()
