"""Template context: the current user's roles and learner tag, computed lazily (no query unless a template asks)."""

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .models import Role
from .permissions import STAFF_ROLES, roles_of
from .selectors import learner_tag

#: Roles that have a report page (trainers see their cohorts; donors only aggregates of their funding source).
REPORT_ROLES = frozenset(
    {
        Role.TRAINER,
        Role.INSTITUTION_ADMIN,
        Role.ME_OFFICER,
        Role.PROGRAMME_MANAGER,
        Role.DONOR_VIEWER,
        Role.DATA_STEWARD,
    }
)


class _Roles:
    def __init__(self, user):
        self.names = roles_of(user) if user.is_authenticated else set()
        superuser = bool(getattr(user, "is_superuser", False))
        self.is_staff = bool(self.names & set(STAFF_ROLES)) or superuser
        self.can_report = bool(self.names & set(REPORT_ROLES)) or superuser

    def __contains__(self, role: str) -> bool:
        return role in self.names


def roles(request):
    return {
        "ruta_roles": SimpleLazyObject(lambda: _Roles(request.user)),
        # Which learner this page is for, as the phone's scripts see it (shared family phones): see learner_tag.
        "ruta_learner_tag": SimpleLazyObject(lambda: learner_tag(user=request.user)),
        # The package origin's download helper (content/packages/origin.py), which keeps and removes downloaded
        # packages on the phone; "" when packages are served on Ruta's own host.
        "ruta_package_helper": SimpleLazyObject(_package_helper),
    }


def _package_helper() -> str:
    origin = getattr(settings, "RUTA_PACKAGE_ORIGIN", "")
    return origin + reverse("packages:package_helper") if origin else ""
