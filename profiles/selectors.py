"""Reads of the profiles app: the city profile as a document, the notes to draw points from,
programmes with their comparison, theme counts and recommendations."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.access import (
    Permission,
    is_superuser,
    permissions_in,
    team_filter,
    team_roles,
    teams_granting,
)
from accounts.models import Team
from accounts.selectors import AnyUser
from instrument.models import Element, Instrument, Statement
from notes.models import Note, NoteKind, Observation
from profiles.charts import Series, radar_svg, score_label
from profiles.models import (
    Audience,
    PointSection,
    Profile,
    ProfileElement,
    ProfilePoint,
    Programme,
    Recommendation,
    Theme,
    ThemeTag,
)
from profiles.services import SECTION_KINDS
from sessions.models import Role, Workshop
from sessions.selectors import workshops_for_team
from survey.selectors import (
    compared_series,
    instrument_structure,
    results_snapshot,
    role_counts,
    sessions_comparison,
)

# --- notes as sources ----------------------------------------------------------------------


def notes_queryset() -> QuerySet[Note]:
    return Note.objects.select_related("table", "participant__table", "element").order_by(
        "created_at", "pk"
    )


def note_seat(note: Note) -> str:
    """Who said it: the participant's seat label, or the table for a table note."""
    if note.participant is not None:
        return note.participant.seat_label
    if note.anonymised_seat:  # the session was anonymised: the seat is kept as text
        return note.anonymised_seat
    return f"T{note.table.number}"


def decorate_notes(notes: list[Note]) -> list[Note]:
    """Adds `seat` and `kind_label` for the templates and the Word document."""
    kinds = dict(NoteKind.choices)
    for note in notes:
        note.seat = note_seat(note)
        note.kind_label = str(kinds.get(note.kind, note.kind))
        note.element_name = note.element.tr("name")
    return notes


def observations_queryset() -> QuerySet[Observation]:
    return Observation.objects.select_related("table", "author", "element").order_by(
        "created_at", "pk"
    )


def decorate_observations(observations: list[Observation]) -> list[Observation]:
    """Adds `element_name` for the templates and the Word document."""
    for o in observations:
        o.element_name = o.element.tr("name") if o.element is not None else ""
    return observations


def _points_queryset() -> QuerySet[ProfilePoint]:
    return ProfilePoint.objects.order_by("order", "pk").prefetch_related(
        Prefetch("sources", queryset=notes_queryset()),
        Prefetch("observations", queryset=observations_queryset()),
    )


# The order in which a point's sources are counted: the table's agreement and difference
# first (the hand-out's "eens" and "verschil"), then the participants' plus and minus.
TALLY_KINDS = (NoteKind.AGREE, NoteKind.DIFFER, NoteKind.PLUS, NoteKind.MINUS)


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    n: int


def source_tally(notes: list[Note]) -> list[KindCount]:
    """How many of a point's sources were agreement, difference, + and minus (zeros included,
    so every point reads the same way)."""
    labels = dict(NoteKind.choices)
    return [
        KindCount(kind=k, label=str(labels[k]), n=sum(1 for n in notes if n.kind == k))
        for k in TALLY_KINDS
    ]


def source_tally_text(tally: list[KindCount]) -> str:
    return " · ".join(f"{c.label} {c.n}" for c in tally)


def _with_sources(points: list[ProfilePoint]) -> list[ProfilePoint]:
    for point in points:
        point.source_notes = decorate_notes(list(point.sources.all()))
        point.source_observations = decorate_observations(list(point.observations.all()))
        point.source_tally = source_tally(point.source_notes)
    return points


# --- the city profile ----------------------------------------------------------------------


@dataclass
class ElementSection:
    number: int
    element: Element
    name: str
    score: float | None
    n: int
    synthesis: str = ""
    quote: str = ""
    quote_note: Note | None = None
    strengths: list[ProfilePoint] = field(default_factory=list)
    bottlenecks: list[ProfilePoint] = field(default_factory=list)

    @property
    def score_label(self) -> str:
        return score_label(self.score)

    @property
    def score_percent(self) -> int:
        return 0 if self.score is None else round(self.score / 5 * 100)


