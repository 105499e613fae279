"""Read-only questions about package imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.models import Page

from .models import PackageImport


@dataclass(frozen=True)
class EarlierImport:
    """A finished import of the same package (the same file, or a package with the same format and title)."""

    record: PackageImport
    course: Page | None
    same_file: bool
    #: The new import would add its modules and lessons inside the course this earlier import made or extended:
    #: that course would then hold the package's content twice.
    into_same_course: bool


def _course_of(page: Page | None) -> Page | None:
    """The course page ``page`` is, or lies in (None for a programme, the catalogue or no page)."""
    from courses.models import CoursePage

    if page is None:
        return None
    if page.specific_class is CoursePage:
        return page
    return Page.objects.ancestor_of(page).type(CoursePage).first()


def imports_visible_to(*, user) -> QuerySet[PackageImport]:
    """The imports ``user`` may see: an institution admin, those uploaded by people of their institutions (and
    their own); superusers and platform staff given the import permission by hand, every import."""
    from lms.accounts.models import Role
    from lms.accounts.permissions import institutions_with_role

    imports = PackageImport.objects.select_related("uploaded_by")
    if user.is_superuser:
        return imports
    admin_of = institutions_with_role(user, Role.INSTITUTION_ADMIN)
    if not admin_of.exists():
        return imports
    theirs = Q(uploaded_by=user) | Q(uploaded_by__memberships__institution__in=admin_of)
    return imports.filter(pk__in=PackageImport.objects.filter(theirs).values("pk"))


def earlier_imports(*, record: PackageImport, user=None) -> list[EarlierImport]:
    """Finished imports of the package ``record`` holds, newest first, and whether importing ``record`` where it
    is aimed would put a second copy of it into a course that already has one. With ``user``, only the imports
    that person may see (another institution's courses are not named to them)."""
    same = Q(format=record.format, title=record.title) if record.title else Q(pk__in=[])
    if record.sha256:
        same |= Q(sha256=record.sha256)
    visible = PackageImport.objects.all() if user is None else imports_visible_to(user=user)
    earlier = (
        visible.filter(same, status=PackageImport.Status.DONE)
        .exclude(pk=record.pk)
        .select_related("course_page")
        .order_by("-finished_at", "-pk")[:10]
    )
    target_course = _course_of(record.target_page)
    found = []
    for other in earlier:
        course = _course_of(other.course_page)
        found.append(
            EarlierImport(
                record=other,
                course=course,
                same_file=bool(record.sha256) and other.sha256 == record.sha256,
                into_same_course=target_course is not None and course is not None and course.pk == target_course.pk,
            )
        )
    return found


def import_needs_second_copy_consent(*, record: PackageImport) -> bool:
    """Importing ``record`` where it is aimed would duplicate a package a course already holds."""
    return any(found.into_same_course for found in earlier_imports(record=record))


def import_stalled(*, record: PackageImport) -> bool:
    """A queued or running import that has not moved for ``RUTA_IMPORT_STALL_MINUTES`` (30 by default): its worker
    was lost (a restart, out of memory) and it will never finish. The admin may start it again."""
    if record.status not in (PackageImport.Status.QUEUED, PackageImport.Status.RUNNING):
        return False
    minutes = getattr(settings, "RUTA_IMPORT_STALL_MINUTES", 30)
    last = record.progress_at or record.created_at
    return last is not None and timezone.now() - last > timedelta(minutes=minutes)
