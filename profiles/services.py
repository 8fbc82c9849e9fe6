"""Writes of the profiles app: city profiles and their points, programmes, themes and tags,
recommendations.

Every refusal is a Rejected with a message in the user's language; a refused call
changes nothing.
"""

from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Team
from core.errors import Rejected
from core.inputs import clean_text, parse_id_list
from instrument.models import Element
from notes.models import Note, NoteKind, Observation
from profiles import handout
from profiles.handout import REFLECTIVE_QUESTIONS, SUGGESTED_RECOMMENDATIONS, SUGGESTED_THEMES
from profiles.models import (
    ELEMENT_SECTIONS,
    NAME_MAX_LENGTH,
    POINT_MAX_LENGTH,
    PUBLICATION_TEXT_FIELDS,
    TEXT_MAX_LENGTH,
    Audience,
    PointSection,
    Profile,
    ProfileElement,
    ProfilePoint,
    Programme,
    ProgrammeElement,
    Recommendation,
    Theme,
    ThemeTag,
)
from sessions.models import Workshop
from sessions.selectors import session_element, workshops_for_team

# Which notes a point of each section may be drawn from: any. In the hand-out "eens" and
# "verschil" say whether the table agreed or differed, which is neither good nor bad (a table
# that agreed on a bottleneck is a source for that bottleneck), and a plus or minus about one
# participant may still be cited where the organiser reads it. The point shows how many of
# its sources were of each kind instead (profiles.selectors.source_tally).
SECTION_KINDS: dict[str, frozenset[str]] = {
    section: frozenset(NoteKind.values) for section in PointSection.values
}

# A model kept in an explicit order among its siblings (points, recommendations).
_Ordered = TypeVar("_Ordered", ProfilePoint, Recommendation)

# Between the texts of several notes prefilled into one point.
SOURCE_JOINER = " "


def _ids(values: Iterable[object]) -> list[int]:
    """Ids through the one strict parser (core.inputs.parse_id_list); or refused."""
    return parse_id_list(list(values))


def joined_source_text(notes: Iterable[Note]) -> str:
    """What a new point says before the organiser rewords it: its notes' texts, in order."""
    return SOURCE_JOINER.join(n.text.strip() for n in notes)


# --- profiles ------------------------------------------------------------------------------


def profile_ensure(*, workshop: Workshop) -> Profile:
    profile, _created = Profile.objects.get_or_create(workshop=workshop)
    return profile


def _quote_note(workshop: Workshop, note_id: int | None, element: Element | None) -> Note | None:
    """A note marked as a quote, of this session (and element, when given), or None."""
    if note_id is None:
        return None
    notes = Note.objects.filter(pk=note_id, workshop=workshop, is_quote=True)
    if element is not None:
        notes = notes.filter(element=element)
    note = notes.first()
    if note is None:
        raise Rejected(_("Choose a note of this session that is marked as a quote."))
    return note


def _quote_observation(
    workshop: Workshop, observation_id: int | None, element: Element | None, note: Note | None
) -> Observation | None:
    """An observation of this session (of this element or the whole session, when an element
    is given) to quote, or None; a note and an observation at once are refused."""
    if observation_id is None:
        return None
    if note is not None:
        raise Rejected(_("Quote a note or an observation, not both."))
    observations = Observation.objects.filter(pk=observation_id, workshop=workshop)
    if element is not None:
        observations = observations.filter(Q(element=element) | Q(element__isnull=True))
    observation = observations.first()
    if observation is None:
        raise Rejected(_("Choose an observation of this session."))
    return observation


