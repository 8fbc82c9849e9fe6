import secrets
import uuid

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest

from sessions.models import Participant, Table, Workshop

PARTICIPANT_COOKIE_SALT = "scentiss.participant"


def participant_cookie_name(workshop: Workshop) -> str:
    return f"scentiss_p_{workshop.code}"


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


def participant_from_request(*, request: HttpRequest, workshop: Workshop) -> Participant | None:
    """The participant this phone's signed cookie names, if it belongs to this session."""
    return participant_from_cookies(cookies=request.COOKIES, workshop=workshop)


def participant_from_cookies(*, cookies: dict, workshop: Workshop) -> Participant | None:
    """Same for any cookie mapping (a websocket's scope has one too)."""
    request = HttpRequest()  # Django's own signed-cookie check, for any cookie mapping
    request.COOKIES = cookies
    raw = request.get_signed_cookie(
        participant_cookie_name(workshop), default=None, salt=PARTICIPANT_COOKIE_SALT
    )
    if not raw:
        return None
    try:
        token = uuid.UUID(raw)
    except ValueError:
        return None
    return (
        Participant.objects.select_related("table", "workshop__instrument")
        .filter(token=token, workshop=workshop)
        .first()
    )


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
    return list(workshop.tables.all())