@dataclass
class ProfileDocument:
    workshop: Workshop
    profile: Profile
    respondents: int
    participants: int
    sections: list[ElementSection]
    opportunities: list[ProfilePoint]
    closing_quote: str
    closing_quote_note: Note | None
    note_count: int

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sections]

    @property
    def scores(self) -> list[float | None]:
        return [s.score for s in self.sections]

    def chart_svg(self, title: str = "", colour: str = "") -> str:
        return radar_svg(self.names, [Series(self.workshop.city, self.scores, colour)], title=title)

    @property
    def chart_data(self) -> dict[str, Any]:
        return {
            "names": self.names,
            "series": [{"label": self.workshop.city, "scores": self.scores}],
        }


def profile_for_workshop(*, workshop: Workshop) -> Profile:
    """The session's profile, or an empty unsaved one (reading never writes)."""
    return Profile.objects.filter(workshop=workshop).first() or Profile(workshop=workshop)


def _quote_text(wording: str, note: Note | None, observation: Observation | None) -> str:
    """A quote: the organiser's wording, else the chosen note's or observation's text."""
    if wording:
        return wording
    if note is not None:
        return note.text
    return observation.text if observation is not None else ""


def profile_document(*, workshop: Workshop) -> ProfileDocument:
    """Everything the profile page, its print version and the Word document show."""
    profile = profile_for_workshop(workshop=workshop)
    snapshot = results_snapshot(workshop_id=workshop.pk)
    by_key = {e["key"]: e for e in snapshot["elements"]}
    elements = list(Element.objects.filter(instrument_id=workshop.instrument_id).order_by("order"))
    texts: dict[int, ProfileElement] = {}
    points: list[ProfilePoint] = []
    if profile.pk is not None:
        texts = {
            row.element_id: row
            for row in ProfileElement.objects.filter(profile=profile).select_related(
                "quote_note__table", "quote_note__participant__table", "quote_observation"
            )
        }
        points = _with_sources(list(_points_queryset().filter(profile=profile)))
    grouped: dict[tuple[Any, ...], list[ProfilePoint]] = defaultdict(list)
    for point in points:
        grouped[(point.section, point.element_id)].append(point)
    sections = []
    for number, element in enumerate(elements, start=1):
        result = by_key.get(element.key, {})
        row = texts.get(element.pk)
        quote_note = row.quote_note if row is not None else None
        sections.append(
            ElementSection(
                number=number,
                element=element,
                name=element.tr("name"),
                score=result.get("score"),
                n=result.get("n", 0),
                synthesis=row.synthesis if row is not None else "",
                quote=_quote_text(row.quote, quote_note, row.quote_observation) if row else "",
                quote_note=quote_note,
                strengths=grouped[(PointSection.STRENGTH, element.pk)],
                bottlenecks=grouped[(PointSection.BOTTLENECK, element.pk)],
            )
        )
    closing_note = profile.closing_quote_note if profile.pk is not None else None
    return ProfileDocument(
        workshop=workshop,
        profile=profile,
        respondents=snapshot["respondents"],
        participants=snapshot["participants"],
        sections=sections,
        opportunities=grouped[(PointSection.OPPORTUNITY, None)],
        closing_quote=_quote_text(
            profile.closing_quote,
            closing_note,
            profile.closing_quote_observation if profile.pk is not None else None,
        ),
        closing_quote_note=closing_note,
        note_count=Note.objects.filter(workshop=workshop).count(),
    )


def profile_element_number(*, workshop: Workshop, number: int) -> Element:
    element = Element.objects.filter(instrument_id=workshop.instrument_id, order=number).first()
    if element is None:
        raise Http404("no such element")
    return element


@dataclass
class ElementWorkspace:
    """What the organiser works from for one element: its notes by section, the quotes."""

    section: ElementSection
    strength_notes: list[Note]
    bottleneck_notes: list[Note]
    quote_notes: list[Note]
    used: set[int]
    row: ProfileElement | None
    element_count: int
    quote_observations: list[Observation] = field(default_factory=list)


def _used_note_ids(profile: Profile) -> set[int]:
    if profile.pk is None:
        return set()
    return set(
        ProfilePoint.sources.through.objects.filter(profilepoint__profile=profile).values_list(
            "note_id", flat=True
        )
    )


