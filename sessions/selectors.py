import calendar
import datetime
import functools
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import (
    ALL_PERMISSIONS,
    SHARED_PERMISSIONS,
    Permission,
    is_superuser,
    permissions_in,
    team_filter,
    team_reach,
    team_roles,
    teams_granting,
)
from accounts.models import ConsentText, Team
from accounts.selectors import user_teams
from accounts.services import consent_builtin
from core.errors import Rejected
from instrument.models import Element, Instrument
from sessions.models import (
    SEAT_MAX,
    Exclusion,
    ExclusionKind,
    Participant,
    Phase,
    Source,
    Table,
    Workshop,
)

PARTICIPANT_COOKIE_SALT = "scentiss.participant"

M = TypeVar("M", bound=Model)


def participant_cookie_name(workshop: Workshop) -> str:
    return _cookie_name(workshop.code)


def _cookie_name(code: str) -> str:
    return f"scentiss_p_{code}"


def workshop_by_code(code: object) -> Workshop | None:
    """The session with this code (case-insensitive, as people type it), or None.

    A code no session can have is None without a query: PostgreSQL refuses a NUL byte in a
    query (a 500 for a URL like /j/AB%00C/).
    """
    row = _row_by_code(_WORKSHOP_BY_CODE, code)
    return None if row is None else _workshop_with_instrument(row)


def _row_by_code(sql: str, code: object) -> tuple[Any, ...] | None:
    """`sql`'s row for the code as people type it (every %s is the code), or None."""
    code = str(code).strip().upper()
    if not code or "\x00" in code:
        return None
    return _fetch_one(sql, [code] * sql.count("%s"))


def _workshop_with_instrument(row: tuple[Any, ...]) -> Workshop:
    workshop = _instance(Workshop, row)
    workshop.instrument = _instance(Instrument, row, _width(Workshop))
    return workshop


def workshop_get(*, code: str) -> Workshop:
    """The session with this code (case-insensitive, as people type it), or 404."""
    workshop = workshop_by_code(code)
    if workshop is None:
        raise Http404("unknown session code")
    return workshop


def session_element(*, workshop: Workshop, element_id: int | None) -> Element:
    """The element of the session's instrument with this id; any other id (or None) is refused,
    as a note, point or observation on it would be."""
    # No id (None) matches no element: refused below.
    element = Element.objects.filter(pk=element_id, instrument_id=workshop.instrument_id).first()  # type: ignore[misc]
    if element is None:
        raise Rejected(_("This element is not part of this session's instrument."))
    return element


def archived_refusal(*, workshop: Workshop) -> None:
    """An archived session is read-only: no answers, no notes, no seats (Rejected, in the
    user's language). The organiser restores it ("Unarchive") to change it again. An
    anonymised session is refused the same way, for good (anonymised_refusal)."""
    anonymised_refusal(workshop=workshop)
    if workshop.archived:
        raise Rejected(
            _("This session is archived: nothing can be changed. The organiser can restore it.")
        )


def anonymised_refusal(*, workshop: Workshop) -> None:
    """An anonymised session keeps only its totals: no participant, answer, seat or exclusion
    can be added or changed (Rejected, in the user's language)."""
    if workshop.anonymised_at is not None:
        raise Rejected(
            _(
                "This session was anonymised on %(date)s: only its totals are kept, and "
                "nothing about its participants can be added or changed."
            )
            % {"date": date_format(localtime(workshop.anonymised_at), "DATE_FORMAT")}
        )


def retention_due_date(*, workshop: Workshop, months: int | None) -> datetime.date | None:
    """The day from which a closed session of a team with a retention period of `months`
    is proposed for anonymising (its date plus the months; the month's last day where the
    month is shorter), or None: no period, not closed, or anonymised already."""
    if months is None or workshop.phase != Phase.CLOSED or workshop.anonymised_at is not None:
        return None
    month_index = workshop.date.month - 1 + months
    year, month = workshop.date.year + month_index // 12, month_index % 12 + 1
    if year > datetime.MAXYEAR:
        return None
    return datetime.date(year, month, min(workshop.date.day, calendar.monthrange(year, month)[1]))


