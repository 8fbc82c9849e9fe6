"""The people page of a team's manager (/organiser/people/) and the one-time link's page
(/welcome/<token>/). Writes in accounts.services, reads in accounts.selectors."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import ConsentTextForm, InviteForm, RetentionForm, WelcomePasswordForm
from accounts.models import INVITATION_VALID_FOR, AuditAction
from accounts.selectors import (
    LinkState,
    audit_events,
    consent_fields,
    invitation_state,
    is_manager,
    managed_teams,
    people,
    settings_teams,
    team_for_settings,
)
from accounts.services import (
    Issued,
    account_reset,
    account_set_active,
    consent_builtin,
    invitation_accept,
    link_refusal,
    organiser_invite,
    team_consent_set,
    team_retention_set,
)
from core.errors import Rejected
from core.inputs import parse_id

logger = logging.getLogger(__name__)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/forbidden.html",
        {
            "message": _(
                "Only a team's manager can invite and manage colleagues. Ask your team's manager."
            )
        },
        status=403,
    )


def _people_page(request: HttpRequest, form: InviteForm, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "accounts/people.html",
        {"form": form, "members": people(manager=request.user)},
        status=status,
    )


def _invite_form(request: HttpRequest) -> InviteForm:
    teams = list(managed_teams(user=request.user))
    return InviteForm(request.POST if request.method == "POST" else None, teams=teams)


@login_required
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    if not is_manager(user=request.user):
        return _forbidden(request)
    return _people_page(request, _invite_form(request))


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@never_cache
def people_invite(request: HttpRequest) -> HttpResponse:
    if not is_manager(user=request.user):
        return _forbidden(request)
    if request.method == "GET":  # the language switch on the link's page comes back here
        return redirect("people")
    form = _invite_form(request)
    if not form.is_valid():
        return _people_page(request, form, status=400)
    data = form.cleaned_data
    try:
        issued = organiser_invite(
            username=data["username"],
            name=data["name"],
            email=data["email"],
            team=data["team"],
            role=data["role"],
            created_by=request.user,
        )
    except Rejected as refused:
        form.add_error(None, str(refused))
        return _people_page(request, form, status=400)
    return _link_page(request, issued, new=True)


def _member(request: HttpRequest, pk: str) -> User | None:
    try:
        return User.objects.filter(pk=parse_id(pk)).first()
    except Rejected:
        return None


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def people_reset(request: HttpRequest, pk: str) -> HttpResponse:
    if not is_manager(user=request.user):
        return _forbidden(request)
    if request.method == "GET":  # the language switch on the link's page comes back here
        return redirect("people")
    user = _member(request, pk)
    if user is None:
        messages.error(request, _("There is no such account."))
        return redirect("people")
    try:
        issued = account_reset(user=user, by=request.user)
    except Rejected as refused:
        messages.error(request, str(refused))
        return redirect("people")
    return _link_page(request, issued, new=False)


@login_required
@require_POST
def people_set_active(request: HttpRequest, pk: str) -> HttpResponse:
    if not is_manager(user=request.user):
        return _forbidden(request)
    user = _member(request, pk)
    if user is None:
        messages.error(request, _("There is no such account."))
        return redirect("people")
    active = request.POST.get("active") == "1"
    try:
        account_set_active(user=user, active=active, by=request.user)
    except Rejected as refused:
        messages.error(request, str(refused))
    else:
        done = (
            _("%(username)s can log in again.")
            if active
            else _("%(username)s can no longer log in.")
        )
        messages.success(request, done % {"username": user.username})
    return redirect("people")


def _link_page(request: HttpRequest, issued: Issued, *, new: bool) -> HttpResponse:
    link = request.build_absolute_uri(reverse("welcome", args=[issued.token]))
    mailed = _send_link(issued, link) if issued.user.email else None
    return render(
        request,
        "accounts/link.html",
        {
            "person": issued.user,
            "link": link,
            "new": new,
            "hours": int(INVITATION_VALID_FOR.total_seconds() // 3600),
            "mailed": mailed,
        },
    )


def _send_link(issued: Issued, link: str) -> bool | None:
    """Mail the link if the server has e-mail (EMAIL_URL); True sent, False failed, None: no
    e-mail configured. A failure is logged, never an error page: the link is on the page."""
    if not settings.INVITATION_EMAIL:
        return None
    hours = int(INVITATION_VALID_FOR.total_seconds() // 3600)
    try:
        send_mail(
            _("Your Scentiss Live account"),
            _(
                "Open this link to choose your password (it works once, for %(hours)s hours):"
                "\n\n%(link)s\n"
            )
            % {"hours": hours, "link": link},
            None,
            [issued.user.email],
        )
    except Exception:  # SMTP down, refused, misconfigured: the manager copies the link
        logger.warning("the invitation e-mail could not be sent", exc_info=True)
        return False
    return True


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@never_cache
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    state, invitation = invitation_state(token=token)
    if state is not LinkState.VALID or invitation is None:
        return _link_refused(request, state)
    form = WelcomePasswordForm(invitation.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except Rejected:  # used (or expired) while this page was open
            state, _invitation = invitation_state(token=token)
            return _link_refused(request, state)
        messages.success(request, _("Your password is set. Log in with it."))
        return redirect(reverse("login") + "?next=" + reverse("organiser-home"))
    return render(
        request,
        "accounts/welcome.html",
        {"form": form, "person": invitation.user},
        status=400 if form.is_bound else 200,
    )


def _link_refused(request: HttpRequest, state: LinkState) -> HttpResponse:
    return render(
        request,
        "accounts/link_refused.html",
        {"message": link_refusal(state)},
        status=404 if state is LinkState.UNKNOWN else 410,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_consent(request: HttpRequest, slug: str) -> HttpResponse:
    """A team's consent text: what its sessions' phones are told before their first answer
    (a session can have its own). For the team's organisers and managers."""
    team = team_for_settings(user=request.user, slug=slug)
    if team is None:
        raise Http404("no such team of yours")
    current = team.consent_text or consent_builtin()
    if request.method == "POST":
        form = ConsentTextForm(request.POST)
        if form.is_valid():
            try:
                team_consent_set(team=team, fields=form.consent_fields(), by=request.user)
            except Rejected as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("The team's consent text is saved."))
                return redirect("team-consent", slug=team.slug)
    else:
        form = ConsentTextForm(initial=consent_fields(current))
    return render(
        request,
        "accounts/team_consent.html",
        {
            "team": team,
            "form": form,
            "current": current,
            "teams": settings_teams(user=request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_retention(request: HttpRequest, slug: str) -> HttpResponse:
    """A team's retention period: after it the console proposes anonymising the team's closed
    sessions. For the team's organisers and managers, like its consent text."""
    team = team_for_settings(user=request.user, slug=slug)
    if team is None:
        raise Http404("no such team of yours")
    if request.method == "POST":
        form = RetentionForm(request.POST)
        if form.is_valid():
            try:
                team_retention_set(team=team, months=form.cleaned_data["months"], by=request.user)
            except Rejected as refused:
                form.add_error("months", str(refused))
            else:
                messages.success(request, _("The team's retention period is saved."))
                return redirect("team-retention", slug=team.slug)
    else:
        form = RetentionForm(initial={"months": team.retention_months or ""})
    return render(
        request,
        "accounts/team_retention.html",
        {"team": team, "form": form, "teams": settings_teams(user=request.user)},
        status=400 if form.errors else 200,
    )


AUDIT_PAGE_SIZE = 50


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail of the teams a manager manages, newest first, 50 a page, of one kind
    of action if chosen (?action=export). Other roles are refused (403, with a message)."""
    if not is_manager(user=request.user):
        return render(
            request,
            "accounts/forbidden.html",
            {
                "message": _(
                    "Only a team's manager can read the audit trail. Ask your team's manager."
                )
            },
            status=403,
        )
    action = request.GET.get("action") or ""
    if action not in AuditAction.values:
        action = ""
    try:
        number = parse_id(request.GET.get("page") or "1", max_value=10**6)
    except Rejected:
        number = 1
    events = audit_events(user=request.user, action=action).select_related("team")
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(number)
    return render(
        request,
        "accounts/audit.html",
        {"page": page, "action": action, "actions": AuditAction.choices},
    )