def element_workspace(*, workshop: Workshop, number: int) -> ElementWorkspace:
    element = profile_element_number(workshop=workshop, number=number)
    document = profile_document(workshop=workshop)
    section = document.sections[number - 1]
    notes = decorate_notes(list(notes_queryset().filter(workshop=workshop, element=element)))
    row = None
    if document.profile.pk is not None:
        row = ProfileElement.objects.filter(profile=document.profile, element=element).first()
    return ElementWorkspace(
        section=section,
        strength_notes=[n for n in notes if n.kind in SECTION_KINDS[PointSection.STRENGTH]],
        bottleneck_notes=[n for n in notes if n.kind in SECTION_KINDS[PointSection.BOTTLENECK]],
        quote_notes=[n for n in notes if n.is_quote],
        used=_used_note_ids(document.profile),
        row=row,
        element_count=len(document.sections),
        quote_observations=session_observations(workshop=workshop, element=element),
    )


@dataclass
class ElementNotes:
    name: str
    notes: list[Note]


def session_notes_by_element(*, workshop: Workshop) -> list[ElementNotes]:
    """All of the session's notes, per element (for opportunities and the closing quote)."""
    notes = decorate_notes(list(notes_queryset().filter(workshop=workshop)))
    by_element: dict[int, list[Note]] = defaultdict(list)
    for note in notes:
        by_element[note.element_id].append(note)
    return [
        ElementNotes(name=e.tr("name"), notes=by_element[e.pk])
        for e in Element.objects.filter(instrument_id=workshop.instrument_id).order_by("order")
    ]


def point_candidates(*, point: ProfilePoint) -> list[Note]:
    """The notes a point may be drawn from: its element's notes of its kinds (any note of the
    session for an opportunity)."""
    notes = notes_queryset().filter(
        workshop_id=point.profile.workshop_id, kind__in=SECTION_KINDS[point.section]
    )
    if point.element_id is not None:
        notes = notes.filter(element_id=point.element_id)
    return decorate_notes(list(notes))


def session_observations(
    *, workshop: Workshop, element: Element | None = None
) -> list[Observation]:
    """The session's observations (about `element` or the whole session, when given)."""
    observations = observations_queryset().filter(workshop=workshop)
    if element is not None:
        observations = observations.filter(Q(element=element) | Q(element__isnull=True))
    return decorate_observations(list(observations))


def observation_candidates(*, point: ProfilePoint) -> list[Observation]:
    """The observations a point may cite: the session's, about its element or the whole
    session (any of the session's for an opportunity)."""
    observations = observations_queryset().filter(workshop_id=point.profile.workshop_id)
    if point.element_id is not None:
        observations = observations.filter(Q(element_id=point.element_id) | Q(element__isnull=True))
    return decorate_observations(list(observations))


def point_get(*, workshop: Workshop, pk: int) -> ProfilePoint:
    point = (
        ProfilePoint.objects.select_related("profile__workshop", "element")
        .filter(pk=pk, profile__workshop=workshop)
        .first()
    )
    if point is None:
        raise Http404("no such point")
    return point


# --- programmes ----------------------------------------------------------------------------


def programme_list(*, user: AnyUser) -> list[Programme]:
    """The programmes of the user's teams (of no team for someone in no team; every one for
    a superuser), each with `shown_workshops`: the sessions it shows (programme_sessions)."""
    programmes = Programme.objects.prefetch_related("workshops").order_by("-created_at", "-pk")
    query = team_filter(user=user, need=Permission.READ)
    found = list(programmes if query is None else programmes.filter(query))
    held = {w.pk for p in found for w in p.workshops.all()}
    shown: dict[int | None, set[int]] = {}
    for team_id in {p.team_id for p in found}:
        among = Workshop.objects.filter(pk__in=held)
        shown[team_id] = set(
            workshops_for_team(team_id=team_id, among=among).values_list("pk", flat=True)
        )
    for p in found:
        p.shown_workshops = [w for w in p.workshops.all() if w.pk in shown[p.team_id]]
    return found


def programme_sessions(*, programme: Programme) -> QuerySet[Workshop]:
    """The sessions the programme shows: those it holds that its team reads (its own and
    those shared with it). One another team stopped sharing is kept, unseen on its pages,
    files and forms, and shows again when shared again."""
    return workshops_for_team(team_id=programme.team_id, among=programme.workshops.all())


def programme_get(*, pk: int) -> Programme:
    programme = Programme.objects.filter(pk=pk).first()
    if programme is None:
        raise Http404("no such programme")
    return programme


