"""What the views of the apps above share: a service call whose refusal or success is told in
a message on the next page (`attempt`) or whose refusal the page shows itself (`outcome`), and
the chair link's check. Here, in the lowest app with views, so that survey, notes, profiles and
the console can all use it."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.errors import Rejected
from sessions.selectors import table_by_chair_key

T = TypeVar("T")
FormT = TypeVar("FormT", bound=forms.BaseForm)


def form_errors(form: forms.BaseForm) -> str:
    """A form's errors as one line, for a message above the page."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@dataclass(frozen=True)
class Refused:
    """A service's refusal (core.errors.Rejected): its message, in the user's language."""

    message: str


def outcome(action: Callable[[], T]) -> T | Refused:
    """Run `action` (a service call): its result, or its refusal. For a view that shows the
    refusal on its own page rather than as a message on the next one (`attempt`)."""
    try:
        return action()
    except Rejected as refused:
        return Refused(str(refused))


# A message with this tag is shown beside the form it is about (the page's part the view
# redirects to: templates/console/_share.html), not at the top of the page (base.html), where
# a page that opens further down would leave it out of view.
IN_PLACE = "in-place"


def attempt(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str] | None,
    in_place: str = "",
) -> T | None:
    """Run `action` (a service call, which returns something); a refusal becomes an error
    message, anything else a success message (`success`, or made from the result; none for
    None: the page shows the change itself). With `in_place` (a name for the form), the
    message is shown beside that form (IN_PLACE).

    Returns the action's result, or None when it was refused."""
    tags = f"{IN_PLACE} {in_place}" if in_place else ""
    result = outcome(action)
    if isinstance(result, Refused):
        messages.error(request, result.message, extra_tags=tags)
        return None
    if success is not None:
        text = success if isinstance(success, str) else success(result)
        messages.success(request, text, extra_tags=tags)
    return result


def attempt_form(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[dict[str, Any]], T],
    *,
    success: str | Callable[[T], str],
) -> T | None:
    """`attempt` with a bound form's cleaned data; an invalid form is said in the error
    message instead, and nothing runs."""
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return None
    return attempt(request, lambda: action(form.cleaned_data), success=success)


def edit_form(
    request: HttpRequest,
    form_class: Callable[..., FormT],
    *,
    initial: Callable[[], dict[str, Any]],
    save: Callable[[dict[str, Any]], object],
    success: str,
) -> tuple[FormT, bool]:
    """An edit page's form: on GET filled from `initial()`, on POST the posted one, saved by
    `save` as `attempt_form` does. True when it was saved (the view redirects); otherwise the
    view shows the page again, with the message."""
    if request.method != "POST":
        return form_class(initial=initial()), False
    form = form_class(request.POST)
    return form, attempt_form(request, form, save, success=success) is not None


def chair_link(
    refuse: Callable[[HttpRequest, str], HttpResponse],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view behind a table's chair link (…/<code>/chair/<key>/…): it is called with the
    link's table instead of the code and key; a wrong, revoked or foreign key is answered by
    `refuse(request, message)` (a 403, in the page's own form)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, key: str, **kwargs: Any) -> HttpResponse:
            table = table_by_chair_key(code=code, key=key)
            if table is None:
                return refuse(
                    request,
                    _(
                        "This chair link is not valid (any more). Ask the organiser for the "
                        "current link of your table."
                    ),
                )
            return view(request, table, **kwargs)

        return wrapper

    return decorator