def profile_update(
    *,
    workshop: Workshop,
    local_context: str,
    summary: str,
    closing_quote: str,
    closing_quote_note_id: int | None = None,
    closing_quote_observation_id: int | None = None,
) -> Profile:
    """The profile's own texts. An empty closing quote with a chosen note (or observation)
    uses it as written."""
    local_context = clean_text(local_context, max_length=TEXT_MAX_LENGTH)
    summary = clean_text(summary, max_length=TEXT_MAX_LENGTH)
    closing_quote = clean_text(closing_quote, max_length=POINT_MAX_LENGTH)
    note = _quote_note(workshop, closing_quote_note_id, None)
    observation = _quote_observation(workshop, closing_quote_observation_id, None, note)
    with transaction.atomic():
        profile = profile_ensure(workshop=workshop)
        profile.local_context = local_context
        profile.summary = summary
        profile.closing_quote = closing_quote
        profile.closing_quote_note = note
        profile.closing_quote_observation = observation
        profile.save()
    return profile


def profile_element_update(
    *,
    workshop: Workshop,
    element_id: int,
    synthesis: str,
    quote: str,
    quote_note_id: int | None = None,
    quote_observation_id: int | None = None,
) -> ProfileElement:
    """One element's synthesis and representative quote (a note of that element marked as a
    quote, or an observation of that element or the session; an empty wording uses it as
    written)."""
    element = session_element(workshop=workshop, element_id=element_id)
    synthesis = clean_text(synthesis, max_length=TEXT_MAX_LENGTH)
    quote = clean_text(quote, max_length=POINT_MAX_LENGTH)
    note = _quote_note(workshop, quote_note_id, element)
    observation = _quote_observation(workshop, quote_observation_id, element, note)
    with transaction.atomic():
        profile = profile_ensure(workshop=workshop)
        row, _created = ProfileElement.objects.update_or_create(
            profile=profile,
            element=element,
            defaults={
                "synthesis": synthesis,
                "quote": quote,
                "quote_note": note,
                "quote_observation": observation,
            },
        )
    return row


def _sources(
    workshop: Workshop, section: str, element: Element | None, source_ids: Iterable[int]
) -> list[Note]:
    ids = sorted(_ids(source_ids))
    notes = list(Note.objects.filter(pk__in=ids, workshop=workshop).order_by("created_at", "pk"))
    if len(notes) != len(ids):
        raise Rejected(_("One of the chosen notes is not a note of this session."))
    for note in notes:
        if element is not None and note.element_id != element.pk:
            raise Rejected(_("A point of an element can only come from that element's notes."))
        if note.kind not in SECTION_KINDS[section]:
            raise Rejected(_("Unknown kind of note."))
    return notes


def _observations(
    workshop: Workshop, element: Element | None, observation_ids: Iterable[int]
) -> list[Observation]:
    """Observations of this session; for a point of an element, about that element or about
    the whole session."""
    ids = sorted(_ids(observation_ids))
    observations = list(
        Observation.objects.filter(pk__in=ids, workshop=workshop).order_by("created_at", "pk")
    )
    if len(observations) != len(ids):
        raise Rejected(_("One of the chosen observations is not an observation of this session."))
    if element is not None and any(
        o.element_id is not None and o.element_id != element.pk for o in observations
    ):
        raise Rejected(
            _("A point of an element can only cite observations of that element or the session.")
        )
    return observations


def _next_order(profile: Profile, section: str, element: Element | None) -> int:
    top = ProfilePoint.objects.filter(profile=profile, section=section, element=element).aggregate(
        top=Max("order")
    )["top"]
    return 0 if top is None else top + 1


