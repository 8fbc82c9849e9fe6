"""Writes for the accounts: invite, give a new link, switch an account off or on, use a link.

Each refuses with core.errors.Rejected and a message in the user's language (nothing stored).
"""

import datetime
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import (
    CONSENT_FIELD_MAX,
    CONSENT_NAME_MAX,
    RETENTION_MONTHS_MAX,
    TEAM_NAME_MAX_LENGTH,
    AuditAction,
    AuditEvent,
    ConsentText,
    Invitation,
    Membership,
    Role,
    Team,
)
from accounts.selectors import (
    CONSENT_FIELDS,
    LinkState,
    consent_builtin_fields,
    consent_digest,
    link_state,
    managed_teams,
    may_manage,
    token_hash,
)
from core.errors import Rejected
from core.inputs import clean_text

AnyUser = AbstractBaseUser | AnonymousUser


class AuditedSession(Protocol):
    """What the audit trail keeps of a session (sessions.models.Workshop, which this app,
    beneath sessions, does not import)."""

    code: str
    title: str
    city: str
    date: datetime.date
    team_id: int | None


def audit_record(
    *,
    actor: AnyUser | None,
    action: str,
    workshop: AuditedSession | None = None,
    team: Team | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """One line of the audit trail: `actor` (None: the shell) did `action` (AuditAction) to
    `workshop` (kept as its code and title, so the line outlives it) or in `team` (the
    session's team when not given), with `detail` (plain JSON values)."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    user = actor if isinstance(actor, User) else None
    event = AuditEvent(
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        team=team,
        action=action,
        detail=dict(detail or {}),
    )
    if workshop is not None:
        event.session_code = workshop.code
        event.session_title = (workshop.title or workshop.city)[:320]
        event.detail.setdefault("city", workshop.city)
        event.detail.setdefault("date", workshop.date.isoformat())
        if team is None:
            event.team_id = workshop.team_id
    event.save()
    return event


def _shared_team(*, manager: AnyUser | None, user: User) -> Team | None:
    """The team of `user`'s that `manager` manages (the first by name), for the audit trail."""
    teams = Team.objects.filter(memberships__user=user)
    if manager is not None:
        teams = teams & managed_teams(user=manager)
    return teams.order_by("name", "pk").first()


def team_retention_set(*, team: Team, months: int | None, by: AnyUser) -> Team:
    """A team's retention period in months (None: none): after it, the console proposes
    anonymising the team's closed sessions."""
    if months is not None and not 1 <= months <= RETENTION_MONTHS_MAX:
        raise Rejected(
            _("Give a number of months from 1 to %(max)s, or leave it empty.")
            % {"max": RETENTION_MONTHS_MAX}
        )
    if team.retention_months == months:
        return team
    with transaction.atomic():
        Team.objects.filter(pk=team.pk).update(retention_months=months)
        team.retention_months = months
        audit_record(actor=by, action=AuditAction.RETENTION, team=team, detail={"months": months})
    return team


@dataclass(frozen=True)
class Issued:
    """A new one-time link's token (shown once, never stored) and its account."""

    user: User
    token: str
    invitation: Invitation


def team_get_or_create(*, name: str) -> Team:
    """The team with this name's slug, made if missing."""
    name = clean_text(name, max_length=TEAM_NAME_MAX_LENGTH, required=True, multiline=False)
    slug = slugify(name)[:TEAM_NAME_MAX_LENGTH]
    if not slug:
        raise Rejected(_("A team name needs at least one letter or digit."))
    team, _created = Team.objects.get_or_create(slug=slug, defaults={"name": name})
    return team


def invitation_issue(*, user: User, created_by: AnyUser | None) -> Issued:
    """A new one-time link for `user`; the account's older open links stop working."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Invitation.objects.filter(user=user, used_at__isnull=True).delete()
        invitation = Invitation.objects.create(
            user=user,
            token_hash=token_hash(token),
            created_by=created_by if isinstance(created_by, User) else None,
        )
    return Issued(user=user, token=token, invitation=invitation)


def organiser_invite(
    *,
    username: str,
    name: str,
    email: str,
    team: Team,
    role: str,
    created_by: AnyUser | None,
) -> Issued:
    """A new account in `team` with `role`, without a password, and its one-time link.

    `created_by` None: the shell (manage.py addorganiser), which may add to any team."""
    if role not in Role.values:
        raise Rejected(_("Choose a role."))
    if created_by is not None and not managed_teams(user=created_by).filter(pk=team.pk).exists():
        raise Rejected(_("You do not manage this team."))
    if User.objects.filter(username__iexact=username).exists():
        raise Rejected(
            _(
                "There is already an account with the user name “%(username)s”; nothing was "
                "changed. To give it a new link, use “New link” in the list."
            )
            % {"username": username}
        )
    try:
        with transaction.atomic():
            user = User(username=username, first_name=name, email=email)
            user.set_unusable_password()
            user.save()
            Membership.objects.create(user=user, team=team, role=role)
            issued = invitation_issue(user=user, created_by=created_by)
            audit_record(
                actor=created_by,
                action=AuditAction.INVITE,
                team=team,
                detail={"username": user.username, "role": role},
            )
    except IntegrityError:  # the same name invited twice at once: the other one won
        raise Rejected(
            _(
                "There is already an account with the user name “%(username)s”; nothing was "
                "changed. To give it a new link, use “New link” in the list."
            )
            % {"username": username}
        ) from None
    return issued


def membership_set(*, user: User, team: Team, role: str) -> Membership:
    """Put `user` in `team` with `role` (the shell's addorganiser for an existing account)."""
    if role not in Role.values:
        raise Rejected(_("Choose a role."))
    membership, _created = Membership.objects.update_or_create(
        user=user, team=team, defaults={"role": role}
    )
    return membership


def account_reset(*, user: User, by: AnyUser | None) -> Issued:
    """A new one-time link for an existing account. Its password stops working at once (and
    its open logins end: Django checks the password's hash on every request), so a reset also
    locks out whoever else knew it."""
    if by is not None and not may_manage(manager=by, target=user):
        raise Rejected(_("You cannot change this account."))
    if not user.is_active:
        raise Rejected(_("This account is deactivated; activate it first."))
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        audit_record(
            actor=by,
            action=AuditAction.RESET,
            team=_shared_team(manager=by, user=user),
            detail={"username": user.username},
        )
        return invitation_issue(user=user, created_by=by)


def account_set_active(*, user: User, active: bool, by: AnyUser) -> User:
    """Switch an account off (it can no longer log in, its open logins end) or on again."""
    if not may_manage(manager=by, target=user):
        raise Rejected(_("You cannot change this account."))
    if user.is_active != active:
        with transaction.atomic():
            user.is_active = active
            user.save(update_fields=["is_active"])
            audit_record(
                actor=by,
                action=AuditAction.ACTIVATE if active else AuditAction.DEACTIVATE,
                team=_shared_team(manager=by, user=user),
                detail={"username": user.username},
            )
    return user


def invitation_accept(*, token: str, password: str) -> User:
    """Use a one-time link: set the account's password (already checked by the form and its
    validators) and mark the link used. Two submits at once: the row lock lets one through;
    the other is refused as used."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=token_hash(token))
            .first()
        )
        state = link_state(invitation)
        if state is not LinkState.VALID or invitation is None:
            raise Rejected(link_refusal(state))
        user = invitation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
    return user


def link_refusal(state: LinkState) -> str:
    """Why a one-time link does not work (any more), for its page."""
    if state is LinkState.USED:
        return _(
            "This link has already been used; it works only once. Log in with the password "
            "you chose, or ask your team's manager for a new link."
        )
    if state is LinkState.EXPIRED:
        return _("This link has expired. Ask your team's manager for a new link.")
    if state is LinkState.DEACTIVATED:
        return _("This account has been deactivated. Ask your team's manager.")
    return _("This link is not valid. Check that you copied all of it, or ask for a new link.")


def consent_text_store(
    *, fields: dict[str, str], created_by: AnyUser | None = None, builtin: bool = False
) -> ConsentText:
    """The stored consent text with exactly this content (its version), stored now if it is
    new. Every field passes the one text cleaner; a Dutch part is required (the English one
    falls back to it)."""
    cleaned: dict[str, str] = {}
    for name in CONSENT_FIELDS:
        one_line = name in ("organiser", "contact")
        cleaned[name] = clean_text(
            fields.get(name, ""),
            max_length=CONSENT_NAME_MAX if one_line else CONSENT_FIELD_MAX,
            required=name.endswith("_nl"),
            multiline=not one_line,
            empty_message=_("Write this part of the text in Dutch."),
        )
    digest = consent_digest(cleaned)
    text = ConsentText.objects.filter(digest=digest).first()
    if text is not None:
        return text
    try:
        with transaction.atomic():
            return ConsentText.objects.create(
                digest=digest,
                builtin=builtin,
                created_by=created_by if isinstance(created_by, User) else None,
                **cleaned,
            )
    except IntegrityError:  # stored by another request meanwhile: the same text
        return ConsentText.objects.get(digest=digest)


def consent_builtin() -> ConsentText:
    """The built-in consent text's row (stored the first time it is asked for)."""
    return consent_text_store(fields=consent_builtin_fields(), builtin=True)


def team_consent_set(*, team: Team, fields: dict[str, str] | None, by: AnyUser | None) -> Team:
    """Give the team's sessions this consent text (None: the built-in one again). A text the
    same as the built-in one is the built-in one: the team then follows it."""
    text = None if fields is None else consent_text_store(fields=fields, created_by=by)
    if text is not None and text.builtin:
        text = None
    Team.objects.filter(pk=team.pk).update(consent_text=text)
    team.consent_text = text
    return team
