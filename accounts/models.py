"""Who may see what: teams of organisers, their roles, and the one-time links that let a new
(or reset) account choose its password.

Accounts are Django's own users (django.contrib.auth): a password set through SetPasswordForm
and the password validators, `is_active` to switch an account off. A team's manager makes
them from /organiser/people/ (or `manage.py addorganiser` from the shell).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TEAM_NAME_MAX_LENGTH = 100
# How long an invitation or reset link can be used.
INVITATION_VALID_FOR = datetime.timedelta(hours=72)


class Role(models.TextChoices):
    ORGANISER = "organiser", _("organiser")
    RESEARCHER = "researcher", _("researcher")
    MANAGER = "manager", _("manager")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=TEAM_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=TEAM_NAME_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="team_slug_not_empty"),
            models.CheckConstraint(
                condition=Q(GreaterThan(Length("name"), 0)), name="team_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.ORGANISER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_one_per_team"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} · {self.role}"


def _expires_at() -> datetime.datetime:
    return timezone.now() + INVITATION_VALID_FOR


class Invitation(models.Model):
    """A one-time link (/welcome/<token>/) to set an account's password.

    Only the token's SHA-256 is stored: whoever reads the table (a backup, the admin) cannot
    use an open link. A token is 256 random bits (secrets.token_urlsafe(32)), so a fast hash is
    enough; nothing can be guessed from it. A new link for the same account deletes the older
    open ones."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_expires_at)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(Exact(Length("token_hash"), 64)), name="invitation_hash_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"