def programme_for_user(*, user: AnyUser, pk: int, need: Permission) -> Programme:
    """The programme if `user` may `need` it: the one check of every programme page. One of
    another team is a 404, as an unknown one; one whose team role does not allow `need` (a
    researcher deleting it) is a 403 with the reason."""
    programme = programme_get(pk=pk)
    if is_superuser(user):
        return programme
    permissions = None
    if getattr(user, "is_authenticated", False) and getattr(user, "is_active", False):
        permissions = permissions_in(roles=team_roles(user=user), team_id=programme.team_id)
    if permissions is None:
        raise Http404("no such programme")
    if need not in permissions:
        raise PermissionDenied(_("Your role in this programme's team does not allow this."))
    return programme


def programme_team(*, user: AnyUser, workshops: list[Workshop]) -> Team | None:
    """The team a new programme of `workshops` belongs to: that of its first session in one
    of the teams where the user may analyse, else the first such team (None for someone in
    no team). A 403 for someone whose role allows no programme (none does so far)."""
    roles = team_roles(user=user)
    if not roles:
        # A superuser in no team: the team of its first session (a programme shows only the
        # sessions its team reads).
        if is_superuser(user) and workshops:
            return workshops[0].team
        return None
    allowed = teams_granting(roles=roles, need=Permission.ANALYSE)
    if not allowed:
        raise PermissionDenied(_("Your role does not allow making programmes."))
    for workshop in workshops:
        if workshop.team_id in allowed:
            return workshop.team
    return Team.objects.filter(pk__in=allowed).order_by("name", "pk").first()


def programme_workshops(*, programme: Programme) -> list[Workshop]:
    """The programme's sessions in the order of the comparison (compared_series: by date, then
    city), the order of the publication's chapters and charts."""
    return [
        s.workshop
        for s in compared_series(
            workshops=programme_sessions(programme=programme).select_related("instrument")
        )
    ]


def theme_get(*, programme_pk: int, pk: int) -> Theme:
    theme = (
        Theme.objects.select_related("programme").filter(pk=pk, programme_id=programme_pk).first()
    )
    if theme is None:
        raise Http404("no such theme")
    return theme


def recommendation_get(*, programme_pk: int, pk: int) -> Recommendation:
    recommendation = (
        Recommendation.objects.select_related("programme")
        .filter(pk=pk, programme_id=programme_pk)
        .first()
    )
    if recommendation is None:
        raise Http404("no such recommendation")
    return recommendation


@dataclass
class ThemeCell:
    workshop: Workshop
    notes: list[Note]
    observations: list[Observation] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.notes)


@dataclass
class ThemeRow:
    theme: Theme
    cells: list[ThemeCell]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells)

    @property
    def cities(self) -> list[str]:
        return [c.workshop.city for c in self.cells if c.count]


def theme_counts(
    *, programme: Programme, workshops: list[Workshop] | None = None
) -> list[ThemeRow]:
    """Per theme and session: the tagged notes (their number is the count). Only notes of the
    programme's sessions count."""
    workshops = workshops if workshops is not None else programme_workshops(programme=programme)
    themes = list(programme.themes.order_by("order", "pk"))
    tags = (
        ThemeTag.objects.filter(theme__programme=programme, note__workshop__in=workshops)
        .select_related("note__table", "note__participant__table", "note__element")
        .order_by("note__created_at", "note__pk")
    )
    cells: dict[tuple[int, int], list[Note]] = defaultdict(list)
    for tag in tags:
        cells[(tag.theme_id, tag.note.workshop_id)].append(tag.note)
    for notes in cells.values():
        decorate_notes(notes)
    observed: dict[tuple[int, int], list[Observation]] = defaultdict(list)
    through = Theme.observations.through
    for link in (
        through.objects.filter(theme__programme=programme, observation__workshop__in=workshops)
        .select_related("observation__table", "observation__author", "observation__element")
        .order_by("observation__created_at", "observation__pk")
    ):
        observed[(link.theme_id, link.observation.workshop_id)].append(link.observation)
    for observations in observed.values():
        decorate_observations(observations)
    return [
        ThemeRow(
            theme=theme,
            cells=[
                ThemeCell(
                    workshop=w,
                    notes=cells[(theme.pk, w.pk)],
                    observations=observed[(theme.pk, w.pk)],
                )
                for w in workshops
            ],
        )
        for theme in themes
    ]


@dataclass
class AudienceGroup:
    audience: str
    label: str
    recommendations: list[Recommendation]