def retention_due(*, workshops: Iterable[Workshop], today: datetime.date | None = None) -> set[int]:
    """The ids of the sessions the console proposes anonymising: closed, not anonymised, and
    older than their team's retention period (accounts.models.Team.retention_months). One
    query for any number of sessions."""
    workshops = list(workshops)
    team_ids = {w.team_id for w in workshops if w.team_id is not None}
    if not team_ids:
        return set()
    months = dict(
        Team.objects.filter(pk__in=team_ids, retention_months__isnull=False).values_list(
            "pk", "retention_months"
        )
    )
    today = today or timezone.localdate()
    due = set()
    for w in workshops:
        period = months.get(w.team_id) if w.team_id is not None else None
        day = retention_due_date(workshop=w, months=period)
        if day is not None and day <= today:
            due.add(w.pk)
    return due


def session_list(*, user: object, with_archived: bool = False, limit: int = 200) -> list[Workshop]:
    """The organiser's sessions (organiser_workshops: their teams'), newest first; the
    archived ones only when asked for."""
    workshops = organiser_workshops(user=user)
    if not with_archived:
        workshops = workshops.filter(archived=False)
    return list(workshops[:limit])


def join_refusal(
    *,
    workshop_id: int,
    closed_ok: bool = False,
    joining: int = 1,
    state: "JoinState | None" = None,
) -> str | None:
    """Why the session admits no `joining` new participants (archived, closed, or full), in
    the user's language; None if it admits them. The one rule for the cap, whatever adds
    participants: a phone's join, a chair's seat, a paper form, an import. Their services ask
    again under the session's lock.

    Full means `participant_cap` places are held. A place is held by a participant who is not
    excluded and who answered, came from a paper form, is a chair's seat for someone without a
    phone, or joined in the last JOIN_HOLD_SECONDS (so phones joining together cannot pass
    the cap). A phone that joined and never answered lets its place go after that hold: a
    script that joins in a loop without answering cannot keep the room's phones out for
    longer (it kept the session full for good). The rows a script leaves behind are bounded
    too: at most JOIN_ROWS_PER_PLACE times the cap that are not excluded (excluding a burst
    frees them), and SEAT_MAX in all (the seat numbers).

    `state`: the session's row and counts as workshop_for_join read them with the session (the
    join page's first look, before the form); without it they are read here (every service,
    under the session's lock)."""
    if state is None:
        row = _fetch_one(_JOIN_STATE, [workshop_id, workshop_id])
        if row is None:
            return _("This session no longer exists.")
        state = JoinState(*row)
    phase, cap, counted, rows, archived = state
    # The held places are counted only when the rows alone could fill the session: that
    # count looks at every participant (answered? a seat? joined lately?), a cost each join
    # of a large room would pay (22.7 ms of server CPU per join instead of 14.4 in the load
    # benchmark), while the rows are one index count.
    places = counted
    if counted + joining > cap:
        hold_from = timezone.now() - datetime.timedelta(seconds=settings.JOIN_HOLD_SECONDS)
        held = _fetch_one(
            _join_places_sql(),
            [workshop_id, Source.PHONE, connection.ops.adapt_datetimefield_value(hold_from)],
        )
        places = held[0] if held else 0
    if archived:
        return _("This session is archived; it no longer admits participants.")
    if phase == Phase.CLOSED and not closed_ok:
        return _("This session has been closed; it no longer admits participants.")
    if joining > 1 and places + joining > cap:
        return _(
            "This session admits at most %(cap)s participants and has %(seated)s: there is no "
            "room for %(n)s more (room for %(room)s)."
        ) % {
            "cap": number_format(cap, force_grouping=True),
            "seated": number_format(places, force_grouping=True),
            "n": number_format(joining, force_grouping=True),
            "room": number_format(max(cap - places, 0), force_grouping=True),
        }
    if (
        places + joining > cap
        or counted + joining > cap * settings.JOIN_ROWS_PER_PLACE
        or rows + joining > SEAT_MAX
    ):
        return ngettext(
            "This session is full: it admits at most %(cap)s participant. Ask the organiser.",
            "This session is full: it admits at most %(cap)s participants. Ask the organiser.",
            cap,
        ) % {"cap": number_format(cap, force_grouping=True)}
    return None


class JoinState(NamedTuple):
    """What join_refusal decides on: the session's phase, cap and archived flag, with its
    participants that count (not excluded) and all its participant rows."""

    phase: str
    participant_cap: int
    counted: int
    rows: int
    archived: bool


