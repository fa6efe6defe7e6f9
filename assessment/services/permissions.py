"""Who may do what: pure checks over model objects (no queries, no commits)."""

from __future__ import annotations

from assessment.services.errors import Forbidden
from assessment.store.models import Assessment, Role, User

DEFAULT_REFUSAL = "You are not allowed to do this."


def is_admin(user: User | None) -> bool:
    """An active administrator."""
    return user is not None and user.active and user.role == Role.ADMIN


def can_view_all(user: User | None) -> bool:
    """Admins and consultants see every agency, result and benchmark."""
    return user is not None and user.active and user.role in (Role.ADMIN, Role.CONSULTANT)


def can_view_agency(user: User | None, agency_id: int) -> bool:
    """Admins and consultants see every agency; a lead or contributor only their own."""
    if can_view_all(user):
        return True
    return _leads_agency(user, agency_id) or _contributes_to(user, agency_id)


def can_answer_for_agency(user: User | None, agency_id: int) -> bool:
    """Admins and the agency's own lead may answer; consultants never change answers."""
    return is_admin(user) or _leads_agency(user, agency_id)


def can_edit_assessment(user: User | None, assessment: Assessment) -> bool:
    """Admins and the agency's own lead may change an assessment's answers."""
    return can_answer_for_agency(user, assessment.agency_id)


def can_answer_dimension(user: User | None, agency_id: int, dimension_id: str) -> bool:
    """Who may answer for the agency, and its contributors on their assigned dimensions."""
    if can_answer_for_agency(user, agency_id):
        return True
    return user is not None and _contributes_to(user, agency_id) and dimension_id in user.dimensions


def can_invite_contributor(user: User | None, agency_id: int) -> bool:
    """Admins and the agency's own lead invite contributors and assign their dimensions.

    A contributor's rights (read the agency, answer some of its dimensions) are a subset
    of the inviter's, who may answer every dimension of the agency.
    """
    return can_answer_for_agency(user, agency_id)


def can_manage_accounts(user: User | None) -> bool:
    """Admins manage agencies, users and rounds."""
    return is_admin(user)


def can_invite(user: User | None) -> bool:
    """Only admins grant access to an agency: an invitation makes a lead who may answer.

    A role never mints an account with rights it does not have, so consultants (who
    never change answers) do not invite; a lead asks an administrator for a colleague.
    """
    return is_admin(user)


def require(allowed: bool, message: str = DEFAULT_REFUSAL) -> None:
    """Raise Forbidden with `message` unless `allowed`."""
    if not allowed:
        raise Forbidden(message)


def require_system_or(actor: User | None, allowed: bool, message: str = DEFAULT_REFUSAL) -> None:
    """Allow the system itself (no actor: the command line, demo data) or a permitted user."""
    if actor is not None:
        require(allowed, message)


def _contributes_to(user: User | None, agency_id: int) -> bool:
    return (
        user is not None
        and user.active
        and user.role == Role.CONTRIBUTOR
        and user.agency_id is not None
        and user.agency_id == agency_id
    )


def _leads_agency(user: User | None, agency_id: int) -> bool:
    return (
        user is not None
        and user.active
        and user.role == Role.LEAD
        and user.agency_id is not None
        and user.agency_id == agency_id
    )
