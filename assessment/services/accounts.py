"""Agencies, users, sign-in, invitations, password resets and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from assessment.domain.model.agency_profile import AGENCY_TYPES, POLICING_MODELS, WORKFORCE_BANDS
from assessment.services import audit
from assessment.services.errors import InvalidInput, InvalidToken, NotFound
from assessment.services.permissions import (
    can_invite,
    can_invite_contributor,
    can_manage_accounts,
    is_admin,
    require,
    require_system_or,
)
from assessment.store.models import Agency, ApiToken, OneTimeToken, Role, TokenKind, User, utcnow

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
INVITATION_VALIDITY = timedelta(days=7)
PASSWORD_RESET_VALIDITY = timedelta(days=1)
# A link mailed on request, to whoever holds the mailbox: short-lived.
SELF_SERVICE_RESET_VALIDITY = timedelta(hours=1)
# Writing last_used_at on every API call would turn reads into writes.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)

AGENCY_ROLES = frozenset({Role.LEAD, Role.CONTRIBUTOR})
"""Roles that belong to one agency."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def token_hash(token: str) -> str:
    """The stored form of a secret token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_agency(
    session: Session,
    *,
    name: str,
    country: str,
    agency_type: str,
    size_band: str,
    policing_model: str = "",
    profile: dict[str, Any] | None = None,
    actor: User | None = None,
    synthetic: bool = False,
) -> Agency:
    """Register an agency (admins only); the name is unique, the country an ISO code."""
    require_system_or(actor, can_manage_accounts(actor), "Only administrators add agencies.")
    values = _agency_values(name, country, agency_type, size_band, policing_model)
    if session.scalar(select(Agency.id).where(func.lower(Agency.name) == values["name"].lower())):
        raise InvalidInput({"name": f"an agency named {values['name']!r} already exists"})
    agency = Agency(**values, profile=dict(profile or {}), synthetic=synthetic)
    session.add(agency)
    _flush_or_invalid(session, "name", f"an agency named {values['name']!r} already exists")
    audit.record(session, "agency.created", actor=actor, agency_id=agency.id, name=agency.name)
    session.commit()
    return agency


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None,
    role: Role | str,
    agency_id: int | None = None,
    actor: User | None = None,
) -> User:
    """Add a user (admins only). Leads belong to one agency; without a password no sign-in."""
    require_system_or(actor, can_manage_accounts(actor), "Only administrators add users.")
    address = _checked_email(session, email)
    checked_role = _checked_role(role)
    _check_agency_for_role(session, checked_role, agency_id)
    user = User(
        email=address,
        password_hash=_password_hash(password) if password is not None else None,
        role=checked_role,
        agency_id=agency_id,
    )
    session.add(user)
    _flush_or_invalid(session, "email", f"{address} already has an account")
    audit.record(
        session, "user.created", actor=actor, agency_id=agency_id, user_id=user.id, role=user.role
    )
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (audited either way)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    # Hash even when the email is unknown so timing does not reveal which accounts exist.
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    valid = check_password_hash(stored, password[:MAX_PASSWORD_LENGTH])
    if user is None or not user.active or user.password_hash is None or not valid:
        audit.record(session, "login.failed", actor=None, email=email.strip().lower()[:254])
        session.commit()
        return None
    user.last_login_at = utcnow()
    audit.record(session, "login", actor=user, agency_id=user.agency_id)
    session.commit()
    return user


def create_invitation(
    session: Session,
    *,
    email: str,
    agency_id: int,
    actor: User | None,
    valid_for: timedelta = INVITATION_VALIDITY,
) -> str:
    """A single-use link token for a new agency lead (admins only); only its hash is stored."""
    require_system_or(actor, can_invite(actor), "Only administrators grant access to an agency.")
    address = _checked_email(session, email)
    if session.get(Agency, agency_id) is None:
        raise InvalidInput({"agency_id": f"there is no agency with id {agency_id}"})
    return _invitation(session, address, Role.LEAD, agency_id, actor, valid_for)


def invite_contributor(
    session: Session,
    *,
    email: str,
    agency_id: int,
    actor: User,
    valid_for: timedelta = INVITATION_VALIDITY,
) -> str:
    """A single-use link token for a contributor of the agency (its lead or an admin);
    dimensions are assigned once the account exists."""
    require(
        can_invite_contributor(actor, agency_id),
        "Only the agency's lead or an administrator invites its contributors.",
    )
    address = _checked_email(session, email)
    return _invitation(session, address, Role.CONTRIBUTOR, agency_id, actor, valid_for)


def _invitation(
    session: Session,
    address: str,
    role: Role,
    agency_id: int,
    actor: User | None,
    valid_for: timedelta,
) -> str:
    """Store an invitation to `role` in the agency (its hash), audit it, return the token."""
    token = _new_one_time_token(
        session,
        kind=TokenKind.INVITATION,
        email=address,
        role=role,
        agency_id=agency_id,
        user_id=None,
        actor=actor,
        valid_for=valid_for,
    )
    audit.record(
        session,
        "invitation.created",
        actor=actor,
        agency_id=agency_id,
        email=address,
        role=role.value,
    )
    session.commit()
    return token


def assign_dimensions(
    session: Session, *, user_id: int, dimension_ids: Collection[str], actor: User
) -> User:
    """Set the dimensions a contributor answers (the agency's lead or an admin; audited)."""
    contributor = session.get(User, user_id)
    if contributor is None or contributor.role != Role.CONTRIBUTOR:
        raise NotFound(f"there is no contributor with id {user_id}")
    assert contributor.agency_id is not None
    require(
        can_invite_contributor(actor, contributor.agency_id),
        "Only the agency's lead or an administrator assigns its contributors' dimensions.",
    )
    chosen = sorted(set(dimension_ids))
    before = list(contributor.dimensions)
    contributor.dimensions = chosen
    audit.record(
        session,
        "contributor.assigned",
        actor=actor,
        agency_id=contributor.agency_id,
        contributor=contributor.email,
        dimensions=chosen,
        before=before,
    )
    session.commit()
    return contributor


def accept_invitation(session: Session, token: str, password: str) -> User:
    """Turn an invitation into an account (agency lead or contributor) with this password."""
    invitation = _usable_token(session, token, TokenKind.INVITATION)
    hashed = _password_hash(password)
    _claim_token(session, invitation)
    user = User(
        email=invitation.email,
        password_hash=hashed,
        role=invitation.role,
        agency_id=invitation.agency_id,
    )
    session.add(user)
    _flush_or_invalid(session, "email", f"{invitation.email} already has an account")
    audit.record(
        session,
        "invitation.accepted",
        actor=user,
        agency_id=user.agency_id,
        role=user.role.value,
        invited_by=invitation.created_by_id,
    )
    session.commit()
    return user


def create_password_reset(
    session: Session,
    *,
    user_id: int,
    actor: User | None,
    valid_for: timedelta = PASSWORD_RESET_VALIDITY,
) -> str:
    """A single-use link token to set a new password (issued by an administrator)."""
    require_system_or(actor, is_admin(actor), "Only administrators reset passwords.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"there is no user with id {user_id}")
    token = _reset_token(session, user, actor, valid_for)
    audit.record(session, "password_reset.created", actor=actor, user_id=user.id)
    session.commit()
    return token


def request_password_reset(
    session: Session, email: str, *, valid_for: timedelta = SELF_SERVICE_RESET_VALIDITY
) -> tuple[User, str] | None:
    """A reset link token for the active account with this address, else None (not committed).

    Audited either way, with no hint in the answer: the caller says the same thing to
    everyone and commits.
    """
    address = email.strip().lower()[:254]
    user = session.scalar(select(User).where(User.email == address))
    known = user is not None and user.active
    audit.record(session, "password_reset.requested", actor=None, email=address, known=known)
    if user is None or not known:
        return None
    return user, _reset_token(session, user, None, valid_for)


def _reset_token(session: Session, user: User, actor: User | None, valid_for: timedelta) -> str:
    """Store a single-use password-reset link for `user` (its hash); the token."""
    return _new_one_time_token(
        session,
        kind=TokenKind.PASSWORD_RESET,
        email=user.email,
        role=user.role,
        agency_id=user.agency_id,
        user_id=user.id,
        actor=actor,
        valid_for=valid_for,
    )


def reset_password(session: Session, token: str, password: str) -> User:
    """Set a new password through a reset link; the user's sessions end, API tokens are revoked."""
    reset = _usable_token(session, token, TokenKind.PASSWORD_RESET)
    hashed = _password_hash(password)
    user = session.get(User, reset.user_id) if reset.user_id is not None else None
    if user is None or not user.active:
        raise InvalidToken(
            "This link belongs to an account that no longer exists.", reason="unknown"
        )
    _claim_token(session, reset)
    _retire_reset_links(session, user.id)
    user.password_hash = hashed
    user.session_version += 1
    audit.record(session, "password_reset.used", actor=user, user_id=user.id)
    # Whoever held the old password may have made tokens with it: none outlives a reset.
    _revoke_api_tokens(session, user, actor=user, reason="password_reset")
    session.commit()
    return user


def set_user_active(session: Session, *, user_id: int, active: bool, actor: User) -> User:
    """Enable or disable an account (admins only, never their own).

    Disabling ends every signed-in session of the user and revokes their API tokens;
    enabling again gives back sign-in with the password, never the revoked tokens.
    """
    require_system_or(actor, can_manage_accounts(actor), "Only administrators disable users.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"there is no user with id {user_id}")
    if user.id == actor.id and not active:
        raise InvalidInput({"user_id": "you cannot disable your own account"})
    if user.active == active:
        return user
    user.active = active
    if not active:
        user.session_version += 1
        _revoke_api_tokens(session, user, actor=actor, reason="disabled")
    action = "user.enabled" if active else "user.disabled"
    audit.record(session, action, actor=actor, agency_id=user.agency_id, user_id=user.id)
    session.commit()
    return user


def usable_link(session: Session, token: str, kind: TokenKind) -> OneTimeToken:
    """The unused, unexpired single-use link of this kind (InvalidToken otherwise); no change."""
    return _usable_token(session, token, kind)


def create_api_token(session: Session, *, user: User, name: str) -> str:
    """A bearer token for the JSON API acting as `user`; only its hash is stored."""
    label = name.strip()
    if not label or len(label) > 100:
        raise InvalidInput({"name": "give the token a name of 1 to 100 characters"})
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=label, token_hash=token_hash(token)))
    audit.record(session, "api_token.created", actor=user, name=label)
    session.commit()
    return token


def user_for_api_token(session: Session, token: str) -> User | None:
    """The active user behind a bearer token, or None when it is unknown or revoked."""
    api_token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if api_token is None or api_token.revoked_at is not None or not api_token.user.active:
        return None
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > API_TOKEN_TOUCH_INTERVAL:
        api_token.last_used_at = now
        session.commit()
    return api_token.user


def revoke_api_token(session: Session, *, token_id: int, actor: User) -> ApiToken:
    """Revoke a bearer token (its owner or an administrator)."""
    api_token = session.get(ApiToken, token_id)
    if api_token is None or (api_token.user_id != actor.id and not is_admin(actor)):
        raise NotFound(f"there is no API token with id {token_id}")
    if api_token.revoked_at is None:
        api_token.revoked_at = utcnow()
        audit.record(session, "api_token.revoked", actor=actor, token_id=token_id)
        session.commit()
    return api_token


def check_password(password: str) -> None:
    """Raise InvalidInput when the password is too short or absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput({"password": f"use at least {MIN_PASSWORD_LENGTH} characters"})
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput({"password": f"use at most {MAX_PASSWORD_LENGTH} characters"})


def _password_hash(password: str) -> str:
    check_password(password)
    return generate_password_hash(password)


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def _agency_values(
    name: str, country: str, agency_type: str, size_band: str, policing_model: str
) -> dict[str, str]:
    values = {
        "name": " ".join(name.split()),
        "country": country.strip().upper(),
        "agency_type": agency_type.strip(),
        "size_band": size_band.strip(),
        "policing_model": policing_model.strip(),
    }
    errors: dict[str, str] = {}
    if not values["name"] or len(values["name"]) > 200:
        errors["name"] = "give a name of 1 to 200 characters"
    if not _COUNTRY.match(values["country"]):
        errors["country"] = f"{country!r} is not a two-letter ISO country code such as NL"
    for field, codes in (
        ("agency_type", AGENCY_TYPES),
        ("size_band", WORKFORCE_BANDS),
        ("policing_model", ("", *POLICING_MODELS)),
    ):
        if values[field] not in codes:
            errors[field] = f"{values[field]!r} is not one of {', '.join(c for c in codes if c)}"
    if errors:
        raise InvalidInput(errors)
    return values


def _checked_email(session: Session, email: str) -> str:
    address = email.strip().lower()
    if len(address) > 254 or not _EMAIL.match(address):
        raise InvalidInput({"email": f"{email!r} is not an email address"})
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise InvalidInput({"email": f"{address} already has an account"})
    return address


def _checked_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput({"role": f"{role!r} is not a role; choose {choices}"}) from None


def _check_agency_for_role(session: Session, role: Role, agency_id: int | None) -> None:
    if role in AGENCY_ROLES and agency_id is None:
        raise InvalidInput({"agency_id": f"a {role.value} needs an agency"})
    if role not in AGENCY_ROLES and agency_id is not None:
        raise InvalidInput({"agency_id": f"a {role.value} belongs to no agency"})
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise InvalidInput({"agency_id": f"there is no agency with id {agency_id}"})


def _flush_or_invalid(session: Session, field: str, message: str) -> None:
    # A concurrent insert can slip past the pre-check; the unique constraint decides.
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise InvalidInput({field: message}) from None


def _new_one_time_token(
    session: Session,
    *,
    kind: TokenKind,
    email: str,
    role: Role,
    agency_id: int | None,
    user_id: int | None,
    actor: User | None,
    valid_for: timedelta,
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        OneTimeToken(
            token_hash=token_hash(token),
            kind=kind,
            email=email,
            role=role,
            agency_id=agency_id,
            user_id=user_id,
            created_by_id=actor.id if actor is not None else None,
            expires_at=utcnow() + valid_for,
        )
    )
    return token


def _usable_token(session: Session, token: str, kind: TokenKind) -> OneTimeToken:
    found = session.scalar(
        select(OneTimeToken).where(
            OneTimeToken.token_hash == token_hash(token), OneTimeToken.kind == kind
        )
    )
    if found is None:
        raise InvalidToken("This link is not valid; ask for a new one.", reason="unknown")
    if found.used_at is not None:
        raise InvalidToken("This link has already been used; ask for a new one.", reason="used")
    if _expired(found.expires_at):
        raise InvalidToken("This link has expired; ask for a new one.", reason="expired")
    if kind == TokenKind.INVITATION and not _inviter_may_still_grant(session, found):
        raise InvalidToken(
            "This invitation is no longer valid; ask an administrator for a new one.",
            reason="revoked",
        )
    return found


def _inviter_may_still_grant(session: Session, invitation: OneTimeToken) -> bool:
    # Access is granted when the link is used: a link from an account that may not (or
    # no longer) grant access carries no authority. No creator: the command line.
    if invitation.created_by_id is None:
        return True
    inviter = session.get(User, invitation.created_by_id)
    if invitation.role == Role.CONTRIBUTOR and invitation.agency_id is not None:
        return can_invite_contributor(inviter, invitation.agency_id)
    return can_invite(inviter)


def _expired(expires_at: datetime) -> bool:
    return expires_at <= utcnow()


def _claim_token(session: Session, token: OneTimeToken) -> None:
    # Two tabs submitting the same link at once: only one UPDATE finds it unused.
    claimed = session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.id == token.id, OneTimeToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if _rowcount(claimed) != 1:
        session.rollback()
        raise InvalidToken("This link has already been used; ask for a new one.", reason="used")
    session.expire(token, ["used_at"])


def _retire_reset_links(session: Session, user_id: int) -> None:
    # Older reset links for the same account stop working once one has been used.
    session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.kind == TokenKind.PASSWORD_RESET,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _revoke_api_tokens(session: Session, user: User, *, actor: User, reason: str) -> None:
    # One UPDATE: a token created concurrently is either revoked here or created after.
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    count = _rowcount(revoked)
    if count:
        audit.record(
            session, "api_tokens.revoked", actor=actor, user_id=user.id, count=count, reason=reason
        )


def _rowcount(result: Any) -> int:
    count: int = result.rowcount
    return count