def workshop_for_join(*, code: str) -> tuple[Workshop, JoinState]:
    """The session with this code (with its instrument; case-insensitive, or 404) and what
    join_refusal decides on, in one query: the join page's first two questions, which were a
    query each (workshop_get, then join_refusal's counts) on every phone's GET and POST."""
    row = _row_by_code(_WORKSHOP_FOR_JOIN, code)
    if row is None:
        raise Http404("unknown session code")
    workshop = _workshop_with_instrument(row)
    counted, rows = row[-2:]
    state = JoinState(workshop.phase, workshop.participant_cap, counted, rows, workshop.archived)
    return workshop, state


def workshop_phase(*, workshop_id: int) -> tuple[str, bool]:
    """The session's phase and whether its results are revealed: what a phone's socket
    follows (one plain query at every connect). Workshop.DoesNotExist if it is gone."""
    row = _fetch_one(_WORKSHOP_PHASE, [workshop_id])
    if row is None:
        raise Workshop.DoesNotExist
    return row[0], bool(row[1])


def seat_highest(*, workshop_id: int, table_id: int | None) -> int:
    """The highest seat number at the table (None: in the room, without a table), 0 if none
    (plain SQL: every join asks, and the ORM's aggregate cost more to compose than to run)."""
    if table_id is None:
        row = _fetch_one(_SEAT_HIGHEST_ROOM, [workshop_id])
    else:
        row = _fetch_one(_SEAT_HIGHEST_TABLE, [workshop_id, table_id])
    return int(row[0]) if row else 0


def table_by_chair_key(*, code: str, key: str) -> Table | None:
    """The table whose chair link this is (session code and chair key), or None.

    One query; a revoked key, another table's key or another session's key all give None.
    """
    if not key or "\x00" in key or "\x00" in str(code):  # PostgreSQL refuses NUL in a query
        return None
    return (
        Table.objects.select_related("workshop__instrument")
        .filter(workshop__code=str(code).strip().upper(), chair_key=key)
        .first()
    )


def participant_from_request(*, request: HttpRequest, workshop: Workshop) -> Participant | None:
    """The participant this phone's signed cookie names, if it belongs to this session."""
    return participant_from_cookies(cookies=request.COOKIES, workshop=workshop)


def participant_from_cookies(
    *, cookies: Mapping[str, str], workshop: Workshop
) -> Participant | None:
    """Same for any cookie mapping (a websocket's scope has one too)."""
    token = _participant_token(cookies, workshop.code)
    if token is None:
        return None
    row = _fetch_one(_PARTICIPANT_IN_WORKSHOP, [_token_value(token), workshop.pk])
    if row is None:
        return None
    participant = _instance(Participant, row)
    participant.workshop = workshop
    if participant.table_id is not None:  # the LEFT JOIN's columns are NULL otherwise
        participant.table = _instance(Table, row, _width(Participant))
    return participant


def participant_by_code(*, cookies: Mapping[str, str], code: object) -> Participant | None:
    """The participant of the session with this code that the phone's cookie names, with its
    session, in one query (the answer endpoint's hot path); None if there is none."""
    code = str(code).strip().upper()
    if not code or "\x00" in code:
        return None
    token = _participant_token(cookies, code)
    if token is None:
        return None
    row = _fetch_one(_PARTICIPANT_BY_CODE, [_token_value(token), code])
    if row is None:
        return None
    participant = _instance(Participant, row)
    participant.workshop = _instance(Workshop, row, _width(Participant))
    return participant


def participant_with_session(
    *, cookies: Mapping[str, str], code: object
) -> tuple[Workshop, Participant] | None:
    """The session with this code (with its instrument) and the participant the phone's
    cookie names there (with its table), in one query: what every page of the phone reads
    first (workshop_by_code and participant_from_cookies, one query each, did the same in
    two). None if the code or the cookie names no such participant."""
    code = str(code).strip().upper()
    if not code or "\x00" in code:
        return None
    token = _participant_token(cookies, code)
    if token is None:
        return None
    row = _fetch_one(_PARTICIPANT_PAGE, [_token_value(token), code])
    if row is None:
        return None
    participant = _instance(Participant, row)
    at = _width(Participant)
    workshop = _instance(Workshop, row, at)
    at += _width(Workshop)
    workshop.instrument = _instance(Instrument, row, at)
    at += _width(Instrument)
    participant.workshop = workshop
    if participant.table_id is not None:  # the LEFT JOIN's columns are NULL otherwise
        participant.table = _instance(Table, row, at)
    return workshop, participant


