"""Who may do what, decided from model objects alone (no database)."""

from __future__ import annotations

import pytest

from assessment.services.errors import Forbidden
from assessment.services.permissions import (
    can_answer_dimension,
    can_answer_for_agency,
    can_edit_assessment,
    can_invite,
    can_invite_contributor,
    can_manage_accounts,
    can_view_agency,
    can_view_all,
    require,
    require_system_or,
)
from assessment.store.models import Assessment, Role, User

OWN, OTHER = 1, 2


def user(role: Role, agency_id: int | None = None, active: bool = True) -> User:
    return User(email=f"{role.value}@example.org", role=role, agency_id=agency_id, active=active)


ADMIN = user(Role.ADMIN)
CONSULTANT = user(Role.CONSULTANT)
LEAD = user(Role.LEAD, OWN)
CONTRIBUTOR = user(Role.CONTRIBUTOR, OWN)
CONTRIBUTOR.dimensions = ["policy"]
RETIRED_ADMIN = user(Role.ADMIN, active=False)


@pytest.mark.parametrize(
    ("actor", "view_own", "view_other", "view_all", "edit_own", "edit_other", "manage", "invite"),
    [
        (ADMIN, True, True, True, True, True, True, True),
        (CONSULTANT, True, True, True, False, False, False, False),
        (LEAD, True, False, False, True, False, False, False),
        (CONTRIBUTOR, True, False, False, False, False, False, False),
        (RETIRED_ADMIN, False, False, False, False, False, False, False),
        (None, False, False, False, False, False, False, False),
    ],
)
def test_permission_matrix(
    actor: User | None,
    view_own: bool,
    view_other: bool,
    view_all: bool,
    edit_own: bool,
    edit_other: bool,
    manage: bool,
    invite: bool,
) -> None:
    own, other = Assessment(agency_id=OWN), Assessment(agency_id=OTHER)
    assert can_view_agency(actor, OWN) is view_own
    assert can_view_agency(actor, OTHER) is view_other
    assert can_view_all(actor) is view_all
    assert can_edit_assessment(actor, own) is edit_own
    assert can_edit_assessment(actor, other) is edit_other
    assert can_answer_for_agency(actor, OWN) is edit_own
    assert can_manage_accounts(actor) is manage
    assert can_invite(actor) is invite


def test_require_raises_forbidden_with_the_message() -> None:
    require(True)
    with pytest.raises(Forbidden, match="Only administrators"):
        require(False, "Only administrators may do this.")


def test_the_system_itself_needs_no_permission() -> None:
    require_system_or(None, False)
    with pytest.raises(Forbidden):
        require_system_or(LEAD, False)


@pytest.mark.parametrize("actor", [ADMIN, CONSULTANT, LEAD, RETIRED_ADMIN, None])
def test_no_role_grants_rights_it_does_not_have(actor: User | None) -> None:
    # An invitation makes a lead of whichever agency the inviter names, who may change
    # its answers: whoever may invite must hold those rights for every agency already.
    if can_invite(actor):
        for agency_id in (OWN, OTHER):
            assert can_answer_for_agency(actor, agency_id)
            assert can_view_agency(actor, agency_id)


@pytest.mark.parametrize("actor", [ADMIN, CONSULTANT, LEAD, CONTRIBUTOR, RETIRED_ADMIN, None])
def test_whoever_invites_a_contributor_holds_the_contributors_rights(actor: User | None) -> None:
    # A contributor reads the agency and answers some of its dimensions: the inviter must
    # already read it and answer every dimension of it.
    for agency_id in (OWN, OTHER):
        if can_invite_contributor(actor, agency_id):
            assert can_view_agency(actor, agency_id)
            assert can_answer_for_agency(actor, agency_id)
            assert can_answer_dimension(actor, agency_id, "any dimension")


def test_a_contributor_answers_only_assigned_dimensions_of_their_agency() -> None:
    assert can_answer_dimension(CONTRIBUTOR, OWN, "policy")
    assert not can_answer_dimension(CONTRIBUTOR, OWN, "legal")
    assert not can_answer_dimension(CONTRIBUTOR, OTHER, "policy")
    assert not can_invite_contributor(CONTRIBUTOR, OWN)
    assert can_invite_contributor(LEAD, OWN) and not can_invite_contributor(LEAD, OTHER)
    retired = user(Role.CONTRIBUTOR, OWN, active=False)
    retired.dimensions = ["policy"]
    assert not can_answer_dimension(retired, OWN, "policy")
    assert not can_view_agency(retired, OWN)
