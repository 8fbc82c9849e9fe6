"""What the form views of the apps above share: a service call whose refusal or success is told
in a message on the next page. Here, in the lowest app with views, so that notes and profiles
(which do not import each other's views) can both use it."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from core.errors import Rejected

T = TypeVar("T")
FormT = TypeVar("FormT", bound=forms.BaseForm)


def form_errors(form: forms.BaseForm) -> str:
    """A form's errors as one line, for a message above the page."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def attempt(
    request: HttpRequest, action: Callable[[], T], *, success: str | Callable[[T], str]
) -> T | None:
    """Run `action` (a service call, which returns something); a refusal becomes an error
    message, anything else a success message (`success`, or made from the result).

    Returns the action's result, or None when it was refused."""
    try:
        result = action()
    except Rejected as refused:
        messages.error(request, str(refused))
        return None
    messages.success(request, success if isinstance(success, str) else success(result))
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