# Plain SQL for the rows every phone request reads (a tap, a join, a survey page): composing
# the same queries through the ORM (select_related, first()) cost more CPU than running them
# and than the rest of the request (bench/README.md). The instances are built as the ORM
# builds them (Model.from_db), with every concrete field.
def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)


def _instance(model: type[M], row: Sequence[Any], start: int = 0) -> M:
    """The instance of `model` whose _columns begin at `start` in the row, its values
    converted as the ORM converts them (a JSON field's text decoded; on SQLite, dates, UUIDs
    and booleans parsed)."""
    names = [f.attname for f in model._meta.concrete_fields]
    values = list(row[start : start + len(names)])
    for index, converters, column in _converters(model, connection.vendor):
        value = values[index]
        for convert in converters:
            value = convert(value, column, connection)
        values[index] = value
    return model.from_db(connection.alias, names, values)


@functools.cache
def _converters(model: type[Model], vendor: str) -> list[tuple[int, list[Any], Any]]:
    """(position, converters, column) of the model's fields whose database values need
    converting, as SQLCompiler.get_converters finds them; per database vendor."""
    out = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            out.append((index, converters, column))
    return out


def _width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def _fetch_one(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


def _token_value(token: uuid.UUID) -> object:
    return Participant._meta.get_field("token").get_db_prep_value(token, connection)


_P, _W, _T, _I = (m._meta.db_table for m in (Participant, Workshop, Table, Instrument))
_PARTICIPANT_BY_CODE = (
    f"SELECT {_columns(Participant, 'p')}, {_columns(Workshop, 'w')} "  # noqa: S608
    f"FROM {_P} p JOIN {_W} w ON w.id = p.workshop_id WHERE p.token = %s AND w.code = %s"
)
_PARTICIPANT_PAGE = (
    f"SELECT {_columns(Participant, 'p')}, {_columns(Workshop, 'w')}, "  # noqa: S608
    f"{_columns(Instrument, 'i')}, {_columns(Table, 't')} "
    f"FROM {_P} p JOIN {_W} w ON w.id = p.workshop_id JOIN {_I} i ON i.id = w.instrument_id "
    f"LEFT JOIN {_T} t ON t.id = p.table_id WHERE p.token = %s AND w.code = %s"
)
_PARTICIPANT_IN_WORKSHOP = (
    f"SELECT {_columns(Participant, 'p')}, {_columns(Table, 't')} "  # noqa: S608
    f"FROM {_P} p LEFT JOIN {_T} t ON t.id = p.table_id WHERE p.token = %s AND p.workshop_id = %s"
)
# The participants that count (not excluded) and all rows in one pass over the session's
# participants (two counts read them twice: 0.8 instead of 0.4 ms in PostgreSQL for a session
# of 600; every join reads this three times).
_JOIN_STATE = (
    f"SELECT w.phase, w.participant_cap, c.total - c.excluded, c.total, "  # noqa: S608
    f"w.archived FROM {_W} w, (SELECT count(*) AS total, count(p.exclusion_id) AS excluded "
    f"FROM {_P} p WHERE p.workshop_id = %s) c WHERE w.id = %s"
)


# The places held (join_refusal): participants not excluded who answered, came from paper, are
# a chair's seat for someone without a phone, or joined within the hold.
# The element tallies and the chairs' seats are the survey's and the notes' models (apps above
# this one): looked up in the app registry by label (not imported), on the first full session's
# join, once the apps are loaded.
@functools.cache
def _join_places_sql() -> str:
    tally = apps.get_model("survey", "ElementTally")._meta.db_table
    seat = apps.get_model("notes", "ExtraSeat")._meta.db_table
    return (
        f"SELECT count(*) FROM {_P} p WHERE p.workshop_id = %s AND p.exclusion_id IS NULL "  # noqa: S608
        f"AND (p.source <> %s OR p.joined_at > %s "
        f"OR EXISTS (SELECT 1 FROM {tally} t WHERE t.participant_id = p.id) "
        f"OR EXISTS (SELECT 1 FROM {seat} e WHERE e.participant_id = p.id))"
    )


_WORKSHOP_PHASE = f"SELECT phase, results_revealed FROM {_W} WHERE id = %s"  # noqa: S608
_SEAT_HIGHEST_ROOM = (
    f"SELECT COALESCE(MAX(seat), 0) FROM {_P} "  # noqa: S608
    f"WHERE workshop_id = %s AND table_id IS NULL"
)
_SEAT_HIGHEST_TABLE = (
    f"SELECT COALESCE(MAX(seat), 0) FROM {_P} "  # noqa: S608
    f"WHERE workshop_id = %s AND table_id = %s"
)
_TABLE_COUNTS = (
    f"SELECT {_columns(Table, 't')}, (SELECT count(*) FROM {_P} p "  # noqa: S608
    f"WHERE p.table_id = t.id) FROM {_T} t WHERE t.workshop_id = %s ORDER BY t.number"
)
_WORKSHOP_FOR_JOIN = (
    f"SELECT {_columns(Workshop, 'w')}, {_columns(Instrument, 'i')}, "  # noqa: S608
    f"c.total - c.excluded, c.total FROM {_W} w JOIN {_I} i ON i.id = w.instrument_id, "
    # Not LATERAL: SQLite (make run, the both-databases tests) has none.
    f"(SELECT count(*) AS total, count(p.exclusion_id) AS excluded FROM {_P} p "
    f"WHERE p.workshop_id = (SELECT id FROM {_W} WHERE code = %s)) c WHERE w.code = %s"
)
_WORKSHOP_BY_CODE = (
    f"SELECT {_columns(Workshop, 'w')}, {_columns(Instrument, 'i')} "  # noqa: S608
    f"FROM {_W} w JOIN {_I} i ON i.id = w.instrument_id WHERE w.code = %s"
)


def _participant_token(cookies: Mapping[str, str], code: str) -> uuid.UUID | None:
    request = HttpRequest()  # Django's own signed-cookie check, for any cookie mapping
    request.COOKIES = dict(cookies)
    raw = request.get_signed_cookie(
        _cookie_name(code),
        default=None,
        salt=PARTICIPANT_COOKIE_SALT,
        max_age=settings.PARTICIPANT_COOKIE_MAX_AGE,
    )
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def organiser_workshops(*, user: object) -> QuerySet[Workshop]:
    """The sessions on an organiser's list (/organiser/): those of the user's teams. Sessions
    made outside any team (createsession without --team, or by an organiser in no team) are
    on the list of organisers who are in no team, as before there were teams. A superuser
    sees every session."""
    workshops = Workshop.objects.select_related("instrument")
    if not is_organiser(user):
        return workshops.none()
    if getattr(user, "is_superuser", False):
        return workshops.all()
    teams = list(user_teams(user=user).values_list("pk", flat=True))  # type: ignore[arg-type]
    if not teams:
        return workshops.filter(team__isnull=True)
    return workshops.filter(Q(team_id__in=teams))


def is_organiser(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "is_active", False)


def session_permissions(*, user: object, workshop: Workshop) -> frozenset[Permission] | None:
    """What `user` may do with `workshop` (accounts.access: by their role in its team, or
    read and export if it is shared with one of their teams); None if it is none of theirs,
    which they must not learn exists."""
    if not is_organiser(user):
        return None
    if is_superuser(user):  # type: ignore[arg-type]
        return ALL_PERMISSIONS
    roles = team_roles(user=user)  # type: ignore[arg-type]
    shared: set[int] = set()
    if roles and workshop.team_id is not None and workshop.team_id not in roles:
        shared = set(workshop.shared_with.values_list("pk", flat=True))
    return permissions_in(roles=roles, team_id=workshop.team_id, shared_with=shared)


def _refusal(need: Permission, permissions: frozenset[Permission]) -> str:
    if permissions == SHARED_PERMISSIONS:
        return _(
            "This session is shared with your team to read: you can see and export it, "
            "but not change it."
        )
    if need == Permission.RUN:
        return _(
            "Your role in this session's team does not allow this: only its organisers and "
            "managers change phases, edit, archive, exclude, delete or make sessions."
        )
    return _("Your role in this session's team does not allow this.")


def workshop_for_user(*, user: object, code: str, need: Permission) -> Workshop:
    """The session with this code if `user` may `need` it: the one check of every organiser
    page. A session of another team (not shared with theirs) is a 404, as an unknown code
    is, so that no name or code leaks; a session they see but whose role does not allow
    `need` is a 403 with the reason in their language (templates/403.html). The session
    comes with `may`, the set of what they may (for the page to show only those forms)."""
    workshop = workshop_by_code(code)
    permissions = None if workshop is None else session_permissions(user=user, workshop=workshop)
    if workshop is None or permissions is None:
        raise Http404("unknown session code")
    if need not in permissions:
        raise PermissionDenied(_refusal(need, permissions))
    workshop.may = frozenset(p.value for p in permissions)  # type: ignore[attr-defined]
    return workshop


def workshops_for_user(*, user: object, need: Permission = Permission.READ) -> QuerySet[Workshop]:
    """Every session `user` may `need`: the pickers of the comparison and the programmes, and
    the codes typed into them (a code of another team is as unknown as a code of none)."""
    workshops = Workshop.objects.select_related("instrument")
    query = team_filter(user=user, need=need, shared_field="shared_with")  # type: ignore[arg-type]
    if query is None:
        return workshops.all()
    ids = Workshop.objects.filter(query).values("pk")
    return workshops.filter(pk__in=ids)


def workshops_for_team(
    *, team_id: int | None, among: QuerySet[Workshop] | None = None
) -> QuerySet[Workshop]:
    """The sessions (of `among`, default all) that the team `team_id` reads as a team: its
    own and those shared with it read-only; for no team, those of no team (accounts.access:
    team_reach). What a programme of the team holds as far as anyone reading it can tell: a
    session another team stopped sharing is kept in the programme, unseen, and shows again
    when it is shared again."""
    reach = team_reach(team_id=team_id, shared_field="shared_with")
    ids = Workshop.objects.filter(reach).values("pk")
    return (Workshop.objects.all() if among is None else among).filter(pk__in=ids)


def projector_key_ok(*, workshop: Workshop, key: str | None) -> bool:
    # Bytes: compare_digest refuses str with non-ASCII characters (a TypeError, so a 500).
    return bool(key) and secrets.compare_digest(
        str(key).encode("utf-8", "surrogatepass"), workshop.projector_key.encode()
    )


def may_read_results(*, user: object, workshop: Workshop, key: str | None) -> bool:
    """Results are for those who may read the session (their team's, or shared with it) and
    for holders of the session's projector key."""
    if projector_key_ok(workshop=workshop, key=key):
        return True
    permissions = session_permissions(user=user, workshop=workshop)
    return permissions is not None and Permission.READ in permissions


def workshop_for_live(*, code: str, key: str | None, user: object = None) -> Workshop | None:
    """For the websocket: the session if the caller may read its results, else None."""
    workshop = workshop_by_code(code)
    if workshop is None:
        return None
    if may_read_results(user=user or AnonymousUser(), workshop=workshop, key=key):
        return workshop
    return None


def session_creation_teams(*, user: object) -> list[Team] | None:
    """The teams `user` may make a session in (where their role runs sessions); [] for
    someone in no team (a session of no team, as before there were teams); None if they may
    make none (a researcher)."""
    roles = team_roles(user=user)  # type: ignore[arg-type]
    if not roles:
        return []
    if is_superuser(user):  # type: ignore[arg-type]
        return list(Team.objects.filter(pk__in=list(roles)))
    ids = teams_granting(roles=roles, need=Permission.RUN)
    return list(Team.objects.filter(pk__in=ids)) if ids else None


def session_programmes(*, user: object, workshop: Workshop) -> QuerySet[Any]:
    """The programmes holding the session that `user` may see (a team the session is shared
    with may hold it in a programme of theirs, which is none of the session's team's
    business)."""
    programmes = workshop.programmes.all()
    # Only the programmes whose team still reads the session: one of a team it is no longer
    # shared with keeps it unseen (workshops_for_team), so it does not name it either.
    if workshop.team_id is not None:
        shared = list(workshop.shared_with.values_list("pk", flat=True))
        programmes = programmes.filter(team_id__in=[workshop.team_id, *shared])
    else:
        programmes = programmes.filter(team__isnull=True)
    query = team_filter(user=user, need=Permission.READ)  # type: ignore[arg-type]
    return programmes if query is None else programmes.filter(query)


@dataclass(frozen=True)
class ShareTeams:
    """What the console's share form shows: the teams the organiser knows, to pick from (not
    those it is shared with already), those it is shared with now, and the code of the
    session's own team (what another team types to share a session with it)."""

    known: list[Team]
    shared: list[Team]
    own_code: str


def share_teams(*, workshop: Workshop, user: object) -> ShareTeams:
    """The teams the share form lists: never every team on the server (their names are
    none of the organiser's business), only those the organiser knows already: their own
    other teams, and the teams the session's team shares sessions with or is shared
    sessions by (a superuser: every team). Any other team is shared with by typing its code
    (Team.slug), which its members tell them (workshop_share)."""
    shared = list(workshop.shared_with.order_by("name", "pk"))
    if workshop.team_id is None:  # a session of no team cannot be shared
        return ShareTeams(known=[], shared=shared, own_code="")
    if is_superuser(user):  # type: ignore[arg-type]
        known = Team.objects.all()
    else:
        mine = team_roles(user=user)  # type: ignore[arg-type]
        known = Team.objects.filter(
            Q(pk__in=list(mine))
            | Q(
                pk__in=Workshop.shared_with.through.objects.filter(
                    workshop__team_id=workshop.team_id
                ).values("team_id")
            )
            | Q(pk__in=Workshop.objects.filter(shared_with=workshop.team_id).values("team_id"))
        )
    known = known.exclude(pk__in=[workshop.team_id, *(t.pk for t in shared)])
    own_code = Team.objects.filter(pk=workshop.team_id).values_list("slug", flat=True).first()
    return ShareTeams(
        known=list(known.order_by("name", "pk")), shared=shared, own_code=own_code or ""
    )


class TableSeats(NamedTuple):
    """A table as the join page lists it: its number, focus and how many sit there now
    (`size`); `table()` is the Table itself (the one a phone chose)."""

    pk: int
    number: int
    focus: str
    size: int
    row: tuple[Any, ...]  # the table's columns, in _columns(Table) order

    def table(self) -> Table:
        return _instance(Table, self.row)


def table_counts(*, workshop: Workshop) -> list[TableSeats]:
    """The session's tables in order, each with `size`: how many sit there now.

    As tuples, not Table instances: the join page and the join read all of a session's
    tables (30 at a conference) and use the one a phone chose; building 30 model instances
    twice per join was 4% of a joining room's samples (py-spy)."""
    with connection.cursor() as cursor:
        cursor.execute(_TABLE_COUNTS, [workshop.pk])
        rows = cursor.fetchall()
    width = _width(Table)
    return [
        TableSeats(row[_TABLE_ID], row[_TABLE_NUMBER], row[_TABLE_FOCUS], row[-1], row[:width])
        for row in rows
    ]


_TABLE_NAMES = [f.attname for f in Table._meta.concrete_fields]
_TABLE_ID, _TABLE_NUMBER, _TABLE_FOCUS = (_TABLE_NAMES.index(n) for n in ("id", "number", "focus"))


def table_focus_text(*, workshop: Workshop) -> str:
    """ "1 · Haven, 3 · Zorg": the tables that focus on a sector or district (the profile page
    and its .docx)."""
    return ", ".join(
        f"{t.number} \u00b7 {t.focus}" for t in workshop.tables.order_by("number") if t.focus
    )


def counted_participants(*, workshop_ids: Iterable[int]) -> QuerySet[Participant]:
    """The participants that count in these sessions' results: all but those the organiser
    excluded (Exclusion). Every count, result and export reads participants through this
    (the live snapshot's SQL says the same: `exclusion_id IS NULL`)."""
    return Participant.objects.filter(workshop_id__in=list(workshop_ids), exclusion__isnull=True)


# Joins closer together than this (seconds) are one run; a run of at least JOIN_BURST_MIN
# joins is flagged on the organiser's console. A room scanning the QR code joins a few a
# second at most; a script, a hundred.
JOIN_BURST_GAP = 2.0
JOIN_BURST_MIN = 20


def join_bursts(*, workshop: Workshop) -> list[dict[str, Any]]:
    """Runs of phone joins in quick succession among the participants that count, for the
    organiser to look at and, if they are not the room's, exclude in one go: [{"joined_from",
    "joined_to", "count", "seconds"}], oldest first."""
    times = list(
        counted_participants(workshop_ids=[workshop.pk])
        .filter(source=Source.PHONE, extra_seat__isnull=True)
        .order_by("joined_at")
        .values_list("joined_at", flat=True)
    )
    runs: list[list[datetime.datetime]] = []
    for joined in times:
        if runs and (joined - runs[-1][-1]).total_seconds() <= JOIN_BURST_GAP:
            runs[-1].append(joined)
        else:
            runs.append([joined])
    return [
        {
            "joined_from": run[0],
            "joined_to": run[-1],
            "count": len(run),
            "seconds": max(1, round((run[-1] - run[0]).total_seconds())),
        }
        for run in runs
        if len(run) >= JOIN_BURST_MIN
    ]


def session_exclusions(*, workshop: Workshop) -> list[Exclusion]:
    """The session's exclusions by the organiser, newest first, with who made and undid them
    (withdrawals are counted apart: the dashboard's `withdrawn`)."""
    return list(
        Exclusion.objects.filter(workshop=workshop, kind=ExclusionKind.BURST).select_related(
            "created_by", "undone_by"
        )
    )


@dataclass(frozen=True)
class SessionConsent:
    """What a session's phones agree to before their first answer: the consent text (its
    version), who runs the session as the phone shows it, and where that text comes from."""

    text: ConsentText
    organiser: str
    source: str  # "session", "team" or "builtin"


def session_consent(*, workshop: Workshop, own: bool = True) -> SessionConsent:
    """The consent text that applies to the session now: its own, else its team's, else the
    built-in one (`own=False`: the one it would have without its own).

    One query (the join page's and the join's): the session's text, its team's text and name,
    the built-in text's row; the built-in text is stored the first time it is needed."""
    builtin_digest = _builtin_consent_digest()
    team_id = workshop.team_id or 0  # no team has the id 0
    own_id = workshop.consent_text_id if own else None
    # Plain SQL: composing this query through the ORM (two subqueries, an EXISTS) cost more
    # CPU than the rest of the join page (py-spy: 19% of a join's samples).
    with connection.cursor() as cursor:
        cursor.execute(_CONSENT_TEXTS, [team_id, team_id, builtin_digest, team_id, own_id])
        found = cursor.fetchall()
    width = _width(ConsentText)
    # (the text, its team's name, whether it is the team's text)
    rows = [(_instance(ConsentText, r), r[width] or "", bool(r[width + 1])) for r in found]
    mine = next((t for t, _n, _o in rows if own_id is not None and t.pk == own_id), None)
    team = next((t for t, _n, of_team in rows if of_team), None)
    builtin = next((t for t, _n, _o in rows if t.digest == builtin_digest), None)
    text, source = (mine, "session") if mine else (team, "team") if team else (builtin, "builtin")
    if text is None:  # the first session ever to ask: store the built-in text, ask again
        consent_builtin()
        return session_consent(workshop=workshop, own=own)
    team_name = next((name for _t, name, _o in rows if name), "")
    return SessionConsent(
        text=text,
        organiser=text.organiser or team_name or _("the organisers in the room"),
        source=source,
    )


_C, _TEAM = ConsentText._meta.db_table, Team._meta.db_table
_CONSENT_TEXTS = (
    f"SELECT {_columns(ConsentText, 'c')}, "  # noqa: S608
    f"(SELECT t.name FROM {_TEAM} t WHERE t.id = %s), "
    f"EXISTS (SELECT 1 FROM {_TEAM} t WHERE t.id = %s AND t.consent_text_id = c.id) "
    f"FROM {_C} c WHERE c.digest = %s "
    f"OR c.id = (SELECT t.consent_text_id FROM {_TEAM} t WHERE t.id = %s) OR c.id = %s"
)


@functools.lru_cache(maxsize=1)
def _builtin_consent_digest() -> str:
    """The built-in text's digest, as stored (content only: it holds across databases)."""
    return consent_builtin().digest
