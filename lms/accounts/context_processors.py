"""Template context: the current user's roles, computed lazily (no query unless a template asks)."""

from django.utils.functional import SimpleLazyObject

from .permissions import STAFF_ROLES, roles_of


class _Roles:
    def __init__(self, user):
        self.names = roles_of(user) if user.is_authenticated else set()
        self.is_staff = bool(self.names & set(STAFF_ROLES)) or bool(getattr(user, "is_superuser", False))

    def __contains__(self, role: str) -> bool:
        return role in self.names


def roles(request):
    return {"ruta_roles": SimpleLazyObject(lambda: _Roles(request.user))}