def point_create(
    *,
    workshop: Workshop,
    section: str,
    text: str,
    element_id: int | None = None,
    source_ids: Iterable[int] = (),
    observation_ids: Iterable[int] = (),
) -> ProfilePoint:
    """A new point at the end of its list, standing on notes and observations. An empty text
    with chosen sources takes their texts joined; the organiser rewords it later."""
    if section not in PointSection.values:
        raise Rejected(_("Unknown part of the profile."))
    element = None
    if section in ELEMENT_SECTIONS:
        element = session_element(workshop=workshop, element_id=element_id)
    elif element_id is not None:
        raise Rejected(_("Opportunities are about the whole city, not one element."))
    notes = _sources(workshop, section, element, source_ids)
    observations = _observations(workshop, element, observation_ids)
    text = clean_text(text, max_length=POINT_MAX_LENGTH)
    if not text:
        joined = SOURCE_JOINER.join(
            [joined_source_text(notes), *(o.text.strip() for o in observations)]
        ).strip()
        text = clean_text(joined, max_length=POINT_MAX_LENGTH, required=True)
    with transaction.atomic():
        profile = profile_ensure(workshop=workshop)
        point = ProfilePoint.objects.create(
            profile=profile,
            section=section,
            element=element,
            text=text,
            order=_next_order(profile, section, element),
        )
        point.sources.set(notes)
        point.observations.set(observations)
    return point


def point_update(
    *,
    point: ProfilePoint,
    text: str,
    source_ids: Iterable[int],
    observation_ids: Iterable[int] | None = None,
) -> ProfilePoint:
    """Reword a point and change the notes (and, unless None, the observations) it stands for;
    its section and element stay."""
    workshop = point.profile.workshop
    notes = _sources(workshop, point.section, point.element, source_ids)
    observations = (
        None if observation_ids is None else _observations(workshop, point.element, observation_ids)
    )
    point.text = clean_text(text, max_length=POINT_MAX_LENGTH, required=True)
    with transaction.atomic():
        point.save(update_fields=["text", "updated_at"])
        point.sources.set(notes)
        if observations is not None:
            point.observations.set(observations)
    return point


def _move(queryset: QuerySet[_Ordered], item: _Ordered, direction: str, refusal: str) -> None:
    """Swap the item with its neighbour among `queryset` ("up" or "down") and number them 0..n-1
    again; the rows are locked, so two moves at once do not interleave. At either end: nothing."""
    if direction not in ("up", "down"):
        raise Rejected(refusal)
    with transaction.atomic():
        siblings = list(queryset.select_for_update().order_by("order", "pk"))
        index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            return
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for order, sibling in enumerate(siblings):
            if sibling.order != order:
                sibling.order = order
                sibling.save(update_fields=["order"])


def point_move(*, point: ProfilePoint, direction: str) -> None:
    """Swap the point with its neighbour in its list ("up" or "down")."""
    siblings = ProfilePoint.objects.filter(
        profile_id=point.profile_id,
        section=point.section,
        element_id=point.element_id,  # type: ignore[misc]  # None: the opportunities
    )
    _move(siblings, point, direction, _("Move a point up or down."))


def point_delete(*, point: ProfilePoint) -> None:
    point.delete()


# --- programmes ----------------------------------------------------------------------------


def _workshops(
    workshop_ids: Iterable[int], within: QuerySet[Workshop] | None = None
) -> list[Workshop]:
    """The sessions with these ids, all of them among `within` (the sessions the user may
    read: one of another team is as unknown as one that does not exist)."""
    ids = set(_ids(workshop_ids))
    workshops = list((Workshop.objects.all() if within is None else within).filter(pk__in=ids))
    if len(workshops) != len(ids):
        raise Rejected(_("One of the chosen sessions does not exist (any more)."))
    return workshops


def _shown(programme: Programme) -> QuerySet[Workshop]:
    """The sessions the programme holds that its team reads (profiles.selectors:
    programme_sessions): the only ones its forms may name or change."""
    return workshops_for_team(team_id=programme.team_id, among=programme.workshops.all())


def _within_team_reach(workshops: list[Workshop], team: Team | None) -> None:
    """Refuse sessions the programme's team does not read: a programme shows only its team's
    sessions and those shared with it, to whoever reads it. The user may read them (they
    chose them), so the message names them."""
    reach = set(
        workshops_for_team(
            team_id=team.pk if team is not None else None,
            among=Workshop.objects.filter(pk__in=[w.pk for w in workshops]),
        ).values_list("pk", flat=True)
    )
    outside = [w for w in workshops if w.pk not in reach]
    if not outside:
        return
    cities = ", ".join(f"{w.city} ({w.code})" for w in outside)
    if team is None:
        raise Rejected(
            _("A programme of no team holds only sessions of no team: %(cities)s cannot be in it.")
            % {"cities": cities}
        )
    raise Rejected(
        _(
            "A programme of %(team)s holds only that team's sessions and those shared with it: "
            "%(cities)s cannot be in it. Share the session with %(team)s first."
        )
        % {"team": team.name, "cities": cities}
    )


