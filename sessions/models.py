import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# No 0/O, 1/I/L: the code is read off a projector and sometimes typed.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_TABLES = 30
# The hand-out: at most 7 people at a table. Advice, never a refusal: the join page suggests a
# table with room and the organiser's dashboard flags a fuller one.
TABLE_ADVISED_MAX = 7
TABLE_FOCUS_MAX = 60

# Sessions compared at once (the compare page and compare.xlsx).
MAX_COMPARED = 30

# How many phones (and chairs' extra seats) a session admits. The default is ten times a
# normal session (15-30 people), so no normal room ever meets it, while a script that joins in
# a loop stops at 300 instead of thousands; a conference (1,000) raises it when the session is
# created. The maximum keeps seat numbers (smallint) and every page that lists participants
# bounded whatever the organiser types.
PARTICIPANT_CAP_DEFAULT = 300
PARTICIPANT_CAP_MAX = 5000
# A seat number is at most the cap: seats are numbered 1, 2, ... per table (or room).
SEAT_MAX = PARTICIPANT_CAP_MAX
# A round of the discussion (one element): its length in minutes, as the organiser sets it.
ROUND_MINUTES_DEFAULT = 20
ROUND_MINUTES_MAX = 120


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_key() -> str:
    """An unguessable key for secret URLs (128 bits)."""
    return secrets.token_urlsafe(16)


class Phase(models.TextChoices):
    JOIN = "join", _("Arrival")
    SURVEY = "survey", _("Survey")
    DISCUSSION = "discussion", _("Discussion")
    RESULTS = "results", _("Results")
    CLOSED = "closed", _("Closed")


class ProjectorMode(models.TextChoices):
    JOIN = "join", _("Join screen")
    CHART = "chart", _("Spider chart")
    ELEMENT = "element", _("One element in depth")
    DISCUSSION = "discussion", _("Discussion questions")
    # One table (its focus: "Haven") against the rest of the room; the table is
    # Workshop.projector_table.
    TABLE = "table", _("One table against the room")


# Phases in which phones may save answers.
ANSWERING_PHASES = frozenset({Phase.SURVEY})


class Role(models.TextChoices):
    """The participant groups of the hand-out (chapter 2), plus "other"."""

    ENTREPRENEUR = "entrepreneur", _("Impact entrepreneur")
    POLICY = "policy", _("Policy maker (municipality or province)")
    NETWORK = "network", _("Network organisation")
    FINANCE = "finance", _("Financier or investor")
    RESEARCH = "research", _("Researcher or teacher (knowledge institution)")
    CIVIL = "civil", _("Civil society organisation or adviser")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    """How a participant's answers came in: tapped on a phone, or typed in from a paper form."""

    PHONE = "phone", _("phone")
    PAPER = "paper", _("paper form")


class Workshop(models.Model):
    """One ecosystem dialogue in one city: what the pages and people call a "session" (sessie).
    The package is `sessions`, its app label `workshops` (docs/development.md, "Words")."""

    code = models.CharField(max_length=12, unique=True, default=new_code)
    city = models.CharField(_("city"), max_length=100)
    title = models.CharField(_("title"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    instrument = models.ForeignKey(
        "instrument.Instrument", on_delete=models.PROTECT, related_name="workshops"
    )
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.JOIN)
    projector_key = models.CharField(max_length=64, unique=True, default=new_key)
    projector_mode = models.CharField(
        max_length=12, choices=ProjectorMode.choices, default=ProjectorMode.JOIN
    )
    # The element (by order, 1-based) shown in depth or discussed.
    projector_element = models.PositiveSmallIntegerField(default=1)
    # The table (by number) the projector sets against the rest of the room (mode "table").
    projector_table = models.PositiveSmallIntegerField(null=True, blank=True)
    # Phones see the results only once the organiser reveals them (early answers must not
    # sway the room).
    results_revealed = models.BooleanField(default=False)
    # The round timer on the projector and the console: when the current element's round
    # ends (None: no round running) and how long a round is.
    round_ends_at = models.DateTimeField(null=True, blank=True)
    round_minutes = models.PositiveSmallIntegerField(default=ROUND_MINUTES_DEFAULT)
    archived = models.BooleanField(default=False)
    # A rehearsal before the room arrives: in the arrival phase, phones that join can answer
    # (the organiser tries the QR code and the survey), and it is all cleared in one step.
    rehearsing = models.BooleanField(default=False)
    participant_cap = models.PositiveIntegerField(
        _("maximum number of participants"), default=PARTICIPANT_CAP_DEFAULT
    )
    # Bumped in the same transaction as every change to the answers; the projector and the
    # JSON feed use it to tell a newer snapshot from an older one.
    results_version = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # The team whose organisers see the session in their list (accounts). None: made outside
    # any team (the shell's createsession without --team, an organiser in no team).
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("team"),
    )
    # Other teams that may read and export the session (a cross-team comparison), never
    # change it (accounts.access: SHARED_PERMISSIONS).
    shared_with = models.ManyToManyField(
        "accounts.Team",
        blank=True,
        related_name="shared_workshops",
        verbose_name=_("shared read-only with"),
    )
    # What this session's phones are told before their first answer, when it is not the
    # team's (accounts.models.ConsentText; None: the team's text, or the built-in one).
    consent_text = models.ForeignKey(
        "accounts.ConsentText",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workshops",
    )
    # Set when the session's per-participant data (participants, answers, paper forms,
    # chairs' seats) were removed, keeping `aggregates`: the numbers its results, profile and
    # publication show, as results_snapshot and the role counts had them (notes.services.
    # session_anonymise).
    anonymised_at = models.DateTimeField(null=True, blank=True)
    aggregates = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participant_cap__gte=1, participant_cap__lte=PARTICIPANT_CAP_MAX),
                name="workshop_participant_cap_range",
            )
        ]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.city} {self.date:%Y-%m-%d} ({self.code})"

    @property
    def accepts_answers(self) -> bool:
        rehearsal = self.phase == Phase.JOIN and self.rehearsing
        return (self.phase in ANSWERING_PHASES or rehearsal) and not self.archived

    @property
    def phones_wait(self) -> bool:
        """Phones that joined wait for the survey to open (not during a rehearsal)."""
        return self.phase == Phase.JOIN and not self.rehearsing


