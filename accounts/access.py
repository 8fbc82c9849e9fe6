"""What each role may do with a team's sessions and programmes, and with a session another
team shared read-only. The one table of rights: `sessions.selectors.workshop_for_user` and
`profiles.selectors.programme_for_user` ask it for every organiser page and websocket."""

import enum

from django.db.models import Q

from accounts.models import Membership, Role
from accounts.selectors import AnyUser


class Permission(enum.StrEnum):
    # See the session's pages, its results (console, dashboard, projector, results feed,
    # websockets, comparison, notes' counts, observations) and a programme's pages.
    READ = "read"
    # Download its data (workbook, CSV, .sav, the profile's and the programme's .docx).
    EXPORT = "export"
    # Edit the city profile, the observations, a programme and its publication.
    ANALYSE = "analyse"
    # Run it: phases, edit, duplicate, archive, exclude, delete, import, paper forms,
    # chair links and seating, sharing; make sessions.
    RUN = "run"


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ORGANISER: frozenset(Permission),
    Role.MANAGER: frozenset(Permission),
    Role.RESEARCHER: frozenset({Permission.READ, Permission.EXPORT, Permission.ANALYSE}),
}
# A session shared read-only with another team: its members read and export it.
SHARED_PERMISSIONS = frozenset({Permission.READ, Permission.EXPORT})
ALL_PERMISSIONS = frozenset(Permission)
NO_PERMISSIONS: frozenset[Permission] = frozenset()


def is_superuser(user: AnyUser) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_superuser", False)
    )


def team_roles(*, user: AnyUser) -> dict[int, str]:
    """The user's role in each of their teams, by team id ({} for someone in no team or
    not logged in)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return {}
    return dict(Membership.objects.filter(user_id=int(user.pk or 0)).values_list("team_id", "role"))


def permissions_in(
    *, roles: dict[int, str], team_id: int | None, shared_with: set[int] | None = None
) -> frozenset[Permission] | None:
    """The rights of someone with `roles` (team_roles) on a thing of team `team_id` that is
    shared read-only with the teams `shared_with`. None: they must not even know it exists
    (a 404). A thing of no team (made before teams, or by someone in no team) is for those in
    no team, as before there were teams."""
    if team_id is None:
        return ALL_PERMISSIONS if not roles else None
    role = roles.get(team_id)
    if role is not None:
        return ROLE_PERMISSIONS.get(role, NO_PERMISSIONS)
    if shared_with and shared_with & set(roles):
        return SHARED_PERMISSIONS
    return None


def teams_granting(*, roles: dict[int, str], need: Permission) -> list[int]:
    """The ids of the user's teams in which their role grants `need`."""
    return [team for team, role in roles.items() if need in ROLE_PERMISSIONS.get(role, ())]


def team_filter(
    *, user: AnyUser, need: Permission, team_field: str = "team", shared_field: str | None = None
) -> Q | None:
    """A filter for the things `user` may `need` (None: everything, for a superuser): of a
    team whose role grants it, of no team for someone in no team, or shared with one of the
    user's teams when sharing grants it."""
    if is_superuser(user):
        return None
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Q(pk__in=[])
    roles = team_roles(user=user)
    if not roles:
        return Q(**{f"{team_field}__isnull": True})
    query = Q(**{f"{team_field}_id__in": teams_granting(roles=roles, need=need)})
    if shared_field is not None and need in SHARED_PERMISSIONS:
        query |= Q(**{f"{shared_field}__in": list(roles)})
    return query


def team_reach(*, team_id: int | None, team_field: str = "team", shared_field: str) -> Q:
    """A filter for what a team reads as a team (permissions_in with the team as the reader):
    its own things, and those shared read-only with it; for no team (`team_id` None), the
    things of no team. What one of its programmes may hold and show: a session another team
    stopped sharing leaves the programme's pages, files and forms (and comes back when
    shared again), whoever reads the programme."""
    if team_id is None:
        return Q(**{f"{team_field}__isnull": True})
    return Q(**{f"{team_field}_id": team_id}) | Q(**{shared_field: team_id})