def programme_create(
    *,
    name: str,
    description: str = "",
    workshop_ids: Iterable[int] = (),
    created_by: User | None = None,
    suggest_themes: bool = True,
    team: Team | None = None,
    within: QuerySet[Workshop] | None = None,
) -> Programme:
    """A programme of sessions, with the hand-out's text to start from (`suggest_themes`): its
    five themes, its recommendations per audience, its reflective questions and the texts of
    the publication (method, element definitions, introductions), all editable."""
    name = clean_text(name, max_length=NAME_MAX_LENGTH, required=True)
    description = clean_text(description, max_length=TEXT_MAX_LENGTH)
    workshops = _workshops(workshop_ids, within)
    _within_team_reach(workshops, team)
    with transaction.atomic():
        programme = Programme.objects.create(
            name=name, description=description, created_by=created_by, team=team
        )
        programme.workshops.set(workshops)
        if suggest_themes:
            programme_fill_from_handout(programme=programme)
    return programme


# The hand-out's text for each of the programme's publication texts (the foreword is the
# programme's own: it starts empty).
HANDOUT_TEXTS: dict[str, str] = {
    "introduction": handout.INTRODUCTION,
    "method": handout.METHOD,
    "participants_text": handout.PARTICIPANTS,
    "elements_intro": handout.ELEMENTS_INTRO,
    "themes_intro": handout.THEMES_INTRO,
    "recommendations_intro": handout.RECOMMENDATIONS_INTRO,
    "cities_intro": handout.CITIES_INTRO,
    "reflective_questions": REFLECTIVE_QUESTIONS,
}


def programme_fill_from_handout(*, programme: Programme) -> int:
    """Give the programme the hand-out's starting text where it has none; returns how many
    texts were filled. Never overwrites: only an empty text is filled (a programme text, an
    element's definition, a theme's narrative or key points); the five themes and the
    recommendations are added only to a programme that has no themes, or no
    recommendations, at all. A theme whose description is still the old starting text (its key
    points in one line) gets its key points as a list instead. Twice, or two at once: the
    second fills nothing (the programme's row is locked)."""
    filled = 0
    with transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        fields = [f for f, text in HANDOUT_TEXTS.items() if not getattr(locked, f).strip()]
        for field_name in fields:
            setattr(locked, field_name, HANDOUT_TEXTS[field_name])
        if fields:
            locked.save(update_fields=fields)
            filled += len(fields)
        rows = {row.key: row for row in ProgrammeElement.objects.filter(programme=locked)}
        for key, definition in handout.ELEMENT_DEFINITIONS.items():
            row = rows.get(key)
            if row is None:
                ProgrammeElement.objects.create(programme=locked, key=key, definition=definition)
                filled += 1
            elif not row.definition.strip():
                row.definition = definition
                row.save(update_fields=["definition"])
                filled += 1
        old_descriptions = dict(SUGGESTED_THEMES)
        themes = list(locked.themes.all())
        if not themes:
            Theme.objects.bulk_create(
                Theme(
                    programme=locked,
                    name=theme,
                    narrative=handout.THEME_TEXTS[theme][0],
                    key_points="\n".join(handout.THEME_TEXTS[theme][1]),
                    order=order,
                )
                for order, (theme, _text) in enumerate(SUGGESTED_THEMES)
            )
            filled += len(SUGGESTED_THEMES)
        for theme in themes:
            if theme.name not in handout.THEME_TEXTS:
                continue
            narrative, points = handout.THEME_TEXTS[theme.name]
            changed = []
            if not theme.narrative.strip():
                theme.narrative = narrative
                changed.append("narrative")
            if not theme.key_points.strip():
                theme.key_points = "\n".join(points)
                changed.append("key_points")
                if theme.description == old_descriptions.get(theme.name):
                    theme.description = ""
                    changed.append("description")
            if changed:
                theme.save(update_fields=changed)
                filled += 1
        if not locked.recommendations.exists():
            Recommendation.objects.bulk_create(
                Recommendation(programme=locked, audience=audience, text=text, order=order)
                for audience, texts in SUGGESTED_RECOMMENDATIONS
                for order, text in enumerate(texts)
            )
            filled += sum(len(texts) for _audience, texts in SUGGESTED_RECOMMENDATIONS)
    programme.refresh_from_db()
    return filled


