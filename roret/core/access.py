"""The view decorator that checks a user's role. Which roles exist for what is written once, in
roret.core.permissions; which citizens and objects a user may act on is the gate there too."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(*roles):
    """Logged-in users of ``roles`` (roles or sets of roles from roret.core.permissions) pass; other
    users get 403; anonymous users go to log in."""
    allowed = set()
    for role in roles:
        allowed |= set(role) if isinstance(role, set | frozenset | tuple | list) else {role}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.is_active or request.user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(allowed)
        return wrapped

    return decorator