class Table(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveSmallIntegerField()
    chair_key = models.CharField(max_length=64, unique=True, default=new_key)
    # The hand-out: some tables focus on a sector or a district ("Haven", "Zorg", "Noord").
    focus = models.CharField(
        _("focus (sector or district)"), max_length=TABLE_FOCUS_MAX, blank=True
    )

    class Meta:
        ordering = ["workshop", "number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="table_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.workshop.code} T{self.number}"

    @property
    def label(self) -> str:
        """ "Tafel 2 · Haven": the table as people name it (data, in the sessions' language)."""
        return f"Tafel {self.number} · {self.focus}" if self.focus else f"Tafel {self.number}"


class ExclusionKind(models.TextChoices):
    BURST = "burst", _("taken out by the organiser")
    WITHDRAWAL = "withdrawal", _("withdrawn by the participant")


class Exclusion(models.Model):
    """Participants the organiser took out of the results at once (a burst of joins made by a
    script, say), with who did it and when; undone by setting `undone_at`, never deleted.

    A participant who withdraws from their phone is taken out the same way, by an exclusion of
    the kind WITHDRAWAL (one per participant, `created_by` empty), which the organiser cannot
    undo.

    An excluded participant counts nowhere: not in the live results, the projector, the
    dashboard's counts or any export, and its phone's answers are refused. Undoing it brings
    its stored answers back everywhere."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="exclusions")
    # The joins it took out: those between these two moments (both included).
    joined_from = models.DateTimeField()
    joined_to = models.DateTimeField()
    count = models.PositiveIntegerField()
    kind = models.CharField(
        max_length=12, choices=ExclusionKind.choices, default=ExclusionKind.BURST
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        span = f"{self.joined_from:%H:%M:%S}-{self.joined_to:%H:%M:%S}"
        return f"{self.workshop_id}: {self.count} ({span})"


class Participant(models.Model):
    """A phone in the room. No name: a seat label like "T2·P3" and an optional role."""

    # Set by notes.selectors for the chair's page.
    without_phone: bool
    initials: str

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    table = models.ForeignKey(
        Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="participants"
    )
    seat = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    last_element = models.PositiveSmallIntegerField(default=1)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Every export says which answers were typed in from paper (or imported as such).
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.PHONE)
    # Set while the organiser has taken this participant out of the results (Exclusion).
    exclusion = models.ForeignKey(
        Exclusion, on_delete=models.SET_NULL, null=True, blank=True, related_name="participants"
    )
    # The consent text (its version) the phone agreed to, and when; empty for paper forms,
    # chairs' seats, imports and phones that joined before the app asked.
    consent = models.ForeignKey(
        "accounts.ConsentText",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
    )
    consented_at = models.DateTimeField(null=True, blank=True)
    # Set when the participant withdrew from their phone (their exclusion is the WITHDRAWAL).
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workshop", "table__number", "seat"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "seat"], condition=Q(table__isnull=False), name="seat_per_table"
            ),
            models.UniqueConstraint(
                fields=["workshop", "seat"],
                condition=Q(table__isnull=True),
                name="seat_without_table",
            ),
            models.CheckConstraint(
                condition=Q(seat__gte=1, seat__lte=SEAT_MAX), name="participant_seat_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workshop.code} {self.seat_label}"

    @property
    def seat_label(self) -> str:
        if self.table is None:  # no query: Django knows a NULL key has no row
            return f"P{self.seat}"
        return f"T{self.table.number}·P{self.seat}"