def programme_texts_update(
    *, programme: Programme, texts: Mapping[str, str], definitions: Mapping[str, str]
) -> Programme:
    """The publication's texts of the programme (`texts`: any of PUBLICATION_TEXT_FIELDS) and
    its elements' definitions (`definitions`, by element key). All or nothing."""
    unknown = set(texts) - set(PUBLICATION_TEXT_FIELDS)
    if unknown:
        raise Rejected(_("Unknown text of the publication."))
    cleaned = {f: clean_text(t, max_length=TEXT_MAX_LENGTH) for f, t in texts.items()}
    keys = set(
        Element.objects.filter(instrument__workshops__in=_shown(programme)).values_list(
            "key", flat=True
        )
    ) | set(handout.ELEMENT_DEFINITIONS)
    if set(definitions) - keys:
        raise Rejected(_("Unknown element."))
    cleaned_definitions = {
        k: clean_text(t, max_length=TEXT_MAX_LENGTH) for k, t in definitions.items()
    }
    with transaction.atomic():
        for field_name, text in cleaned.items():
            setattr(programme, field_name, text)
        if cleaned:
            programme.save(update_fields=list(cleaned))
        for key, definition in cleaned_definitions.items():
            ProgrammeElement.objects.update_or_create(
                programme=programme, key=key, defaults={"definition": definition}
            )
    return programme


def programme_update(
    *,
    programme: Programme,
    name: str,
    description: str,
    workshop_ids: Iterable[int],
    reflective_questions: str | None = None,
    within: QuerySet[Workshop] | None = None,
) -> Programme:
    """Name, description, sessions and (unless None) the reflective questions. The sessions
    are those it shows (`within`: among those the user reads, and always among those the
    programme's team reads); one it holds unseen (no longer shared with the team) is kept
    as it is, to show again when it is shared again."""
    programme.name = clean_text(name, max_length=NAME_MAX_LENGTH, required=True)
    programme.description = clean_text(description, max_length=TEXT_MAX_LENGTH)
    fields = ["name", "description"]
    if reflective_questions is not None:
        programme.reflective_questions = clean_text(
            reflective_questions, max_length=TEXT_MAX_LENGTH
        )
        fields.append("reflective_questions")
    shown = _shown(programme)
    if within is not None:  # the sessions it shows stay choosable
        within = Workshop.objects.filter(Q(pk__in=within.values("pk")) | Q(pk__in=shown))
    workshops = _workshops(
        workshop_ids, workshops_for_team(team_id=programme.team_id, among=within)
    )
    with transaction.atomic():
        programme.save(update_fields=fields)
        unseen = list(programme.workshops.exclude(pk__in=shown.values("pk")))
        programme.workshops.set([*workshops, *unseen])
    return programme


def programme_delete(*, programme: Programme) -> None:
    """The programme, its themes, tags and recommendations; the sessions and notes stay."""
    programme.delete()


def _theme_fields(name: str, description: str) -> tuple[str, str]:
    return (
        clean_text(name, max_length=NAME_MAX_LENGTH, required=True),
        clean_text(description, max_length=TEXT_MAX_LENGTH),
    )