def recommendations_by_audience(*, programme: Programme) -> list[AudienceGroup]:
    """The programme's recommendations per audience, each with its themes and the cities it
    names: those the programme shows (programme_sessions)."""
    cities = workshops_for_team(team_id=programme.team_id).order_by("date", "city")
    recommendations = list(
        Recommendation.objects.filter(programme=programme)
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("order", "pk")),
            Prefetch("workshops", queryset=cities),
        )
        .order_by("order", "pk")
    )
    return [
        AudienceGroup(
            audience=value,
            label=str(label),
            recommendations=[r for r in recommendations if r.audience == value],
        )
        for value, label in Audience.choices
    ]


@dataclass
class ProgrammeOverview:
    programme: Programme
    workshops: list[Workshop]
    comparison: dict[str, Any]
    themes: list[ThemeRow]
    audiences: list[AudienceGroup]

    def chart_svg(self, title: str = "") -> str:
        return radar_svg(
            self.comparison["names"],
            [Series(s["city"], s["scores"], s["colour"]) for s in self.comparison["sessions"]],
            title=title,
        )

    @property
    def chart_data(self) -> dict[str, Any]:
        return {
            "names": self.comparison["names"],
            "series": [
                {"label": s["label"], "scores": s["scores"], "colour": s["colour"]}
                for s in self.comparison["sessions"]
            ],
        }

    @property
    def legend(self) -> list[dict[str, Any]]:
        """The cities with their colours in the charts (plotly's and the SVG)."""
        return [{"label": s["label"], "colour": s["colour"]} for s in self.comparison["sessions"]]

    @property
    def themes_list(self) -> list[Theme]:
        return [row.theme for row in self.themes]

    @property
    def has_recommendations(self) -> bool:
        return any(group.recommendations for group in self.audiences)

    @property
    def score_rows(self) -> list[dict[str, Any]]:
        return [
            {**row, "labels": [score_label(v) for v in row["scores"]]}
            for row in self.comparison["rows"]
        ]


def programme_overview(*, programme: Programme) -> ProgrammeOverview:
    workshops = programme_workshops(programme=programme)
    return ProgrammeOverview(
        programme=programme,
        workshops=workshops,
        comparison=sessions_comparison(workshops=workshops),
        themes=theme_counts(programme=programme, workshops=workshops),
        audiences=recommendations_by_audience(programme=programme),
    )


def notes_for_tagging(
    *, programme: Programme, workshop: Workshop, element: Element | None
) -> list[Note]:
    """A session's notes (of one element, if chosen) with `theme_ids`: their current tags."""
    queryset = notes_queryset().filter(workshop=workshop)
    if element is not None:
        queryset = queryset.filter(element=element)
    notes = decorate_notes(list(queryset))
    tagged: dict[int, set[int]] = defaultdict(set)
    for theme_id, note_id in ThemeTag.objects.filter(
        theme__programme=programme, note__in=[n.pk for n in notes]
    ).values_list("theme_id", "note_id"):
        tagged[note_id].add(theme_id)
    for note in notes:
        note.theme_ids = tagged[note.pk]
    return notes


def observations_for_tagging(
    *, programme: Programme, workshop: Workshop, element: Element | None
) -> list[Observation]:
    """A session's observations (of one element or the whole session, if an element is
    chosen) with `theme_ids`: their current tags."""
    observations = session_observations(workshop=workshop, element=element)
    tagged: dict[int, set[int]] = defaultdict(set)
    for theme_id, observation_id in Theme.observations.through.objects.filter(
        theme__programme=programme, observation__in=[o.pk for o in observations]
    ).values_list("theme_id", "observation_id"):
        tagged[observation_id].add(theme_id)
    for observation in observations:
        observation.theme_ids = tagged[observation.pk]
    return observations


# --- the publication (the whole hand-out) ----------------------------------------------------


@dataclass(frozen=True)
class RoleCount:
    """How many of a city's participants had a role, and how many of them answered."""

    role: str
    label: str
    participants: int
    respondents: int


@dataclass
class CityCounts:
    workshop: Workshop
    participants: int
    respondents: int
    roles: list[RoleCount]


@dataclass(frozen=True)
class PublicationElement:
    """Chapter 3: an element with its form of capital (the instrument's) and its definition
    (the programme's)."""

    number: int
    key: str
    name: str
    capital: str
    definition: str


