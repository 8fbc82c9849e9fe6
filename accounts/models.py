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
# A team's retention period: at most fifty years (a longer one is no period at all).
RETENTION_MONTHS_MAX = 600


class Role(models.TextChoices):
    ORGANISER = "organiser", _("organiser")
    RESEARCHER = "researcher", _("researcher")
    MANAGER = "manager", _("manager")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=TEAM_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=TEAM_NAME_MAX_LENGTH, unique=True)
    # What the team's phones are told before their first answer (None: the built-in text).
    consent_text = models.ForeignKey(
        "ConsentText", on_delete=models.PROTECT, null=True, blank=True, related_name="teams"
    )
    # After how many months (counted from its date) a closed session's console proposes
    # anonymising it (None: no period, the console proposes nothing).
    retention_months = models.PositiveSmallIntegerField(
        _("retention period (months)"), null=True, blank=True
    )
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
            models.CheckConstraint(
                condition=Q(retention_months__isnull=True)
                | Q(retention_months__gte=1, retention_months__lte=RETENTION_MONTHS_MAX),
                name="team_retention_months_range",
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


# The consent texts' lengths: a few sentences each, a name or an address.
CONSENT_FIELD_MAX = 1000
CONSENT_NAME_MAX = 200
# The parts of a consent text an organiser writes, each in Dutch and English (an empty English
# part shows the Dutch one).
CONSENT_PARTS = ("purpose", "audience", "retention")


class ConsentText(models.Model):
    """One version of what a phone is told before its first answer: who runs the session, what
    for, who sees the answers and for how long (what is collected is the app's, not the
    organiser's, to say: `templates/survey/_consent.html`).

    Never changed once stored: each distinct text is one row, found by the SHA-256 of its
    content (`digest`); its number (`pk`) is the version a participant agreed to and every
    export records. A team's text (`Team.consent_text`) applies to its sessions, a session's own
    (`Workshop.consent_text`) to that session; otherwise the built-in one (`builtin`)."""

    digest = models.CharField(max_length=64, unique=True)
    builtin = models.BooleanField(default=False)
    # Who runs the session, as the phone shows it; empty: the session's team's name.
    organiser = models.CharField(
        _("who runs the sessions"), max_length=CONSENT_NAME_MAX, blank=True
    )
    # Where to ask questions or withdraw after the day (an e-mail address, a web page).
    contact = models.CharField(_("contact"), max_length=CONSENT_NAME_MAX, blank=True)
    purpose_nl = models.TextField(_("what for (Dutch)"), max_length=CONSENT_FIELD_MAX)
    purpose_en = models.TextField(_("what for (English)"), max_length=CONSENT_FIELD_MAX, blank=True)
    audience_nl = models.TextField(_("who sees the answers (Dutch)"), max_length=CONSENT_FIELD_MAX)
    audience_en = models.TextField(
        _("who sees the answers (English)"), max_length=CONSENT_FIELD_MAX, blank=True
    )
    retention_nl = models.TextField(
        _("how long they are kept (Dutch)"), max_length=CONSENT_FIELD_MAX
    )
    retention_en = models.TextField(
        _("how long they are kept (English)"), max_length=CONSENT_FIELD_MAX, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        constraints = [
            models.CheckConstraint(
                condition=Q(Exact(Length("digest"), 64)), name="consent_digest_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.digest[:12]})"

    @property
    def version(self) -> int:
        return int(self.pk or 0)

    def part(self, name: str, language: str | None) -> str:
        """A part (`purpose`, `audience`, `retention`) in `language` ("nl", "en"): the Dutch one
        when the English one is empty."""
        english = getattr(self, f"{name}_en")
        return (
            english
            if (language or "").startswith("en") and english
            else getattr(self, f"{name}_nl")
        )


class AuditAction(models.TextChoices):
    """What the audit trail records (AuditEvent.action)."""

    EXPORT = "export", _("exported")
    IMPORT = "import", _("imported answers")
    DELETE = "delete", _("deleted a session")
    ARCHIVE = "archive", _("archived a session")
    UNARCHIVE = "unarchive", _("restored a session")
    ANONYMISE = "anonymise", _("anonymised a session")
    PHASE = "phase", _("changed the phase")
    EXCLUDE = "exclude", _("took participants out")
    EXCLUDE_UNDO = "exclude_undo", _("brought participants back")
    INVITE = "invite", _("invited")
    RESET = "reset", _("gave a new link")
    DEACTIVATE = "deactivate", _("deactivated an account")
    ACTIVATE = "activate", _("activated an account")
    RETENTION = "retention", _("set the retention period")


class AuditEvent(models.Model):
    """Who did what to which session or account, and when: one row per export, import,
    deletion, archiving, anonymisation, phase change, exclusion (and its undoing) and per
    invitation or change of an account. Written by `accounts.services.audit_record`, never
    changed; read by a team's managers at /organiser/audit/.

    The session is kept as text (its code and title), so the row outlives the session;
    the actor's user name likewise (an account can be deleted)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The actor's user name when it happened ("" for the shell, manage.py).
    actor_name = models.CharField(max_length=150, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    session_code = models.CharField(max_length=12, blank=True)
    session_title = models.CharField(max_length=320, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["team", "-at"], name="auditevent_team_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values), name="auditevent_action_known"
            ),
        ]

    def __str__(self) -> str:
        who = self.actor_name or "-"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.session_code}"