def _key_points(raw: str) -> str:
    """Key points one per line, as stored: empty lines left out."""
    text = clean_text(raw, max_length=TEXT_MAX_LENGTH)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def theme_create(
    *,
    programme: Programme,
    name: str,
    description: str = "",
    narrative: str = "",
    key_points: str = "",
) -> Theme:
    name, description = _theme_fields(name, description)
    narrative = clean_text(narrative, max_length=TEXT_MAX_LENGTH)
    key_points = _key_points(key_points)
    top = programme.themes.aggregate(top=Max("order"))["top"]
    try:
        with transaction.atomic():
            return Theme.objects.create(
                programme=programme,
                name=name,
                description=description,
                narrative=narrative,
                key_points=key_points,
                order=0 if top is None else top + 1,
            )
    except IntegrityError:
        raise Rejected(_("This programme already has a theme with that name.")) from None


def theme_update(
    *,
    theme: Theme,
    name: str,
    description: str,
    narrative: str | None = None,
    key_points: str | None = None,
) -> Theme:
    """Name and description; and the narrative and key points unless None (kept as they are)."""
    theme.name, theme.description = _theme_fields(name, description)
    fields = ["name", "description"]
    if narrative is not None:
        theme.narrative = clean_text(narrative, max_length=TEXT_MAX_LENGTH)
        fields.append("narrative")
    if key_points is not None:
        theme.key_points = _key_points(key_points)
        fields.append("key_points")
    try:
        with transaction.atomic():
            theme.save(update_fields=fields)
    except IntegrityError:
        raise Rejected(_("This programme already has a theme with that name.")) from None
    return theme


def theme_delete(*, theme: Theme) -> None:
    theme.delete()


def _wanted(tags: Mapping[int, Iterable[int]]) -> tuple[set[int], set[tuple[int, int]]]:
    """The items shown and the (theme, item) pairs wanted, each id through the strict parser."""
    item_ids: set[int] = set()
    wanted: set[tuple[int, int]] = set()
    for raw_item, themes in tags.items():
        (item_id,) = _ids([raw_item])
        item_ids.add(item_id)
        wanted |= {(t, item_id) for t in _ids(themes)}
    return item_ids, wanted


def theme_tags_set(
    *,
    programme: Programme,
    tags: Mapping[int, Iterable[int]],
    observation_tags: Mapping[int, Iterable[int]] | None = None,
) -> tuple[int, int]:
    """Set the themes of some notes (and observations): `tags` maps each note shown to the ids
    of its themes (an empty list removes all of them), `observation_tags` each observation
    shown. All or nothing. Returns (tags added, tags removed)."""
    note_ids, wanted = _wanted(tags)
    observation_ids, wanted_observations = _wanted(observation_tags or {})
    theme_ids = set(programme.themes.values_list("pk", flat=True))
    if any(t not in theme_ids for t, _n in wanted | wanted_observations):
        raise Rejected(_("One of the chosen themes is not a theme of this programme."))
    shown = _shown(programme)
    allowed = set(
        Note.objects.filter(pk__in=note_ids, workshop__in=shown).values_list("pk", flat=True)
    )
    if allowed != note_ids:
        raise Rejected(_("One of the notes is not a note of this programme's sessions."))
    allowed_observations = set(
        Observation.objects.filter(pk__in=observation_ids, workshop__in=shown).values_list(
            "pk", flat=True
        )
    )
    if allowed_observations != observation_ids:
        raise Rejected(
            _("One of the observations is not an observation of this programme's sessions.")
        )
    through = Theme.observations.through
    with transaction.atomic():
        current = set(
            ThemeTag.objects.filter(theme__programme=programme, note_id__in=note_ids).values_list(
                "theme_id", "note_id"
            )
        )
        added = wanted - current
        removed = current - wanted
        ThemeTag.objects.bulk_create(ThemeTag(theme_id=t, note_id=n) for t, n in sorted(added))
        for t, n in removed:
            ThemeTag.objects.filter(theme_id=t, note_id=n).delete()
        current_observations = set(
            through.objects.filter(
                theme__programme=programme, observation_id__in=observation_ids
            ).values_list("theme_id", "observation_id")
        )
        added_observations = wanted_observations - current_observations
        removed_observations = current_observations - wanted_observations
        through.objects.bulk_create(
            (through(theme_id=t, observation_id=o) for t, o in sorted(added_observations)),
            ignore_conflicts=True,  # two saves at once: the pair is there once
        )
        for t, o in removed_observations:
            through.objects.filter(theme_id=t, observation_id=o).delete()
    return (
        len(added) + len(added_observations),
        len(removed) + len(removed_observations),
    )


