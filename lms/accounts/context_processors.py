"""Template context: the current user's roles and learner tag, computed lazily (no query unless a template asks)."""

from functools import cached_property

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .models import Role
from .permissions import STAFF_ROLES, roles_of
from .selectors import learner_tag, learner_tags_previous

#: Roles that have a report view (trainers see their cohorts; donors only aggregates of their funding source).
#: The same roles as ``lms.reports.selectors.roles.VIEWS``, which this layer cannot import (a test keeps the two
#: equal). Institution admins have no report of their own: they manage members, catalogue and branding.
REPORT_ROLES = frozenset(
    {
        Role.TRAINER,
        Role.ME_OFFICER,
        Role.PROGRAMME_MANAGER,
        Role.DONOR_VIEWER,
        Role.DATA_STEWARD,
    }
)


class _Roles:
    def __init__(self, user):
        self.user = user
        self.names = roles_of(user) if user.is_authenticated else set()
        self.superuser = bool(getattr(user, "is_superuser", False))
        self.is_staff = bool(self.names & set(STAFF_ROLES)) or self.superuser

    @cached_property
    def can_report(self) -> bool:
        """True exactly when ``lms.reports``' index would open for this person (``report_views_for_user``): a
        report role, a superuser, or someone who teaches a cohort without the trainer role (a master trainer).
        Only that last case costs a query, and only for staff, who alone can be given a cohort to teach."""
        if not self.user.is_authenticated or not self.user.is_active:
            return False
        if self.superuser or self.names & REPORT_ROLES:
            return True
        # ``courses.cohorts.CohortTrainer.user`` (related_name), read without importing the layer above.
        return bool(self.is_staff and self.user.cohort_trainer_links.exists())

    def __contains__(self, role: str) -> bool:
        return role in self.names


def roles(request):
    return {
        "ruta_roles": SimpleLazyObject(lambda: _Roles(request.user)),
        # Which learner this page is for, as the phone's scripts see it (shared family phones): see learner_tag.
        "ruta_learner_tag": SimpleLazyObject(lambda: learner_tag(user=request.user)),
        # The same learner's tags under the secret keys kept as fallbacks (after the secret key was changed).
        "ruta_learner_tags_previous": SimpleLazyObject(lambda: " ".join(learner_tags_previous(user=request.user))),
        # The package origin's download helper (content/packages/origin.py), which keeps and removes downloaded
        # packages on the phone; "" when packages are served on Ruta's own host.
        "ruta_package_helper": SimpleLazyObject(_package_helper),
    }


def _package_helper() -> str:
    origin = getattr(settings, "RUTA_PACKAGE_ORIGIN", "")
    return origin + reverse("packages:package_helper") if origin else ""
