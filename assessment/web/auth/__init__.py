"""Signing in and out, invitation and password-reset links, and the access decorators."""

from assessment.web.auth.access import (
    current_user,
    login_required,
    mark_access,
    public,
    roles_required,
)

__all__ = ["current_user", "login_required", "mark_access", "public", "roles_required"]
