"""The organisers' login: rate-limited per address (sessions/rate_limits.py) and locked after a
few wrong passwords (django-axes), with a page in the user's language."""

import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from sessions.rate_limits import Rule, client_ip, rate_limited

LOGIN_PER_IP = Rule(name="login-ip", setting="LOGIN_RATE_PER_IP", key=client_ip)


class LoginForm(AuthenticationForm):
    """Django's login form sets the user name's max_length after the field is built, so the
    length is never checked and a 10,000-character name reached authenticate() and django-axes'
    varchar(255) (a 500). Here a name longer than the user model's is a form error."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


login_view = rate_limited(LOGIN_PER_IP)(
    auth_views.LoginView.as_view(
        template_name="registration/login.html", authentication_form=LoginForm
    )
)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the login page's refusal, status 429."""
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    message = ngettext(
        "Too many failed logins with this name from this network. Try again in %(minutes)d minute.",
        "Too many failed logins with this name from this network. Try again in %(minutes)d "
        "minutes.",
        minutes,
    ) % {"minutes": minutes}
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
