"""Who may read which statistics.

Network managers read every centre; a centre manager (the role comes with the administration
of centres) reads the centres they manage; a doctor reads their own month. The rule is a set of
allowed centre ids, so that pages filter their queries with it and refuse the others with 403.
"""

from __future__ import annotations

from litestar.exceptions import PermissionDeniedException

from service.accounts import Role
from service.auth import Principal, requires_role

READER_ROLES = (Role.MANAGER, Role.CENTRE_MANAGER)

stats_readers = requires_role(*READER_ROLES)
stats_or_doctor = requires_role(*READER_ROLES, Role.DOCTOR)


def allowed_centres(principal: Principal) -> frozenset[int] | None:
    """The centres whose figures the principal may read; None: every centre."""
    if principal.role is Role.MANAGER:
        return None
    # A centre manager's centres; a doctor's own one (their month is checked by doctor).
    return principal.centre_ids


def require_centre(principal: Principal, centre_id: int) -> None:
    allowed = allowed_centres(principal)
    if allowed is not None and centre_id not in allowed:
        raise PermissionDeniedException("not your centre / ce centre n'est pas le vôtre")
