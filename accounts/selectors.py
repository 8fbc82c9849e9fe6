"""Reads for the accounts: who manages which team, whom a manager may change, and what a
one-time link is worth."""

import enum
import hashlib
import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, Team

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet. Anything else
# cannot be a link's token and is not looked up.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}", re.ASCII)

AnyUser = AbstractBaseUser | AnonymousUser


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
