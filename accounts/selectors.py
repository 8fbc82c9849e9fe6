"""Reads for the accounts: who manages which team, whom a manager may change, and what a
one-time link is worth."""

import enum
import hashlib
import json
import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from accounts.models import (
    CONSENT_PARTS,
    AuditAction,
    AuditEvent,
    ConsentText,
    Invitation,
    Membership,
    Role,
    Team,
)

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet. Anything else
# cannot be a link's token and is not looked up.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}", re.ASCII)
# A team's slug (django.utils.text.slugify, ASCII).
_SLUG = re.compile(r"[A-Za-z0-9_-]{1,100}", re.ASCII)

AnyUser = AbstractBaseUser | AnonymousUser
# Every field of a consent text that is part of its content (and so of its version).
CONSENT_FIELDS = (
    "organiser",
    "contact",
    *(f"{part}_{language}" for part in CONSENT_PARTS for language in ("nl", "en")),
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def managed_teams(*, user: AnyUser) -> QuerySet[Team]:
    """The teams `user` manages: where they have the manager role; a superuser, every team."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Team.objects.none()
    if getattr(user, "is_superuser", False):
        return Team.objects.all()
    return Team.objects.filter(
        memberships__user_id=int(user.pk or 0), memberships__role=Role.MANAGER
    )


def is_manager(*, user: AnyUser) -> bool:
    return managed_teams(user=user).exists()


def user_teams(*, user: AnyUser) -> QuerySet[Team]:
    """The teams `user` belongs to (any role)."""
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    return Team.objects.filter(memberships__user_id=int(user.pk or 0))


def may_manage(*, manager: AnyUser, target: User) -> bool:
    """Whether `manager` may deactivate `target` or give it a new link.

    Never oneself, never a superuser; otherwise only someone all of whose teams `manager`
    manages (a new link sets the password: a manager of one team must not take over an
    account that also opens another team's sessions). A superuser may manage every other
    account."""
    if target.pk == manager.pk or target.is_superuser:
        return False
    if getattr(manager, "is_superuser", False):
        return bool(getattr(manager, "is_active", False))
    teams = set(Membership.objects.filter(user=target).values_list("team_id", flat=True))
    if not teams:
        return False
    return teams <= set(managed_teams(user=manager).values_list("pk", flat=True))


@dataclass(frozen=True)
class Member:
    user: User
    memberships: list[Membership]
    manageable: bool
    open_invitation: Invitation | None


def people(*, manager: AnyUser) -> list[Member]:
    """Everyone in the teams `manager` manages, with their memberships of those teams."""
    teams = managed_teams(user=manager)
    memberships = (
        Membership.objects.filter(team__in=teams)
        .select_related("user", "team")
        .order_by("user__username", "team__name")
    )
    by_user: dict[int, list[Membership]] = {}
    users: dict[int, User] = {}
    for membership in memberships:
        by_user.setdefault(membership.user_id, []).append(membership)
        users[membership.user_id] = membership.user
    now = timezone.now()
    open_invitations: dict[int, Invitation] = {}
    for invitation in Invitation.objects.filter(
        user_id__in=users, used_at__isnull=True, expires_at__gt=now
    ):
        open_invitations.setdefault(invitation.user_id, invitation)
    return [
        Member(
            user=users[pk],
            memberships=by_user[pk],
            manageable=may_manage(manager=manager, target=users[pk]),
            open_invitation=open_invitations.get(pk),
        )
        for pk in users
    ]


class LinkState(enum.Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    DEACTIVATED = "deactivated"


def invitation_state(*, token: str) -> tuple[LinkState, Invitation | None]:
    """What a /welcome/<token>/ link is worth now, and its invitation (None if unknown)."""
    if not _TOKEN.fullmatch(token):
        return LinkState.UNKNOWN, None
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    )
    return link_state(invitation), invitation


def link_state(invitation: Invitation | None) -> LinkState:
    if invitation is None:
        return LinkState.UNKNOWN
    if invitation.used_at is not None:
        return LinkState.USED
    if invitation.expires_at <= timezone.now():
        return LinkState.EXPIRED
    if not invitation.user.is_active:
        return LinkState.DEACTIVATED
    return LinkState.VALID


# The built-in consent text, for a team that wrote none: Dutch and English through the
# catalogues (the English is the message id). A new wording here is a new version.
BUILTIN_CONSENT = {
    "purpose": gettext_noop(
        "To see together how the ecosystem for impact entrepreneurs in this city is doing: the "
        "room's answers make the spider chart on the projector and the city's profile, and "
        "are used, without names, in research on such ecosystems."
    ),
    "audience": gettext_noop(
        "Everyone in the room sees only the combined results on the projector, never one "
        "person's answers. The organisers and researchers of the team that runs the session "
        "see the answers per participant, without a name; publications show only combined "
        "results."
    ),
    "retention": gettext_noop(
        "The answers per participant are kept until the research is finished, at most two "
        "years after the session; then they are deleted or made anonymous. The combined "
        "results (the city's profile) are kept."
    ),
}


def consent_builtin_fields() -> dict[str, str]:
    """The built-in consent text's fields (as ConsentText stores them), in both languages."""
    fields = {"organiser": "", "contact": ""}
    for language in ("nl", "en"):
        with translation.override(language):
            for part in CONSENT_PARTS:
                fields[f"{part}_{language}"] = translation.gettext(BUILTIN_CONSENT[part])
    return fields


def consent_digest(fields: dict[str, str]) -> str:
    """The SHA-256 of a consent text's content: the same text, the same version."""
    content = {name: fields.get(name, "") for name in CONSENT_FIELDS}
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def consent_fields(text: ConsentText) -> dict[str, str]:
    """A stored consent text's fields, as a form and `consent_digest` take them."""
    return {name: str(getattr(text, name)) for name in CONSENT_FIELDS}


def team_for_settings(*, user: AnyUser, slug: str) -> Team | None:
    """The team whose settings `user` may change (an organiser or manager of it; a superuser,
    any team), or None: a team of someone else's is not told apart from no team."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if not _SLUG.fullmatch(slug):  # no team has it (and PostgreSQL refuses a NUL byte)
        return None
    teams = Team.objects.select_related("consent_text").filter(slug=slug)
    if not getattr(user, "is_superuser", False):
        teams = teams.filter(
            memberships__user_id=int(user.pk or 0),
            memberships__role__in=[Role.ORGANISER, Role.MANAGER],
        )
    return teams.first()


def settings_teams(*, user: AnyUser) -> QuerySet[Team]:
    """The teams whose settings `user` may change (see `team_for_settings`)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Team.objects.none()
    if getattr(user, "is_superuser", False):
        return Team.objects.all()
    return Team.objects.filter(
        memberships__user_id=int(user.pk or 0),
        memberships__role__in=[Role.ORGANISER, Role.MANAGER],
    )


def audit_events(*, user: AnyUser, action: str = "") -> QuerySet[AuditEvent]:
    """The audit trail `user` may read, newest first: the events of the teams they manage (a
    superuser: every event, those of no team too); of one action (AuditAction) if given."""
    events = AuditEvent.objects.order_by("-at", "-pk")
    if not getattr(user, "is_superuser", False):
        events = events.filter(team__in=managed_teams(user=user))
    if action in AuditAction.values:
        events = events.filter(action=action)
    return events
