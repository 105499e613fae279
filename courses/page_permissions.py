"""Per-institution rights over course pages in the Wagtail admin.

Wagtail's page permissions are by place in the tree (a group may edit everything under the catalogue); Ruta adds
the owner: a course that belongs to an institution (``CoursePage.institution``) — with its modules and lessons — is
edited, published, unpublished, moved, copied, deleted, added to and exported only by that institution's admins and
programme managers (and superusers). A course without an institution stays under Wagtail's group permissions alone.
The hooks in ``courses/wagtail_hooks.py`` apply it to every admin action; ``course_export_view`` asks it too.

A person whose only Wagtail page rights come from the institution-admin group (``editing_right_is_institutional``:
the group may add, edit and publish under «Cursos importados», where their imports land) changes nothing but their
institutions' courses: the programme page, the catalogue and courses nobody owns are refused to them too, and the
explorer, the admin search and the page choosers do not list other institutions' or unowned courses
(``pages_within_reach``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

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


def editing_right_is_institutional(user: Any) -> bool:
    """Whether every Wagtail page right ``user`` has comes from the institution-admin group (none from another
    group; not a superuser). Kept on the user object for the request."""
    if getattr(user, "is_superuser", False):
        return False
    if not getattr(user, "pk", None):
        return True
    cached = getattr(user, "_ruta_page_rights_institutional", None)
    if cached is None:
        from wagtail.models import GroupPagePermission

        from lms.accounts.services import INSTITUTION_ADMIN_GROUP

        other_groups = GroupPagePermission.objects.filter(group__user=user).exclude(group__name=INSTITUTION_ADMIN_GROUP)
        cached = not other_groups.exists()
        user._ruta_page_rights_institutional = cached
    return bool(cached)


def may_change_course_page(user: Any, page: Any) -> bool:
    """Whether ``user`` may change ``page`` beyond what Wagtail's group permissions say (see the module doc)."""
    if getattr(user, "is_superuser", False):
        return True
    owner = course_owner_id(page)
    if owner is None:
        return not editing_right_is_institutional(user)
    from lms.accounts.models import Institution

    return has_role(user, COURSE_EDITOR_ROLES, Institution(pk=owner))


def may_list_children(user: Any, page: Any) -> bool:
    """Whether the explorer may list what is under ``page`` for ``user``: anything outside a course (the tree around
    it: Wagtail's own rights decide), and inside a course only for those who may change it."""
    from .models import CoursePage

    if page is None or getattr(user, "is_superuser", False) or not editing_right_is_institutional(user):
        return True
    paths = [page.path[:depth] for depth in range(4, len(page.path) + 1, 4)]
    if not CoursePage.objects.filter(path__in=paths).exists():
        return True
    return may_change_course_page(user, page)


def pages_within_reach(user: Any, pages: QuerySet[Any]) -> QuerySet[Any]:
    """``pages`` less, for a person whose page rights are institutional, every page in a course they may not change
    (another institution's, or nobody's). Others keep the whole listing (changes are still refused page by page)."""
    from lms.accounts.permissions import institutions_with_role

    from .models import CoursePage

    if getattr(user, "is_superuser", False) or not editing_right_is_institutional(user):
        return pages
    theirs = institutions_with_role(user, COURSE_EDITOR_ROLES)
    out_of_reach = CoursePage.objects.filter(Q(institution__isnull=True) | ~Q(institution__in=theirs))
    paths = list(out_of_reach.values_list("path", flat=True))
    if not paths:
        return pages
    inside = Q()
    for path in paths:
        inside |= Q(path__startswith=path)
    return pages.exclude(inside)
