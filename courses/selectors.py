"""Reads that span the page tree, enrolments and progress, shaped for pages and the dashboard.

Each selector runs a fixed number of queries whatever the number of lessons or activities.
Must not import certification or reports.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from .blocks import ACTIVITY_BLOCK_NAMES
from .models import CataloguePage, CoursePage, Enrollment, LessonPage, LessonProgress, ModulePage, ProgrammePage

NOT_STARTED = "not_started"
IN_PROGRESS = LessonProgress.Status.IN_PROGRESS.value
COMPLETED = LessonProgress.Status.COMPLETED.value

if TYPE_CHECKING:
    from content.packages.models import ContentPackage


@dataclass
class LessonItem:
    lesson: LessonPage
    status: str = NOT_STARTED
    number: int = 0

    @property
    def is_completed(self) -> bool:
        return self.status == COMPLETED


@dataclass
class ModuleItem:
    module: ModulePage
    lessons: list[LessonItem] = field(default_factory=list)


@dataclass
class CourseOutline:
    """A course as one learner sees it: modules and lessons with their status, and what to do next."""

    course: CoursePage
    enrollment: Enrollment | None
    modules: list[ModuleItem]
    lessons: list[LessonItem]
    missing_prerequisites: list[CoursePage]
    next_lesson: LessonPage | None

    @property
    def is_enrolled(self) -> bool:
        return self.enrollment is not None and self.enrollment.status != Enrollment.Status.WITHDRAWN

    @property
    def is_completed(self) -> bool:
        return self.enrollment is not None and self.enrollment.completed_at is not None

    @property
    def progress(self) -> int:
        return self.enrollment.progress if self.enrollment else 0

    @property
    def can_self_enroll(self) -> bool:
        return not self.is_enrolled and self.course.open_enrollment and not self.missing_prerequisites

    @property
    def total_minutes(self) -> int:
        return sum(item.lesson.estimated_minutes or 0 for item in self.lessons)


@dataclass
class CourseCard:
    """A course in a list (catalogue, programme), with the learner's state and what blocks them."""

    course: CoursePage
    enrollment: Enrollment | None = None
    missing_prerequisites: list[CoursePage] = field(default_factory=list)


@dataclass
class DashboardItem:
    enrollment: Enrollment
    next_lesson: LessonPage | None
    lesson_count: int


def _course_lessons(course: CoursePage) -> list[LessonPage]:
    return list(
        LessonPage.objects.live().descendant_of(course).defer("body").order_by("path")  # body is never needed here
    )


def _completed_course_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Enrollment.objects.filter(user=user, completed_at__isnull=False).values_list("course_id", flat=True))


def _prerequisite_map(course_ids: list[int]) -> dict[int, list[CoursePage]]:
    """{course id: [prerequisite course pages]} for many courses in one query."""
    through = CoursePage.prerequisites.through
    rows = through.objects.filter(from_coursepage_id__in=course_ids).select_related("to_coursepage")
    result: dict[int, list[CoursePage]] = {}
    for row in rows:
        result.setdefault(row.from_coursepage_id, []).append(row.to_coursepage)
    return result


@dataclass(frozen=True)
class CourseStructure:
    """What every learner's outline of a course shares: its live modules and lessons in order, and its
    prerequisite courses."""

    modules: list[ModulePage]
    lessons: list[LessonPage]
    prerequisites: list[CoursePage]


def course_structure(*, course: CoursePage) -> CourseStructure:
    """The course's structure, kept in the shared cache until any page is saved, published, moved or deleted
    (the ``pages`` generation of ``lms.pagecache``): every lesson page needs it, and it changes only when an author
    publishes."""
    from lms.pagecache import shared_value

    def load() -> CourseStructure:
        return CourseStructure(
            modules=list(ModulePage.objects.live().child_of(course).order_by("path")),
            lessons=_course_lessons(course),
            prerequisites=_prerequisite_map([course.pk]).get(course.pk, []),
        )

    return shared_value(f"ruta:course-structure:{course.pk}", load)


