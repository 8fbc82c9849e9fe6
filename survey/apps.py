from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_answer_save(using: str = "default", **kwargs: object) -> None:
    """(Re)install scentiss_answer_save from survey/sql/answer_save.sql after every migrate,
    so that the function in the database is always the file's (survey/tallies.py)."""
    from django.db import connections

    from survey.tallies import answer_save_sql

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(answer_save_sql())


class SurveyConfig(AppConfig):
    name = "survey"
    verbose_name = _("Survey")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_install_answer_save, sender=self)
