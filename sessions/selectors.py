import secrets
import uuid
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count, Model
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import Rejected
from instrument.models import Element
from sessions.models import Participant, Phase, Table, Workshop

PARTICIPANT_COOKIE_SALT = "scentiss.participant"


def participant_cookie_name(workshop: Workshop) -> str:
    return _cookie_name(workshop.code)


def _cookie_name(code: str) -> str:
    return f"scentiss_p_{code}"


def workshop_by_code(code: object) -> Workshop | None:
    """The session with this code (case-insensitive, as people type it), or None.

    A code no session can have is None without a query: PostgreSQL refuses a NUL byte in a
    query (a 500 for a URL like /j/AB%00C/).
    """
    code = str(code).strip().upper()
    if not code or "\x00" in code:
        return None
    return Workshop.objects.select_related("instrument").filter(code=code).first()


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


def join_refusal(*, workshop_id: int, closed_ok: bool = False) -> str | None:
    """Why the session admits no new participant (closed, or full), in the user's language;
    None if it admits one. participant_join asks again under the session's lock."""
    row = Workshop.objects.filter(pk=workshop_id).values_list("phase", "participant_cap").first()
    if row is None:
        return _("This session no longer exists.")
    phase, cap = row
    if phase == Phase.CLOSED and not closed_ok:
        return _("This session has been closed; it no longer admits participants.")
    if Participant.objects.filter(workshop_id=workshop_id).count() >= cap:
        return ngettext(
            "This session is full: it admits at most %(cap)s participant. Ask the organiser.",
            "This session is full: it admits at most %(cap)s participants. Ask the organiser.",
            cap,
        ) % {"cap": f"{cap:,}"}
    return None


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
    return (
        Participant.objects.select_related("table", "workshop__instrument")
        .filter(token=token, workshop=workshop)
        .first()
    )


def participant_by_code(*, cookies: Mapping[str, str], code: object) -> Participant | None:
    """The participant of the session with this code that the phone's cookie names, with its
    session, in one query (the answer endpoint's hot path); None if there is none."""
    code = str(code).strip().upper()
    if not code or "\x00" in code:
        return None
    token = _participant_token(cookies, code)
    if token is None:
        return None
    token_value = Participant._meta.get_field("token").get_db_prep_value(token, connection)
    with connection.cursor() as cursor:
        cursor.execute(_PARTICIPANT_BY_CODE, [token_value, code])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(_P_FIELDS)
    participant = Participant.from_db(connection.alias, _P_FIELDS, row[:split])
    participant.workshop = Workshop.from_db(connection.alias, _W_FIELDS, row[split:])
    return participant


def _columns(model: type[Model], alias: str) -> tuple[list[str], str]:
    fields = [f.attname for f in model._meta.concrete_fields]
    columns = ", ".join(f"{alias}.{model._meta.get_field(n).column}" for n in fields)  # type: ignore[union-attr]
    return fields, columns


# The answer endpoint runs this on every tap: plain SQL, because composing the same query
# through the ORM (select_related, first()) cost more CPU than the rest of the request.
_P_FIELDS, _P_COLUMNS = _columns(Participant, "p")
_W_FIELDS, _W_COLUMNS = _columns(Workshop, "w")
_PARTICIPANT_BY_CODE = (
    f"SELECT {_P_COLUMNS}, {_W_COLUMNS} FROM {Participant._meta.db_table} p "  # noqa: S608
    f"JOIN {Workshop._meta.db_table} w ON w.id = p.workshop_id "
    "WHERE p.token = %s AND w.code = %s"
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


def is_organiser(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "is_active", False)


def projector_key_ok(*, workshop: Workshop, key: str | None) -> bool:
    # Bytes: compare_digest refuses str with non-ASCII characters (a TypeError, so a 500).
    return bool(key) and secrets.compare_digest(
        str(key).encode("utf-8", "surrogatepass"), workshop.projector_key.encode()
    )


def may_read_results(*, user: object, workshop: Workshop, key: str | None) -> bool:
    """Results are for the organiser and for holders of the session's projector key."""
    return is_organiser(user) or projector_key_ok(workshop=workshop, key=key)


def workshop_for_live(*, code: str, key: str | None, user: object = None) -> Workshop | None:
    """For the websocket: the session if the caller may read its results, else None."""
    workshop = workshop_by_code(code)
    if workshop is None:
        return None
    if may_read_results(user=user or AnonymousUser(), workshop=workshop, key=key):
        return workshop
    return None


def table_counts(*, workshop: Workshop) -> list[Table]:
    """The session's tables in order, each with `size`: how many sit there now."""
    return list(workshop.tables.order_by("number").annotate(size=Count("participants")))


def table_focus_text(*, workshop: Workshop) -> str:
    """ "1 · Haven, 3 · Zorg": the tables that focus on a sector or district (the profile page
    and its .docx)."""
    return ", ".join(
        f"{t.number} \u00b7 {t.focus}" for t in workshop.tables.order_by("number") if t.focus
    )