def view_restrictions_exist() -> bool:
    """Whether any Wagtail view restriction (password, groups, login) exists, cached until pages change."""
    from wagtail.models import PageViewRestriction

    from lms.pagecache import shared_value

    return shared_value("ruta:view-restrictions", PageViewRestriction.objects.exists)


def prerequisites_missing(*, course: CoursePage, user) -> list[CoursePage]:
    """The prerequisite courses of ``course`` that ``user`` has not completed yet (all of them if anonymous)."""
    prerequisites = course_structure(course=course).prerequisites
    if not prerequisites:
        return []
    done = _completed_course_ids(user)
    return [p for p in prerequisites if p.pk not in done]


def _next_lesson(items: list[LessonItem], last_lesson_id: int | None) -> LessonPage | None:
    """Where to continue: the last lesson if unfinished, else the next unfinished one after it, else the first."""
    if not items:
        return None
    start = 0
    for index, item in enumerate(items):
        if item.lesson.pk == last_lesson_id:
            start = index
            break
    for item in items[start:] + items[:start]:
        if not item.is_completed:
            return item.lesson
    return None


def course_outline_for_learner(
    *, course: CoursePage, user, known: tuple[Any, dict[int, str]] | None = None
) -> CourseOutline:
    """The course outline with the learner's lesson statuses, prerequisites still missing and the next lesson.
    ``known``: the learner's enrolment and lesson statuses when the caller has just read them."""
    structure = course_structure(course=course)
    modules, lessons = structure.modules, structure.lessons
    enrollment = None
    statuses: dict[int, str] = {}
    if known is not None:
        enrollment, statuses = known
    elif user.is_authenticated:
        enrollment = Enrollment.objects.filter(user=user, course=course).select_related("last_lesson").first()
        if enrollment:
            statuses = dict(LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_id", "status"))
    items = [
        LessonItem(lesson=lesson, status=statuses.get(lesson.pk, NOT_STARTED), number=number)
        for number, lesson in enumerate(lessons, start=1)
    ]
    by_module = {module.path: ModuleItem(module=module) for module in modules}
    for item in items:
        module_item = by_module.get(item.lesson.path[: -CoursePage.steplen])
        if module_item is not None:
            module_item.lessons.append(item)
    missing = prerequisites_missing(course=course, user=user)
    if enrollment is None:
        next_lesson = items[0].lesson if items else None
    else:
        next_lesson = _next_lesson(items, enrollment.last_lesson_id)
    return CourseOutline(
        course=course,
        enrollment=enrollment,
        modules=list(by_module.values()),
        lessons=items,
        missing_prerequisites=missing,
        next_lesson=next_lesson,
    )


def lesson_course(*, lesson: LessonPage) -> CoursePage | None:
    """The course a lesson belongs to (with its institution), looked up once per lesson instance (a lesson page
    asks for it while recording the view, building the outline and checking each activity) and kept in the shared
    cache until pages change."""
    if not hasattr(lesson, "_ruta_course"):
        from lms.pagecache import shared_value

        lesson._ruta_course = shared_value(
            f"ruta:lesson-course:{lesson.pk}",
            lambda: CoursePage.objects.ancestor_of(lesson).select_related("institution").first(),
        )
    return lesson._ruta_course


def lesson_context_for_learner(*, lesson: LessonPage, user) -> dict[str, Any]:
    """What a lesson page shows around its body: course, outline, previous/next lessons, may-submit flag."""
    course = lesson_course(lesson=lesson)
    if course is None:
        return {"course": None, "outline": None, "previous_lesson": None, "next_lesson_in_order": None}
    known = None
    state = getattr(lesson, "_ruta_learner_state", None)  # read while recording this visit (services)
    if state is not None and state[0] == getattr(user, "pk", None) and state[1] == course.pk:
        known = (state[2], state[3])
    outline = course_outline_for_learner(course=course, user=user, known=known)
    ids = [item.lesson.pk for item in outline.lessons]
    position = ids.index(lesson.pk) if lesson.pk in ids else -1
    previous_lesson = outline.lessons[position - 1].lesson if position > 0 else None
    following = outline.lessons[position + 1].lesson if 0 <= position < len(ids) - 1 else None
    current = outline.lessons[position] if position >= 0 else None
    lesson._ruta_can_submit = {  # memoised for can_submit_activity(), called once per activity by content
        getattr(user, "pk", None): outline.is_enrolled and not outline.missing_prerequisites
    }
    return {
        "course": course,
        "outline": outline,
        "lesson_item": current,
        "previous_lesson": previous_lesson,
        "next_lesson_in_order": following,
        "can_submit": outline.is_enrolled and not outline.missing_prerequisites,
        "progress_marks": progress_marks_version(lesson=lesson, outline=outline),
    }


def progress_marks_version(*, lesson: LessonPage, outline: CourseOutline) -> str:
    """A short fingerprint of everything the lesson page's progress marks show (lesson badge, completion notice,
    course %, outline): the learner's lesson statuses and progress, the course's pages (their generation) and the
    language. The page carries it, activities.js sends it back with an answer, and the answer's response leaves the
    marks out when they would come back the same (a smaller response on a slow connection, less to render)."""
    from django.utils import translation

    from lms.pagecache import generation

    statuses = ",".join(f"{item.lesson.pk}:{item.status}" for item in outline.lessons)
    raw = "|".join(
        (
            translation.get_language() or "",
            str(generation("pages")),
            str(lesson.pk),
            "enrolled" if outline.enrollment is not None else "",
            str(outline.progress),
            statuses,
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def lesson_submission_allowed(*, lesson: LessonPage, user) -> bool:
    """A learner may submit activities of a lesson when enrolled in its course and its prerequisites are met."""
    if not getattr(user, "is_authenticated", False):
        return False
    memo = getattr(lesson, "_ruta_can_submit", {})
    if user.pk in memo:
        return memo[user.pk]
    course = lesson_course(lesson=lesson)
    allowed = (
        course is not None
        and Enrollment.objects.filter(user=user, course=course).exclude(status=Enrollment.Status.WITHDRAWN).exists()
        and not prerequisites_missing(course=course, user=user)
    )
    lesson._ruta_can_submit = {**memo, user.pk: allowed}
    return allowed


def lesson_grading_allowed(*, lesson: LessonPage, grader, learner) -> bool:
    """Reviewers of a lesson's free-text answers are the learner's cohort trainers (and institution admins),
    as decided by ``courses.cohorts``; nobody grades themselves."""
    from courses.cohorts.selectors import can_grade

    course = lesson_course(lesson=lesson)
    return course is not None and can_grade(grader, learner, course)


def _course_cards(courses: list[CoursePage], user) -> list[CourseCard]:
    ids = [course.pk for course in courses]
    prerequisites = _prerequisite_map(ids)
    enrollments: dict[int, Enrollment] = {}
    done: set[int] = set()
    if user.is_authenticated:
        for enrollment in Enrollment.objects.filter(user=user):
            enrollments[enrollment.course_id] = enrollment
            if enrollment.completed_at:
                done.add(enrollment.course_id)
    return [
        CourseCard(
            course=course,
            enrollment=enrollments.get(course.pk),
            missing_prerequisites=[p for p in prerequisites.get(course.pk, []) if p.pk not in done],
        )
        for course in courses
    ]


def programme_courses_for_learner(*, programme: ProgrammePage, user) -> list[CourseCard]:
    """The programme's live courses in learning-path (tree) order, with the learner's state."""
    courses = list(CoursePage.objects.live().child_of(programme).select_related("institution").order_by("path"))
    return _course_cards(courses, user)


def catalogue_for_learner(*, catalogue: CataloguePage, user) -> list[tuple[ProgrammePage, list[CourseCard]]]:
    """The catalogue's programmes, each with its courses in path order and the learner's state."""
    programmes = list(ProgrammePage.objects.live().child_of(catalogue).order_by("path"))
    courses = list(CoursePage.objects.live().descendant_of(catalogue).select_related("institution").order_by("path"))
    cards = _course_cards(courses, user)
    return [
        (programme, [card for card in cards if card.course.path.startswith(programme.path)]) for programme in programmes
    ]


def catalogue_page_get() -> CataloguePage | None:
    """The live catalogue page (the first one in the tree), kept in the shared cache until pages change."""
    from lms.pagecache import shared_value

    return shared_value("ruta:catalogue-page", lambda: CataloguePage.objects.live().order_by("path").first())


def enrollment_list_for_user(*, user) -> list[DashboardItem]:
    """The learner's enrolments (not withdrawn), each with the lesson to continue with."""
    enrollments = list(
        Enrollment.objects.filter(user=user)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .select_related("course", "course__institution")
        .order_by("completed_at", "-last_activity_at", "-enrolled_at")
    )
    if not enrollments:
        return []
    lessons = list(
        LessonPage.objects.live()
        .filter(reduce(or_, [Q(path__startswith=e.course.path) for e in enrollments]))
        .defer("body")
        .order_by("path")
    )
    statuses = {
        (enrollment_id, lesson_id): status
        for enrollment_id, lesson_id, status in LessonProgress.objects.filter(enrollment__in=enrollments).values_list(
            "enrollment_id", "lesson_id", "status"
        )
    }
    items = []
    for enrollment in enrollments:
        course_lessons = [lesson for lesson in lessons if lesson.path.startswith(enrollment.course.path)]
        lesson_items = [
            LessonItem(lesson=lesson, status=statuses.get((enrollment.pk, lesson.pk), NOT_STARTED))
            for lesson in course_lessons
        ]
        items.append(
            DashboardItem(
                enrollment=enrollment,
                next_lesson=_next_lesson(lesson_items, enrollment.last_lesson_id),
                lesson_count=len(course_lessons),
            )
        )
    return items


def package_readable_by(*, user, package) -> bool:
    """Whether ``user`` may open a stored package on its own (``packages:package_open``): it is played or linked in a
    lesson that the person may read. Lessons are readable without enrolment unless the page has a view restriction; then
    the course's learners (enrolled, not withdrawn) and its institution's staff may; drafts only their editors.
    Registered with ``content.packages.selectors.package_access_register`` (content never imports courses)."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from lms.accounts.permissions import is_staff_of

    lessons = (
        LessonPage.objects.annotate(body_text=Cast("body", TextField()))
        .filter(body_text__icontains=str(package.uuid))
        .defer("body")
    )
    for lesson in lessons:
        if not lesson.live:
            if lesson.permissions_for_user(user).can_edit():
                return True
            continue
        if not lesson.get_view_restrictions().exists():
            return True
        course = CoursePage.objects.ancestor_of(lesson).select_related("institution").first()
        if course is None:
            continue
        if Enrollment.objects.filter(user=user, course=course).exclude(status=Enrollment.Status.WITHDRAWN).exists():
            return True
        if course.institution is not None and is_staff_of(user, course.institution):
            return True
    return False


# --- Offline study: what a learner's phone keeps to study a course (or one module) without signal.

OFFLINE_IMAGE_SPEC = "width-360|format-webp"  # the smallest rendition of a lesson image (courses/blocks/image.html)
# The page's own static files; the page script adds what it links besides (e.g. the theme's colours).
OFFLINE_STATIC = (
    "themes/css/ruta.css",
    "courses/courses.css",
    "content/activities.css",
    "content/activities.js",
    "courses/offline.js",
)
# A page's HTML is not rendered to be measured (that would cost a render per lesson): its size is estimated from
# the frame every page shares, its body and its outline, and checked against real pages in the tests.
PAGE_FRAME_BYTES = 5_500
ACTIVITY_BYTES = 1_500
OUTLINE_LINE_BYTES = 450
_DOCUMENT_LINK = re.compile(r'linktype="document"\s+id="(\d+)"')
# A lesson that embeds a SCORM/H5P package links the lesson side of the player: kept, so that the downloaded lesson
# keeps the progress given without signal until it is sent. The package's own files are downloaded only when
# packages live on their own origin (RUTA_PACKAGE_ORIGIN, content/packages/origin.py): items of kind "package",
# addressed on that origin and kept by its helper page and worker, so the package plays offline. Without it, a
# package plays in an opaque-origin sandbox that no service worker serves: the lesson says it waits for the signal
# (courses/README.md, «Offline study»).
OFFLINE_PACKAGE_STATIC = ("packages/player.js",)
_H5P_MAIN = "vendor/h5p-standalone/main.bundle.js"  # its address versions the H5P frame page kept offline


@dataclass(frozen=True)
class OfflineItem:
    """One file of an offline bundle: ``kind`` is page, asset, image, document, media or package (a file of a
    SCORM/H5P package, or of its runtime, on the package origin)."""

    url: str
    kind: str
    size: int
    title: str = ""
    v: str = ""  # what the phone compares to download again only what changed (see _item_version)


@dataclass(frozen=True)
class OnlineOnlyActivity:
    """A package activity of a lesson that loads files from the Internet: it does not work offline, so its files are
    not downloaded and the learner is told that this lesson needs signal."""

    lesson_title: str
    lesson_url: str
    title: str


@dataclass
class OfflineBundle:
    """What the phone downloads to study ``course`` (or only ``module``) offline; ``version`` changes whenever a page
    in it is published, moved or unpublished. ``needs_internet``: the lessons' activities that will need signal."""

    course: CoursePage
    module: ModulePage | None
    version: str
    items: list[OfflineItem]
    needs_internet: list[OnlineOnlyActivity] = field(default_factory=list)

    def size(self, *kinds: str) -> int:
        return sum(item.size for item in self.items if item.kind in kinds)


def offline_bundle_allowed(*, course: CoursePage, user) -> bool:
    """Only the course's learners (enrolled, not withdrawn) may download it."""
    return bool(
        getattr(user, "is_authenticated", False)
        and Enrollment.objects.filter(user=user, course=course).exclude(status=Enrollment.Status.WITHDRAWN).exists()
    )


def _static_size(name: str) -> int:
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        return staticfiles_storage.size(staticfiles_storage.stored_name(name))  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        path = finders.find(name)
        return os.path.getsize(path) if isinstance(path, str) else 0


def _storage_size(file) -> int:
    try:
        return int(file.size)
    except (OSError, ValueError):
        return 0


def _item_version(*parts) -> str:
    """A short version string of one bundle item, from what identifies its content."""
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:12]


def _page_stamp(pages) -> str:
    return "|".join(f"{p.pk}:{p.path}:{p.last_published_at.isoformat() if p.last_published_at else ''}" for p in pages)


def _body_references(lesson: LessonPage) -> tuple[list[int], list[int], list[int], list[int], int]:
    """(image ids, document ids, media file ids, poster image ids, activity count) of a lesson body (raw JSON)."""
    images: list[int] = []
    documents: list[int] = []
    media: list[int] = []
    posters: list[int] = []
    activities = 0
    for child in getattr(lesson.body, "raw_data", None) or []:
        kind, value = child.get("type"), child.get("value")
        if kind in ACTIVITY_BLOCK_NAMES:
            activities += 1
        if not isinstance(value, dict):
            if kind == "text" and isinstance(value, str):
                documents += [int(pk) for pk in _DOCUMENT_LINK.findall(value)]
            continue
        if kind == "image" and value.get("image"):
            images.append(int(value["image"]))
        elif kind == "document" and value.get("document"):
            documents.append(int(value["document"]))
        elif kind in ("video", "audio"):
            media += [int(value[key]) for key in ("file", "captions") if value.get(key)]
            if value.get("poster"):
                posters.append(int(value["poster"]))
    return images, documents, media, posters, activities


def offline_bundle_for_learner(*, course: CoursePage, user, module: ModulePage | None = None) -> OfflineBundle:
    """The offline bundle of ``course`` (or of one of its modules): the outline page, each live lesson page, the
    static files they need and their images in the low-data rendition (always); documents and video/audio files
    (each downloaded only if the learner ticks them), each with its size in bytes. A fixed number of queries."""
    from django.templatetags.static import static
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.models import Filter

    from content.packages.selectors import packages_needing_internet

    structure = course_structure(course=course)
    root = module or course
    lessons = list(LessonPage.objects.live().descendant_of(root).order_by("path"))
    pages = [course, *(m for m in structure.modules if module is None or m.pk == module.pk), *lessons]
    version = hashlib.sha256(_page_stamp(pages).encode()).hexdigest()[:16]
    # The outline shows every module and lesson: it changes with the course's structure (the same version whether a
    # module or the whole course is downloaded); a lesson page with its own publishing; files with their content.
    outline_version = _item_version(_page_stamp([course, *structure.modules, *structure.lessons]))

    outline_bytes = PAGE_FRAME_BYTES + OUTLINE_LINE_BYTES * len(structure.lessons)
    items = [OfflineItem(url=course.url, kind="page", size=outline_bytes, title=course.title, v=outline_version)]
    image_ids: dict[int, None] = {}
    document_ids: dict[int, None] = {}
    media_ids: dict[int, None] = {}
    poster_ids: dict[int, None] = {}
    players = False
    package_ids: dict[str, None] = {}
    package_blocks: list[tuple[LessonPage, str, str]] = []  # (lesson, package uuid, activity title)
    for lesson in lessons:
        images, documents, media, posters, activities = _body_references(lesson)
        raw = lesson.body.get_prep_value() if lesson.body is not None else []
        size = outline_bytes + len(json.dumps(raw, ensure_ascii=False).encode()) + ACTIVITY_BYTES * activities
        items.append(
            OfflineItem(
                url=lesson.url, kind="page", size=size, title=lesson.title, v=_item_version(_page_stamp([lesson]))
            )
        )
        image_ids.update(dict.fromkeys(images))
        document_ids.update(dict.fromkeys(documents))
        media_ids.update(dict.fromkeys(media))
        poster_ids.update(dict.fromkeys(posters))
        for child in getattr(lesson.body, "raw_data", None) or []:
            if child.get("type") == "package":
                players = True
                if isinstance(child.get("value"), dict) and child["value"].get("package"):
                    package_ids[str(child["value"]["package"])] = None
                    package_blocks.append(
                        (lesson, str(child["value"]["package"]), str(child["value"].get("title") or ""))
                    )
    for name in (*OFFLINE_STATIC, *(OFFLINE_PACKAGE_STATIC if players else ())):
        url, size = static(name), _static_size(name)
        items.append(OfflineItem(url=url, kind="asset", size=size, v=_item_version(url, size)))

    packages = _packages(list(package_ids))
    online_only = packages_needing_internet(packages)
    needs_internet = [
        OnlineOnlyActivity(lesson_title=lesson.title, lesson_url=lesson.url, title=title or lesson.title)
        for lesson, package_uuid, title in package_blocks
        if _uuid_text(package_uuid) in online_only
    ]
    items += _package_items([p for p in packages if str(p.uuid) not in online_only], user=user)

    wanted = [*image_ids, *(pk for pk in poster_ids if pk not in image_ids)]
    if wanted:
        poster_spec = "width-720|format-webp"  # what courses/blocks/video.html shows as the poster
        found = {
            image.pk: image
            for image in get_image_model()
            .objects.filter(pk__in=wanted)
            .prefetch_renditions(OFFLINE_IMAGE_SPEC, poster_spec)
        }
        for pk in wanted:
            image = found.get(pk)
            if image is None:
                continue
            kind, spec = ("image", OFFLINE_IMAGE_SPEC) if pk in image_ids else ("media", poster_spec)
            try:
                rendition = image.find_existing_rendition(Filter(spec=spec))  # prefetched: no cache write
            except image.get_rendition_model().DoesNotExist:
                rendition = image.get_rendition(spec)  # made once, the first time the course is downloaded
            size = _storage_size(rendition.file)
            v = _item_version(rendition.url, size, image.file_hash)
            items.append(OfflineItem(url=rendition.url, kind=kind, size=size, title=image.title, v=v))
    files = {**document_ids, **media_ids}
    if files:
        found_docs = {doc.pk: doc for doc in get_document_model().objects.filter(pk__in=list(files))}
        for pk in files:
            document = found_docs.get(pk)
            if document is None:
                continue
            size = document.file_size or _storage_size(document.file)
            kind = "document" if pk in document_ids else "media"
            v = _item_version(document.url, document.file_hash or size)
            items.append(OfflineItem(url=document.url, kind=kind, size=size, title=document.title, v=v))
    return OfflineBundle(course=course, module=module, version=version, items=items, needs_internet=needs_internet)


def _uuid_text(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def _packages(package_ids: list[str]) -> list[ContentPackage]:
    """The stored packages the lessons play (one query; none without packages)."""
    from content.packages.models import ContentPackage

    valid = []
    for value in package_ids:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return list(ContentPackage.objects.filter(uuid__in=valid).order_by("pk")) if valid else []


def _package_items(packages: list[ContentPackage], *, user) -> list[OfflineItem]:
    """The files of the packages the lessons play, on the package origin, with their runtime (Ruta's static files
    the package pages load there): nothing without a package origin (their sandbox cannot be served offline), and
    nothing of a package that needs the Internet (the caller leaves those out: they would not play offline).
    Addresses carry a fresh token for this learner; the phone keeps them without it (content/packages/origin.py)."""
    from django.templatetags.static import static
    from django.urls import reverse

    from content.packages.models import ContentPackage
    from content.packages.origin import package_origin, package_url
    from content.packages.selectors import H5P_FRAME_BYTES, package_file_sizes, package_runtime_static
    from content.packages.views import file_token

    if not packages or not package_origin():
        return []
    items: list[OfflineItem] = []
    runtime: dict[str, None] = {}
    for package in packages:
        token = file_token(package, user_id=getattr(user, "pk", None))
        if package.engine == ContentPackage.Engine.H5P:
            url = package_url(reverse("packages:h5p_frame", args=[package.uuid, token]))
            v = _item_version(package.uuid, "h5p", static(_H5P_MAIN))
            items.append(OfflineItem(url=url, kind="package", size=H5P_FRAME_BYTES, title=package.title, v=v))
        for name, size in package_file_sizes(package):
            url = package_url(reverse("packages:package_file", args=[package.uuid, token, name]))
            v = _item_version(package.uuid, name, size)
            items.append(OfflineItem(url=url, kind="package", size=size, title=package.title, v=v))
        runtime.update(dict.fromkeys(package_runtime_static(package.engine)))
    for name in runtime:
        url, size = package_url(static(name)), _static_size(name)
        items.append(OfflineItem(url=url, kind="package", size=size, v=_item_version(url, size)))
    return items


def learner_data_export(*, user) -> dict[str, Any]:
    """A person's enrolments and lesson progress for their own data export (JSON-serialisable)."""

    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    enrollments = (
        Enrollment.objects.filter(user=user)
        .select_related("course", "last_lesson")
        .prefetch_related("lesson_progress__lesson")
        .order_by("enrolled_at", "pk")
    )
    return {
        "enrollments": [
            {
                "course": enrollment.course.title,
                "status": enrollment.status,
                "source": enrollment.source,
                "score": enrollment.score,
                "enrolled_at": iso(enrollment.enrolled_at),
                "last_activity_at": iso(enrollment.last_activity_at),
                "last_lesson": enrollment.last_lesson.title if enrollment.last_lesson else None,
                "completed_at": iso(enrollment.completed_at),
                "offline_downloaded_at": iso(enrollment.offline_downloaded_at),
                "offline_synced_at": iso(enrollment.offline_synced_at),
                "lesson_progress": [
                    {
                        "lesson": progress.lesson.title,
                        "status": progress.status,
                        "score": progress.score,
                        "completed_at": iso(progress.completed_at),
                        "updated_at": iso(progress.updated_at),
                    }
                    for progress in sorted(enrollment.lesson_progress.all(), key=lambda p: p.pk)
                ],
            }
            for enrollment in enrollments
        ]
    }
