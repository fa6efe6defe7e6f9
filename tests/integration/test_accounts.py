"""Agencies, users, sign-in, invitations, password resets and API tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.services import accounts
from assessment.services.errors import Forbidden, InvalidInput, InvalidToken
from assessment.store.models import Agency, ApiToken, AuditEvent, OneTimeToken, Role, User
from tests.conftest import TEST_PASSWORD


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_create_agency_normalises_and_audits(session: Session) -> None:
    agency = accounts.create_agency(
        session,
        name="  Politie   Eenheid Utrecht ",
        country="nl",
        agency_type="regional",
        size_band="1000-4999",
        profile={"population_served": 1_400_000},
    )
    session.expire_all()
    stored = session.get(Agency, agency.id)
    assert stored is not None
    assert (stored.name, stored.country, stored.synthetic) == (
        "Politie Eenheid Utrecht",
        "NL",
        False,
    )
    assert stored.profile == {"population_served": 1_400_000}
    assert audit_actions(session) == ["agency.created"]


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("name", {"name": " "}),
        ("country", {"country": "Netherlands"}),
        ("agency_type", {"agency_type": "Regional Police"}),
        ("size_band", {"size_band": ""}),
        ("size_band", {"size_band": "100-999"}),  # a sworn-officer band of before 0010
        ("policing_model", {"policing_model": "federal"}),
    ],
)
def test_create_agency_names_the_bad_field(
    session: Session, field: str, values: dict[str, str]
) -> None:
    good: dict[str, Any] = {
        "name": "Test",
        "country": "NL",
        "agency_type": "local",
        "size_band": "under-250",
    }
    with pytest.raises(InvalidInput) as refused:
        accounts.create_agency(session, **(good | values))
    assert list(refused.value.errors) == [field]
    assert session.scalar(select(func.count()).select_from(Agency)) == 0


def test_agency_names_are_unique_ignoring_case(
    session: Session, create_agency: Callable[..., Agency]
) -> None:
    create_agency(name="Polizei Berlin")
    with pytest.raises(InvalidInput, match="already exists"):
        create_agency(name="POLIZEI BERLIN")


def test_only_admins_create_agencies_and_users(
    session: Session, create_user: Callable[..., User]
) -> None:
    consultant = create_user(role=Role.CONSULTANT)
    with pytest.raises(Forbidden):
        accounts.create_agency(
            session,
            name="X",
            country="BE",
            agency_type="local",
            size_band="under-250",
            actor=consultant,
        )
    with pytest.raises(Forbidden):
        accounts.create_user(
            session, email="a@example.org", password=None, role="admin", actor=consultant
        )


def test_create_user_checks_email_role_agency_and_password(
    session: Session, create_agency: Callable[..., Agency]
) -> None:
    agency = create_agency()
    cases: list[tuple[dict[str, object], str]] = [
        ({"email": "not-an-address"}, "email"),
        ({"role": "chief"}, "role"),
        ({"agency_id": None}, "agency_id"),
        ({"agency_id": agency.id + 100}, "agency_id"),
        ({"password": "too short"}, "password"),
    ]
    good: dict[str, object] = {
        "email": "lead@example.org",
        "password": TEST_PASSWORD,
        "role": "lead",
        "agency_id": agency.id,
    }
    for change, field in cases:
        with pytest.raises(InvalidInput) as refused:
            accounts.create_user(session, **(good | change))  # type: ignore[arg-type]
        assert field in refused.value.errors
    with pytest.raises(InvalidInput, match="belongs to no agency"):
        accounts.create_user(session, **(good | {"role": "consultant"}))  # type: ignore[arg-type]
    user = accounts.create_user(session, **(good | {"email": " Lead@Example.org "}))  # type: ignore[arg-type]
    assert (user.email, user.role, user.agency_id) == ("lead@example.org", Role.LEAD, agency.id)
    with pytest.raises(InvalidInput, match="already has an account"):
        accounts.create_user(session, **good)  # type: ignore[arg-type]


def test_authenticate(session: Session, create_user: Callable[..., User]) -> None:
    user = create_user(role=Role.CONSULTANT, email="c@example.org", password=TEST_PASSWORD)
    assert accounts.authenticate(session, "c@example.org", "wrong password!") is None
    assert accounts.authenticate(session, "nobody@example.org", TEST_PASSWORD) is None
    signed_in = accounts.authenticate(session, "C@example.org ", TEST_PASSWORD)
    assert signed_in is not None and signed_in.id == user.id
    assert signed_in.last_login_at is not None
    user.active = False
    session.commit()
    assert accounts.authenticate(session, "c@example.org", TEST_PASSWORD) is None
    assert audit_actions(session).count("login.failed") == 3
    assert audit_actions(session).count("login") == 1


def test_a_user_without_password_cannot_sign_in(
    session: Session, create_user: Callable[..., User]
) -> None:
    create_user(role=Role.ADMIN, email="nopw@example.org")
    assert accounts.authenticate(session, "nopw@example.org", "") is None


def test_invitation_is_single_use_and_stored_as_a_hash(
    session: Session, create_user: Callable[..., User], create_agency: Callable[..., Agency]
) -> None:
    agency = create_agency()
    admin = create_user(role=Role.ADMIN)
    token = accounts.create_invitation(
        session, email="new.lead@example.org", agency_id=agency.id, actor=admin
    )
    stored = session.scalar(select(OneTimeToken))
    assert stored is not None and stored.token_hash == accounts.token_hash(token)
    assert token not in stored.token_hash

    with pytest.raises(InvalidInput, match="password"):
        accounts.accept_invitation(session, token, "short")
    lead = accounts.accept_invitation(session, token, TEST_PASSWORD)
    assert (lead.email, lead.role, lead.agency_id) == ("new.lead@example.org", Role.LEAD, agency.id)
    assert accounts.authenticate(session, "new.lead@example.org", TEST_PASSWORD) is not None
    with pytest.raises(InvalidToken) as used:
        accounts.accept_invitation(session, token, TEST_PASSWORD)
    assert used.value.reason == "used"


def test_expired_and_unknown_invitations(
    session: Session, create_agency: Callable[..., Agency]
) -> None:
    agency = create_agency()
    token = accounts.create_invitation(
        session,
        email="late@example.org",
        agency_id=agency.id,
        actor=None,
        valid_for=timedelta(seconds=-1),
    )
    with pytest.raises(InvalidToken) as expired:
        accounts.accept_invitation(session, token, TEST_PASSWORD)
    assert expired.value.reason == "expired"
    with pytest.raises(InvalidToken) as unknown:
        accounts.accept_invitation(session, "made-up", TEST_PASSWORD)
    assert unknown.value.reason == "unknown"
    assert session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("role", [Role.LEAD, Role.CONSULTANT])
def test_only_admins_grant_access_to_an_agency(
    session: Session, create_user: Callable[..., User], role: Role
) -> None:
    actor = create_user(role=role)
    agency_id = actor.agency_id or create_user(role=Role.LEAD, email="l@example.org").agency_id
    assert agency_id is not None
    with pytest.raises(Forbidden):
        accounts.create_invitation(session, email="x@example.org", agency_id=agency_id, actor=actor)
    assert session.scalar(select(func.count()).select_from(OneTimeToken)) == 0


def test_password_reset_ends_sessions_and_retires_older_links(
    session: Session, create_user: Callable[..., User]
) -> None:
    admin = create_user(role=Role.ADMIN)
    user = create_user(role=Role.CONSULTANT, email="c@example.org", password=TEST_PASSWORD)
    with pytest.raises(Forbidden):
        accounts.create_password_reset(session, user_id=user.id, actor=user)
    older = accounts.create_password_reset(session, user_id=user.id, actor=admin)
    newer = accounts.create_password_reset(session, user_id=user.id, actor=admin)
    version = user.session_version

    changed = accounts.reset_password(session, newer, "a brand new passphrase")
    assert changed.session_version == version + 1
    assert accounts.authenticate(session, "c@example.org", TEST_PASSWORD) is None
    assert accounts.authenticate(session, "c@example.org", "a brand new passphrase") is not None
    with pytest.raises(InvalidToken):
        accounts.reset_password(session, older, "yet another passphrase")


def test_api_tokens(session: Session, create_user: Callable[..., User]) -> None:
    user = create_user(role=Role.CONSULTANT)
    token = accounts.create_api_token(session, user=user, name="dashboard")
    found = accounts.user_for_api_token(session, token)
    assert found is not None and found.id == user.id
    assert accounts.user_for_api_token(session, token + "x") is None
    stored = session.scalar(select(ApiToken))
    assert stored is not None and stored.last_used_at is not None
    with pytest.raises(InvalidInput):
        accounts.create_api_token(session, user=user, name=" ")

    accounts.revoke_api_token(session, token_id=stored.id, actor=user)
    assert accounts.user_for_api_token(session, token) is None


def test_an_agency_keeps_its_policing_model_and_a_bad_code_names_the_choices(
    session: Session,
) -> None:
    agency = accounts.create_agency(
        session,
        name="Guardia Test",
        country="ES",
        agency_type="gendarmerie",
        size_band="20000-plus",
        policing_model="mixed",
    )
    assert (agency.agency_type, agency.size_band, agency.policing_model) == (
        "gendarmerie",
        "20000-plus",
        "mixed",
    )
    with pytest.raises(InvalidInput) as refused:
        accounts.create_agency(
            session, name="Other", country="ES", agency_type="sheriff", size_band="under-250"
        )
    assert refused.value.errors["agency_type"] == (
        "'sheriff' is not one of national, regional, local, gendarmerie, national-unit, specialist"
    )