@dataclass(frozen=True)
class AppendixElement:
    number: int
    element: Element
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Appendix:
    """The instrument as the participants of `city` saw it (and those of `other_cities`, with
    their own city in the stem)."""

    instrument: Instrument
    city: str
    other_cities: list[str]
    elements: list[AppendixElement]


@dataclass
class PublicationDocument:
    programme: Programme
    workshops: list[Workshop]
    cities: list[CityCounts]
    elements: list[PublicationElement]
    themes: list[Theme]
    audiences: list[AudienceGroup]
    profiles: list[ProfileDocument]
    comparison: dict[str, Any]
    appendices: list[Appendix]

    @property
    def participants(self) -> int:
        return sum(c.participants for c in self.cities)

    @property
    def respondents(self) -> int:
        return sum(c.respondents for c in self.cities)

    @property
    def role_totals(self) -> list[RoleCount]:
        if not self.cities:
            return []
        return [
            RoleCount(
                role=first.role,
                label=first.label,
                participants=sum(c.roles[i].participants for c in self.cities),
                respondents=sum(c.roles[i].respondents for c in self.cities),
            )
            for i, first in enumerate(self.cities[0].roles)
        ]


# The roles in the order of the hand-out's list, then "other", then no role given.
NO_ROLE = ""


def city_counts(*, workshops: list[Workshop]) -> list[CityCounts]:
    """Per session and role: its participants, and those of them who answered at least one
    statement (the respondents of results_snapshot, by the same rule)."""
    counts = role_counts(workshop_ids=[w.pk for w in workshops])
    roles = [(str(value), str(label)) for value, label in Role.choices]
    roles.append((NO_ROLE, str(_("No role given"))))
    result = []
    for w in workshops:
        rows = [
            RoleCount(
                role=value,
                label=label,
                participants=counts.get((w.pk, value), (0, 0))[0],
                respondents=counts.get((w.pk, value), (0, 0))[1],
            )
            for value, label in roles
        ]
        result.append(
            CityCounts(
                workshop=w,
                participants=sum(r.participants for r in rows),
                respondents=sum(r.respondents for r in rows),
                roles=rows,
            )
        )
    return result


def _appendices(workshops: list[Workshop]) -> list[Appendix]:
    """One appendix per instrument the sessions ran with (usually one), in the city of the
    first session that ran with it."""
    by_instrument: dict[int, list[Workshop]] = defaultdict(list)
    for w in workshops:
        by_instrument[w.instrument_id].append(w)
    appendices = []
    for group in by_instrument.values():
        structure = instrument_structure(group[0].instrument_id)
        appendices.append(
            Appendix(
                instrument=group[0].instrument,
                city=group[0].city,
                other_cities=[w.city for w in group[1:]],
                elements=[
                    AppendixElement(number=i, element=e, statements=ss)
                    for i, (e, ss) in enumerate(structure, start=1)
                ],
            )
        )
    return appendices


def publication_elements(
    *, programme: Programme, workshops: list[Workshop] | None = None
) -> list[PublicationElement]:
    """The elements of the instrument of the programme's first session, each with the
    programme's definition (empty if it has none)."""
    workshops = workshops if workshops is not None else programme_workshops(programme=programme)
    if not workshops:
        return []
    definitions = dict(programme.elements.values_list("key", "definition"))
    return [
        PublicationElement(
            number=number,
            key=element.key,
            name=element.tr("name"),
            capital=element.tr("capital"),
            definition=definitions.get(element.key, ""),
        )
        for number, (element, _statements) in enumerate(
            instrument_structure(workshops[0].instrument_id), start=1
        )
    ]


def publication_document(*, programme: Programme) -> PublicationDocument:
    """Everything the programme's publication shows, in its order: the programme's texts, the
    counts per city and role, the elements, themes, recommendations, a profile per city and
    the instrument(s) for the appendix."""
    workshops = programme_workshops(programme=programme)
    elements = publication_elements(programme=programme, workshops=workshops)
    return PublicationDocument(
        programme=programme,
        workshops=workshops,
        cities=city_counts(workshops=workshops),
        elements=elements,
        themes=list(programme.themes.order_by("order", "pk")),
        audiences=recommendations_by_audience(programme=programme),
        profiles=[profile_document(workshop=w) for w in workshops],
        comparison=sessions_comparison(workshops=workshops),
        appendices=_appendices(workshops),
    )
