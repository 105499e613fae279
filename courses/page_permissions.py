"""Per-institution rights over course pages in the Wagtail admin.

Wagtail's page permissions are by place in the tree (a group may edit everything under the catalogue); Ruta adds
the owner: a course that belongs to an institution (``CoursePage.institution``) — with its modules and lessons — is
edited, published, unpublished, moved, copied, deleted, added to and exported only by that institution's admins and
programme managers (and superusers). A course without an institution stays under Wagtail's group permissions alone.
The hooks in ``courses/wagtail_hooks.py`` apply it to every admin action; ``course_export_view`` asks it too.
"""

from __future__ import annotations

from typing import Any

from lms.accounts.models import Role
from lms.accounts.permissions import has_role

#: Who may change an institution's course pages (besides superusers).
COURSE_EDITOR_ROLES = (Role.INSTITUTION_ADMIN, Role.PROGRAMME_MANAGER)


def course_owner_id(page: Any) -> int | None:
    """The institution owning the course ``page`` is (or is inside), or None (no course, or nobody's)."""
    from .models import CoursePage

    if page is None or not getattr(page, "pk", None):
        return None
    if isinstance(page, CoursePage):
        return page.institution_id
    return (
        CoursePage.objects.filter(path__in=[page.path[:depth] for depth in range(4, len(page.path) + 1, 4)])
        .values_list("institution_id", flat=True)
        .first()
    )


def may_change_course_page(user: Any, page: Any) -> bool:
    """Whether ``user`` may change ``page`` beyond what Wagtail's group permissions say (see the module doc)."""
    if getattr(user, "is_superuser", False):
        return True
    owner = course_owner_id(page)
    if owner is None:
        return True
    from lms.accounts.models import Institution

    return has_role(user, COURSE_EDITOR_ROLES, Institution(pk=owner))
