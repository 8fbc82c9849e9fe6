from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.selectors import is_manager


def team_manager(request: HttpRequest) -> dict[str, object]:
    """`is_team_manager` for the organiser's menu (asked only on pages that show it)."""
    return {"is_team_manager": SimpleLazyObject(lambda: is_manager(user=request.user))}