def _recommendation_links(
    programme: Programme, theme_ids: Iterable[int], workshop_ids: Iterable[int]
) -> tuple[list[Theme], list[Workshop]]:
    theme_ids = set(_ids(theme_ids))
    workshop_ids = set(_ids(workshop_ids))
    themes = list(programme.themes.filter(pk__in=theme_ids))
    workshops = list(_shown(programme).filter(pk__in=workshop_ids))
    if len(themes) != len(theme_ids):
        raise Rejected(_("One of the chosen themes is not a theme of this programme."))
    if len(workshops) != len(workshop_ids):
        raise Rejected(_("One of the chosen cities is not a session of this programme."))
    return themes, workshops


def recommendation_create(
    *,
    programme: Programme,
    audience: str,
    text: str,
    theme_ids: Iterable[int] = (),
    workshop_ids: Iterable[int] = (),
) -> Recommendation:
    if audience not in Audience.values:
        raise Rejected(_("Choose for whom the recommendation is."))
    text = clean_text(text, max_length=POINT_MAX_LENGTH, required=True)
    themes, workshops = _recommendation_links(programme, theme_ids, workshop_ids)
    with transaction.atomic():
        top = programme.recommendations.filter(audience=audience).aggregate(top=Max("order"))["top"]
        recommendation = Recommendation.objects.create(
            programme=programme,
            audience=audience,
            text=text,
            order=0 if top is None else top + 1,
        )
        recommendation.themes.set(themes)
        recommendation.workshops.set(workshops)
    return recommendation


def recommendation_update(
    *,
    recommendation: Recommendation,
    audience: str,
    text: str,
    theme_ids: Iterable[int],
    workshop_ids: Iterable[int],
) -> Recommendation:
    if audience not in Audience.values:
        raise Rejected(_("Choose for whom the recommendation is."))
    recommendation.text = clean_text(text, max_length=POINT_MAX_LENGTH, required=True)
    themes, workshops = _recommendation_links(recommendation.programme, theme_ids, workshop_ids)
    with transaction.atomic():
        if audience != recommendation.audience:
            top = recommendation.programme.recommendations.filter(audience=audience).aggregate(
                top=Max("order")
            )["top"]
            recommendation.audience = audience
            recommendation.order = 0 if top is None else top + 1
        recommendation.save(update_fields=["audience", "text", "order"])
        recommendation.themes.set(themes)
        # A city it names that the programme no longer shows stays named, unseen (as the
        # programme keeps the session), to show again when the session is shared again.
        unseen = recommendation.workshops.exclude(pk__in=_shown(recommendation.programme))
        recommendation.workshops.set([*workshops, *unseen])
    return recommendation


def recommendation_move(*, recommendation: Recommendation, direction: str) -> None:
    """Swap the recommendation with its neighbour for the same audience ("up" or "down")."""
    siblings = Recommendation.objects.filter(
        programme_id=recommendation.programme_id, audience=recommendation.audience
    )
    _move(siblings, recommendation, direction, _("Move a recommendation up or down."))


def recommendation_delete(*, recommendation: Recommendation) -> None:
    recommendation.delete()
