"""Turning an uploaded package into a draft course: inspect, then import (pages and blocks in one transaction).

Rules enforced here:
- a package is imported only if the doctor found no error; the report is kept with the import;
- every page is created as a draft (not live) in one transaction: a failed import leaves no page, no package
  row, and removes any file it had stored;
- without a target, the course goes into the catalogue's "Cursos importados" programme (a draft programme
  created on first use); into a programme → a new course; into a course → new modules; into a module → lessons;
- outline blocks become lesson-body blocks in the shapes of ``content.blocks`` (single/multiple choice,
  true/false, fill in the blanks, self reflection) and ``courses.blocks`` (text, video); SCORM/H5P content that
  must be played becomes a ``package`` block when lesson bodies offer it, else a text block with a link;
- what cannot be converted is listed in the summary, never silently dropped.

Must not import certification.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import logging
import posixpath
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from content.packages.archive import SafeArchive, open_archive
from content.packages.errors import PackageRefused
from content.packages.h5p import MARK_WORDS_MAX, mark_words_options
from content.packages.inspection import DoctorReport, package_inspect
from content.packages.media import lesson_media_delete, lesson_media_name, lesson_media_open, lesson_media_save
from content.packages.models import ContentPackage
from content.packages.needs_internet import package_internet_record
from content.packages.outline import (
    Block,
    ChoiceActivity,
    FillBlanksActivity,
    Image,
    MarkWordsActivity,
    NativeActivity,
    NumericActivity,
    Outline,
    PackagePlayer,
    RichText,
    TextEntryActivity,
    Unsupported,
    Video,
)
from content.packages.safexml import sanitize_html
from content.packages.services import (
    content_package_files_delete,
    content_package_store,
    file_sha256,
    package_writes_score,
)
from courses.blocks import LESSON_BODY_BLOCKS
from courses.models import CataloguePage, CoursePage, LessonPage, ModulePage, ProgrammePage

from .course_pages import (
    IMAGE_EXTENSIONS,
    STORED_MEDIA,
    CourseExport,
    ImportSummary,
    course_pages_export,
    course_pages_import,
    lossless_target,
    outline_modules,
    rewrite_media,
    unique_slug,
)
from .course_pages import _is_raster_image as is_raster_image
from .models import PackageImport

if TYPE_CHECKING:
    from lms.accounts.models import Institution, User

logger = logging.getLogger(__name__)

IMPORTED_PROGRAMME_SLUG = "cursos-importados"
BODY_BLOCK_NAMES = frozenset(name for name, _block in LESSON_BODY_BLOCKS)

Progress = Callable[[int], None]


# --- inspecting ------------------------------------------------------------------------------------------


def package_import_create(
    *,
    file: File | Path,
    original_name: str = "",
    user: User | None = None,
    target_page: Page | None = None,
    institution: Institution | None = None,
) -> PackageImport:
    """Store the upload, run the package doctor and record its report (status inspected or refused).
    ``institution``: whom the uploader imports for; the course the import creates belongs to it."""
    if isinstance(file, Path):
        with open(file, "rb") as fh:
            return package_import_create(
                file=File(fh, name=file.name),
                original_name=original_name or file.name,
                user=user,
                target_page=target_page,
                institution=institution,
            )
    name = posixpath.basename(original_name or file.name or "paquete.zip")[:255]
    record = PackageImport(original_name=name, uploaded_by=user if getattr(user, "pk", None) else None)
    record.target_page = target_page
    record.institution = institution
    record.upload.save(f"{uuid.uuid4().hex}{_suffix(name)}", file, save=False)
    try:
        record.sha256 = file_sha256(record.upload.path) if _local(record) else ""
        report = package_inspect(_upload_path(record))
        _apply_report(record, report)
        _forget_refused_upload(record)
        record.save()
    except BaseException:  # the doctor refuses bad packages itself; if it breaks anyway, no upload stays behind
        record.upload.delete(save=False)
        raise
    return record


def _suffix(name: str) -> str:
    low = name.lower()
    for suffix in (".tar.gz", ".zip", ".h5p", ".imscc", ".tgz"):
        if low.endswith(suffix):
            return suffix
    return ".bin"


def _local(record: PackageImport) -> bool:
    try:
        record.upload.path  # noqa: B018 - storage without local paths raises
    except NotImplementedError:
        return False
    return True


def _upload_path(record: PackageImport) -> Path:
    if _local(record):
        return Path(record.upload.path)
    # remote storage: copy to a local temporary file the archive reader can seek in
    import tempfile

    tmp = Path(tempfile.mkstemp(prefix="ruta-upload-", suffix=_suffix(record.original_name))[1])
    with record.upload.open("rb") as src, open(tmp, "wb") as out:
        for chunk in iter(lambda: src.read(1024 * 1024), b""):
            out.write(chunk)
    return tmp


def _apply_report(record: PackageImport, report: DoctorReport) -> None:
    data = report.as_dict()
    data.pop("outline", None)  # the outline is rebuilt from the file at import time
    record.report = data
    record.format = report.format
    record.format_label = report.format_label
    record.title = (report.title or "")[:255]
    if report.outline is not None:
        import dataclasses

        record.provenance = dataclasses.asdict(report.outline.provenance)
    if report.importable:
        record.status = PackageImport.Status.INSPECTED
        record.error = ""
    else:
        record.status = PackageImport.Status.REFUSED
        record.error = report.refusal


def _forget_refused_upload(record: PackageImport) -> None:
    """A refused package is refused for good (it is never imported, a new upload is a new record): its stored
    copy goes at once, bombs included. A failed import keeps its file, since it can be started again."""
    if record.status == PackageImport.Status.REFUSED and record.upload:
        with contextlib.suppress(OSError):
            record.upload.delete(save=False)


def package_import_refused_uploads_delete() -> int:
    """Delete the stored file of every refused import that still has one (those refused before refusals
    deleted their upload); returns how many. Safe to run any time: refused imports never run."""
    deleted = 0
    for record in PackageImport.objects.filter(status=PackageImport.Status.REFUSED).exclude(upload="").iterator():
        _forget_refused_upload(record)
        record.save(update_fields=["upload"])
        deleted += 1
    return deleted


# --- importing ---------------------------------------------------------------------------------------------


def package_import_run(
    *, package_import: PackageImport, user: User | None = None, progress: Progress | None = None
) -> PackageImport:
    """Import an inspected package as draft pages. Idempotent: a finished import is returned unchanged."""
    record = PackageImport.objects.get(pk=package_import.pk)
    if record.status == PackageImport.Status.DONE or record.status == PackageImport.Status.REFUSED:
        return record

    def step(percent: int) -> None:
        PackageImport.objects.filter(pk=record.pk).update(progress=percent, progress_at=timezone.now())
        if progress:
            progress(percent)

    PackageImport.objects.filter(pk=record.pk).update(
        status=PackageImport.Status.RUNNING, progress=5, error="", progress_at=timezone.now()
    )
    stored: list[tuple[str, list[str]]] = []
    media_names: list[str] = []  # lesson media, in the private storage
    library_names: list[str] = []  # images and documents for the library, in the default (public) storage
    try:
        path = _upload_path(record)
        report = package_inspect(path)
        if not report.importable or report.outline is None:
            _apply_report(record, report)
            _forget_refused_upload(record)
            record.finished_at = timezone.now()
            record.save()
            return record
        outline = report.outline
        step(15)
        with open_archive(path) as archive:
            lossless = _ruta_section(archive) if report.format == "ruta" else None
            if lossless is not None:
                step(30)
                with transaction.atomic():
                    target = lossless_target(record.target_page, lambda: _imported_programme(user))
                    course, summary = course_pages_import(
                        data=lossless,
                        archive=archive,
                        target=target,
                        owner=str(record.pk),
                        user=user or record.uploaded_by,
                        written=media_names,
                        written_library=library_names,
                        stored_packages=stored,
                        institution=record.institution,
                    )
                    packages = [ContentPackage.objects.get(storage_prefix=prefix) for prefix, _names in stored]
                    for stored_package in packages:  # scanned now, so its first learner does not wait for it
                        package_internet_record(stored_package)
                    _finish(record, course=course, summary=summary, package=packages[0] if packages else None)
                return record
            package = None
            if outline.keeps_package_files:
                package = content_package_store(
                    archive=archive,
                    engine="h5p" if outline.format == "h5p" else outline.format,
                    title=outline.title,
                    version=outline.format_version,
                    provenance=_provenance(outline),
                    sha256=record.sha256,
                )
                stored.append((package.storage_prefix, archive.names()))
                package_internet_record(package)  # whether it needs the Internet, kept for offline downloads
            step(50)
            media_urls = _store_media(archive, outline, record, media_names)
            scored = package is not None and _single_sco_writes_score(outline, archive)
            step(65)
            with transaction.atomic():
                course, summary = outline_to_pages(
                    outline=outline,
                    parent=record.target_page,
                    package=package,
                    media_urls=media_urls,
                    archive=archive,
                    user=user or record.uploaded_by,
                    writes_score=scored,
                    institution=record.institution,
                    written_library=library_names,
                )
                _finish(record, course=course, summary=summary, package=package)
        return record
    except Exception as exc:  # any failure: nothing half-made stays behind, and the admin sees why
        logger.warning("package import %s failed: %s", record.pk, exc, exc_info=not isinstance(exc, PackageRefused))
        for prefix, names in stored:
            content_package_files_delete(prefix=prefix, names=names)
            ContentPackage.objects.filter(storage_prefix=prefix).delete()
        for name in media_names:
            with contextlib.suppress(OSError):
                lesson_media_delete(name)
        for name in library_names:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        record.refresh_from_db()
        record.status = PackageImport.Status.FAILED
        record.error = str(exc) if isinstance(exc, PackageRefused) else _failure_message(exc)
        record.finished_at = timezone.now()
        record.save()
        return record


def _single_sco_writes_score(outline: Outline, archive: SafeArchive) -> bool:
    """Whether a SCORM package with one SCO writes a score from its own scripts (``package_writes_score``). With
    several SCOs the scripts are usually shared (one launch page for every SCO, as in Rustici's sequencing
    examples), so a score write found there does not tell which SCO is the test: only the manifest's mastery score
    marks those graded, and the author ticks the rest."""
    if outline.format not in ("scorm12", "scorm2004"):
        return False
    tracked = [b for b in outline.blocks() if isinstance(b, PackagePlayer) and b.tracked]
    return len(tracked) == 1 and package_writes_score(archive)


def _failure_message(exc: BaseException) -> str:
    """What the admin reads about an unexpected failure: never the exception's own text, which may name server
    paths or database details (that goes to the log)."""
    if isinstance(exc, OSError):
        return _(
            "La importación falló: no se pudieron guardar los archivos del paquete en el servidor. "
            "No se creó nada; inténtelo de nuevo o avise a quien administra Ruta."
        )
    return _(
        "La importación falló por un error inesperado del servidor. No se creó nada; "
        "avise a quien administra Ruta (el detalle quedó en el registro)."
    )


def _finish(record: PackageImport, *, course: Page, summary: ImportSummary, package: Any) -> None:
    record.course_page = course
    record.package = package
    record.summary = summary.as_dict()
    record.status = PackageImport.Status.DONE
    record.progress = 100
    record.finished_at = timezone.now()
    record.save()


def _ruta_section(archive: SafeArchive) -> dict[str, Any] | None:
    """The lossless part of a Ruta package (format 2 and later), or None for a format 1 package."""
    import json

    from content.packages.ruta import MANIFEST

    manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))  # already validated by the doctor
    section = manifest.get("ruta")
    return section if isinstance(section, dict) else None


def _provenance(outline: Outline) -> dict[str, Any]:
    import dataclasses

    return dataclasses.asdict(outline.provenance)


def _store_media(archive: SafeArchive, outline: Outline, record: PackageImport, written: list[str]) -> dict[str, str]:
    """Store the files rich text refers to (raster images, PDFs, audio, video only) → {ref: url}."""
    urls: dict[str, str] = {}
    wanted = {m.path: (m.ref or m.path) for m in outline.media}
    for block in outline.blocks():
        if isinstance(block, Image) and block.path:
            wanted.setdefault(block.path, block.path)
    base = "files/" if archive.has("ruta-package.json") else ""  # a Ruta package keeps its files under files/
    for path, ref in sorted(wanted.items()):
        if not path.lower().endswith(STORED_MEDIA) or not archive.has(base + path):
            continue
        data = archive.read(base + path, max_size=archive.limits.max_entry_size)
        digest = hashlib.sha256(data).hexdigest()[:16]
        name, urls[ref] = lesson_media_save(
            name=f"{record.pk}/{digest}-{slugify(posixpath.basename(path))[:60]}{_ext(path)}", data=data
        )
        written.append(name)
    return urls


def _ext(path: str) -> str:
    return posixpath.splitext(path)[1].lower()


# --- outline → pages ---------------------------------------------------------------------------------------


def _unique_slug(parent: Page, title: str) -> str:
    return unique_slug(parent, title)


def _add_draft(parent: Page, page: Page, user: User | None = None) -> Page:
    page.live = False
    page.slug = _unique_slug(parent, page.title)
    parent.add_child(instance=page)
    page.save_revision(user=user if getattr(user, "pk", None) else None, log_action=False)
    return page


def _imported_programme(user: User | None = None) -> ProgrammePage:
    catalogue = CataloguePage.objects.first()
    if catalogue is None:
        raise PackageRefused(
            _("No hay un catálogo de cursos donde importar. Cree el catálogo o indique dónde importar."),
            code="no_catalogue",
        )
    existing = ProgrammePage.objects.child_of(catalogue).filter(slug=IMPORTED_PROGRAMME_SLUG).first()
    if existing is not None:
        imported_programme_grant(existing)
        return existing
    programme = ProgrammePage(title=_("Cursos importados"), summary=_("Borradores creados al importar paquetes."))
    programme.live = False
    programme.slug = IMPORTED_PROGRAMME_SLUG
    catalogue.add_child(instance=programme)
    imported_programme_grant(programme)
    return programme


#: What the institution-admin group may do under «Cursos importados» (Wagtail page permissions). Which courses
#: there a member may touch is narrowed to their institutions' by ``courses.page_permissions``.
IMPORTED_PROGRAMME_PERMISSIONS = ("add_page", "change_page", "publish_page")


def imported_programme_grant(programme: Page) -> None:
    """Give the institution-admin group its page permissions on the «Cursos importados» programme (idempotent; the
    migration ``0006_institution_admin_imported_courses`` does the same for a programme that already existed)."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission

    from lms.accounts.services import institution_admin_group

    group = institution_admin_group()
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", content_type__model="page", codename__in=IMPORTED_PROGRAMME_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=programme, permission=permission)


def _cut_at_hyphen(slug: str, limit: int) -> str:
    """The longest run of whole words of ``slug`` that fits in ``limit`` characters (a single over-long word is
    cut, there is no boundary to keep)."""
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1].rfind("-")
    return slug[:cut] if cut > 0 else slug[:limit]


def _course_code(outline: Outline) -> str:
    """``IMP-<title words>``, cut between words (never mid-word), unique, within the 40 characters of
    ``CoursePage.code``."""
    base = (_cut_at_hyphen(slugify(outline.title), 32) or "curso").upper()
    code, n = f"IMP-{base}", 2
    while CoursePage.objects.filter(code=code).exists():
        code = f"IMP-{base}-{n}"
        n += 1
    return code[:40]


def outline_to_pages(
    *,
    outline: Outline,
    parent: Page | None,
    package: Any = None,
    media_urls: dict[str, str] | None = None,
    archive: SafeArchive | None = None,
    user: User | None = None,
    writes_score: bool = False,
    institution: Institution | None = None,
    written_library: list[str] | None = None,
) -> tuple[Page, ImportSummary]:
    """Create draft pages for ``outline`` under ``parent`` (see module docstring). Call inside a transaction.
    ``writes_score``: the package's scripts report a score, so its SCO is imported «Calificado» (as one whose
    manifest declares a mastery score is). ``institution``: the owner of a course it creates
    (``CoursePage.institution``; a course it adds to keeps its own). ``written_library``: the names of the
    Wagtail image files it stores (the pictures of the package's text), for the caller to remove on failure."""
    summary = ImportSummary()
    pictures = Pictures(user=user, written_library=written_library)
    target = parent.specific if parent is not None else _imported_programme(user)
    if isinstance(target, ProgrammePage | CataloguePage):
        if isinstance(target, CataloguePage):
            target = _imported_programme(user)
        language = outline.language[:2] if outline.language[:2] in ("es", "en") else "es"
        course = CoursePage(
            title=outline.title[:255] or _("Curso importado"),
            code=_course_code(outline),
            summary=outline.description[:300],
            language=language,
            institution=institution,
        )
        course = _add_draft(target, course, user)
        modules_parent: Page = course
        result: Page = course
    elif isinstance(target, CoursePage | ModulePage):
        modules_parent = result = target
    else:
        raise PackageRefused(
            _("Solo se puede importar dentro de un programa, un curso o un módulo (no en «%(t)s»).")
            % {"t": target.title},
            code="bad_target",
        )

    for module in outline.modules:
        if isinstance(modules_parent, ModulePage):
            module_page = modules_parent
        else:
            module_page = _add_draft(modules_parent, ModulePage(title=module.title[:255] or _("Módulo")), user)
            summary.modules += 1
        for lesson in module.lessons:
            body, counts = lesson_body(
                lesson.blocks,
                package=package,
                media_urls=media_urls or {},
                writes_score=writes_score,
                pictures=pictures,
            )
            summary.skipped.extend(f"{lesson.title}: {s}" for s in counts["skipped"])
            if not body:
                summary.skipped.append(_("%(t)s: la lección quedó vacía y no se creó") % {"t": lesson.title})
                continue
            has_activities = counts["activities"] + counts["players"] > 0
            page = LessonPage(
                title=lesson.title[:255] or _("Lección"),
                body=body,
                completion_rule=LessonPage.CompletionRule.ACTIVITIES
                if has_activities
                else LessonPage.CompletionRule.VIEWED,
            )
            _add_draft(module_page, page, user)
            summary.lessons += 1
            summary.activities += counts["activities"]
            summary.players += counts["players"]
    if summary.lessons == 0:
        # An import that yields no lesson would be an empty course reported as a success: refuse it and say why.
        raise PackageRefused(
            _("El paquete no produjo ninguna lección, así que no se creó el curso. Lo que no se pudo usar: %(s)s")
            % {"s": "; ".join(summary.skipped) or _("el paquete no tiene contenido que mostrar")},
            code="no_lessons",
        )
    summary.media = len(media_urls or {})
    return result, summary


# --- pictures ----------------------------------------------------------------------------------------------

IMPORTED_IMAGES_COLLECTION = "Paquetes importados"


class Pictures:
    """Wagtail images made from the package's stored media files, one per file within an import.

    The page editor's rich text never holds a raw ``<img>``: each picture becomes an ``image`` block (responsive
    WebP renditions). A file Wagtail cannot take as an image (SVG, damaged, missing) gives ``None``."""

    def __init__(self, *, user: User | None = None, written_library: list[str] | None = None) -> None:
        self.user = user
        self.written_library = written_library if written_library is not None else []
        self._made: dict[str, Any] = {}
        self._collection: Collection | None = None

    def collection(self) -> Collection:
        if self._collection is None:
            # Wagtail's migration creates the root collection; a flushed database (transactional tests) has none.
            root = Collection.get_first_root_node() or Collection.add_root(name="Root")
            found = Collection.objects.child_of(root).filter(name=IMPORTED_IMAGES_COLLECTION).first()
            self._collection = found or root.add_child(name=IMPORTED_IMAGES_COLLECTION)
        return self._collection

    def image(self, url: str, alt: str = "") -> Any | None:
        try:
            name = lesson_media_name(url)
        except PackageRefused:
            return None
        if not name or _ext(name) not in IMAGE_EXTENSIONS:
            return None
        if name in self._made:
            return self._made[name]
        image = None
        try:
            with lesson_media_open(name) as fh:
                data = fh.read()
        except OSError:
            data = b""
        if data and is_raster_image(data):
            image_model = get_image_model()
            file_name = re.sub(r"^[0-9a-f]{16}-", "", posixpath.basename(name))  # _store_media's digest prefix
            title = (alt.strip() or file_name)[:255]
            image = image_model(title=title, uploaded_by_user=self.user, collection=self.collection())
            stem = posixpath.splitext(posixpath.basename(name))[0]
            image.file.save(f"{slugify(stem)[:60] or 'imagen'}{_ext(name)}", ContentFile(data), save=False)
            self.written_library.append(image.file.name)
            # FieldFile.save on a new image leaves width and height empty (NOT NULL columns): read them now
            image_model._meta.get_field("file").update_dimension_fields(image, force=True)
            image._set_image_file_metadata()
            image.save()
        self._made[name] = image
        return image


_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:"[^"]*"|'[^']*'|[^'">])*)>""")
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
# HTML's void elements: Wagtail's rich-text format writes them self-closed (``<br/>``); its editor fails on ``<br>``
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


def _attrs(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "") for m in _ATTR.finditer(text)
    }


def _has_content(markup: str) -> bool:
    return bool(html.unescape(re.sub(r"<[^>]*>", "", markup)).strip())


def _picture_label(url: str, alt: str) -> str:
    return alt.strip() or posixpath.basename(url.split("?", 1)[0].split("#", 1)[0]) or _("imagen")


def _picture_link(url: str, alt: str) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(_picture_label(url, alt))}</a>'


def _picture_skipped(url: str, alt: str) -> str:
    return _("la imagen «%(f)s» no es una imagen que Ruta pueda mostrar y quedó como enlace") % {
        "f": _picture_label(url, alt)
    }


def _image_block(image: Any, alt: str) -> dict[str, Any]:
    return _block("image", {"image": image.pk, "alt": alt.strip()[:250], "caption": ""})


def text_with_pictures(markup: str, pictures: Pictures, skip: Callable[[str], None]) -> list[dict[str, Any]]:
    """``text`` blocks split around the pictures of ``markup``: each picture becomes an ``image`` block in
    document order (no empty text block); one Wagtail cannot take stays a link in the text, noted in ``skip``.
    Void elements are written self-closed (``<br/>``), as the page editor expects."""
    blocks: list[dict[str, Any]] = []
    parts: list[str] = []
    stack: list[tuple[str, str]] = []  # open tags: (name, the tag as written)
    position = 0

    def flush() -> None:
        chunk = "".join(parts) + "".join(f"</{name}>" for name, _tag in reversed(stack))
        if _has_content(chunk):
            blocks.append(_block("text", chunk))
        parts[:] = [tag for _name, tag in stack]

    for match in _TAG.finditer(markup):
        parts.append(markup[position : match.start()])
        position = match.end()
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name == "img" and not closing:
            attrs = _attrs(match.group(3))
            url, alt = attrs.get("src", ""), attrs.get("alt", "")
            image = pictures.image(url, alt) if url else None
            if image is not None:
                flush()
                blocks.append(_image_block(image, alt))
            elif url and url != "#":
                link = _picture_link(url, alt)
                parts.append(link if stack else f"<p>{link}</p>")
                skip(_picture_skipped(url, alt))
            else:
                skip(_("una imagen que el paquete no trae se omitió"))
            continue
        self_closed = match.group(3).rstrip().endswith("/")
        if name in _VOID and not closing and not self_closed:
            parts.append(f"<{match.group(2)}{match.group(3).rstrip()}/>")
            continue
        parts.append(match.group(0))
        if closing:
            for index in range(len(stack) - 1, -1, -1):
                if stack[index][0] == name:
                    del stack[index:]
                    break
        elif name not in _VOID and not self_closed:
            stack.append((name, match.group(0)))
    parts.append(markup[position:])
    chunk = "".join(parts)
    if _has_content(chunk):
        blocks.append(_block("text", chunk))
    return blocks


# --- blocks -------------------------------------------------------------------------------------------------


def _block(kind: str, value: Any) -> dict[str, Any]:
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def _activity(kind: str, prompt: str, **fields: Any) -> dict[str, Any]:
    return _block(
        kind,
        {"title": "", "prompt": prompt or _("Responde la pregunta."), "max_attempts": 0, "pass_mark": 60, "weight": 1,
         **fields},
    )  # fmt: skip


def _feedback_pair(choices: list[Any]) -> tuple[str, str]:
    ok = next((c.feedback for c in choices if c.correct and c.feedback), "")
    wrong = next((c.feedback for c in choices if not c.correct and c.feedback), "")
    return ok, wrong


def lesson_body(
    blocks: list[Block],
    *,
    package: Any = None,
    media_urls: dict[str, str],
    writes_score: bool = False,
    pictures: Pictures | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Raw StreamField data for a lesson body, and counts (activities, players, skipped reasons). Pictures become
    ``image`` blocks (Wagtail images made by ``pictures``), never a raw ``<img>`` in a text block."""
    pictures = pictures if pictures is not None else Pictures()
    body: list[dict[str, Any]] = []
    counts: dict[str, Any] = {"activities": 0, "players": 0, "skipped": []}

    def skip(reason: str) -> None:
        counts["skipped"].append(reason)

    for block in blocks:
        if isinstance(block, RichText):
            if block.html:
                markup = rewrite_media(sanitize_html(block.html), media_urls, skip)
                body.extend(text_with_pictures(markup, pictures, skip))
        elif isinstance(block, Image):
            url = media_urls.get(block.path)
            if url:
                image = pictures.image(url, block.alt or "")
                if image is not None:
                    body.append(_image_block(image, block.alt or ""))
                else:
                    body.append(_block("text", f"<p>{_picture_link(url, block.alt or '')}</p>"))
                    skip(_picture_skipped(url, block.alt or ""))
        elif isinstance(block, Video):
            video = {"title": block.title or _("Video"), "url": block.url, "file": None, "poster": None}
            body.append(_block("video", {**video, "captions": None, "duration": "", "transcript": ""}))
        elif isinstance(block, ChoiceActivity):
            explanation = block.explanation
            options = [{"text": c.text[:500], "correct": c.correct, "feedback": c.feedback or explanation}
                       for c in block.choices]  # fmt: skip
            correct = [c for c in block.choices if c.correct]
            if block.style == "true_false" and len(block.choices) == 2:
                ok, wrong = _feedback_pair(block.choices)
                body.append(_activity("true_false", block.prompt, correct_answer="true" if block.choices[0].correct
                                      else "false", feedback_correct=ok or explanation,
                                      feedback_incorrect=wrong or explanation))  # fmt: skip
            elif block.multiple or len(correct) != 1:
                body.append(_activity("multiple_choice", block.prompt, options=options))
            else:
                body.append(_activity("single_choice", block.prompt, options=options))
            counts["activities"] += 1
        elif isinstance(block, FillBlanksActivity):
            text = block.text
            for index, blank in enumerate(block.blanks, start=1):
                text = text.replace(f"[[{index}]]", "[[" + "|".join(a.replace("|", "/") for a in blank.answers) + "]]")
            body.append(_activity("fill_blanks", block.prompt or _("Completa los espacios."), text=text,
                                  word_bank="\n".join(block.word_bank) if block.drag_words else "",
                                  feedback_correct="", feedback_incorrect=block.explanation))  # fmt: skip
            counts["activities"] += 1
        elif isinstance(block, TextEntryActivity):
            if block.regexp and block.answers and block.answers[0] in (".*", ".*.", ".+", ".+."):
                body.append(_block("self_reflection", {"title": "", "prompt": block.prompt, "closing_message":
                                                       block.explanation, "max_length": 3000}))  # fmt: skip
                counts["activities"] += 1
            elif block.regexp:
                skip(_("una respuesta de texto con patrón (expresión regular) no se puede convertir"))
            else:
                answers = "|".join(a.replace("|", "/") for a in block.answers)
                body.append(_activity("fill_blanks", block.prompt, text=f"[[{answers}]]", feedback_correct="",
                                      feedback_incorrect=block.explanation))  # fmt: skip
                counts["activities"] += 1
        elif isinstance(block, NumericActivity):
            values = _numeric_answers(block)
            if values:
                body.append(_activity("fill_blanks", block.prompt, text="[[" + "|".join(values) + "]]",
                                      feedback_correct="", feedback_incorrect=block.explanation))  # fmt: skip
                counts["activities"] += 1
            else:
                skip(_("una respuesta numérica con margen de error amplio no se puede convertir"))
        elif isinstance(block, MarkWordsActivity):
            words = mark_words_options(block.text)
            if 2 <= len(words) <= MARK_WORDS_MAX:
                options = [{"text": w, "correct": w in block.correct_words, "feedback": ""} for w in words]
                body.append(_activity("multiple_choice", f"{block.prompt}\n{block.text}".strip(), options=options))
                counts["activities"] += 1
            else:
                skip(_("«marcar palabras» con un texto largo no se puede convertir"))
        elif isinstance(block, PackagePlayer):
            body.append(_player_block(block, package, writes_score=writes_score))
            counts["players"] += 1
        elif isinstance(block, NativeActivity):
            skip(_("la actividad «%(k)s» viene sin sus datos completos") % {"k": block.title or block.kind})
        elif isinstance(block, Unsupported):
            skip(block.reason or block.kind)
    return body, counts


def _numeric_answers(block: NumericActivity) -> list[str]:
    def fmt(value: float) -> str:
        return str(int(value)) if float(value).is_integer() else repr(value)

    if block.tolerance == 0:
        return [fmt(block.answer)]
    if float(block.answer).is_integer() and block.tolerance <= 10:
        low, high = int(block.answer - block.tolerance), int(block.answer + block.tolerance)
        return [str(v) for v in range(low, high + 1)]
    return []


def _player_block(block: PackagePlayer, package: Any, *, writes_score: bool = False) -> dict[str, Any]:
    # «Calificado» by default when the package declares a pass mark or its scripts report a score: then its score
    # counts, and completing it without passing does not complete the lesson (the author may untick it).
    graded = block.tracked and (block.mastery_score is not None or writes_score)
    value = {
        "package": str(package.uuid) if package is not None else "",
        "engine": block.engine,
        "title": block.title[:255],
        "launch": block.launch,
        "parameters": block.parameters,
        "tracked": block.tracked,
        "mastery_score": block.mastery_score,
        "graded": graded,
        "weight": 1,
    }
    if "package" in BODY_BLOCK_NAMES:
        return _block("package", value)
    # Lesson bodies do not offer the package block yet: keep the content reachable through a stable link.
    from django.urls import reverse

    if package is None:
        return _block("text", f"<p>{html.escape(block.title)}</p>")
    if block.engine == "h5p":
        url = reverse("packages:package_open", args=[package.uuid])
    else:
        url = reverse("packages:open_file", args=[package.uuid, block.launch])
        if block.parameters:
            url += "?" + block.parameters
    text = _("Abrir la actividad interactiva «%(t)s»") % {"t": block.title}
    return _block("text", f'<p><a href="{html.escape(url)}">{html.escape(text)}</a></p>')


# --- export ------------------------------------------------------------------------------------------------


def _export_outline(
    *, course: CoursePage, adapted_by: str = "", change_note: str = "", version: str = ""
) -> tuple[Outline, CourseExport]:
    import dataclasses

    from content.packages.outline import Provenance

    latest = PackageImport.objects.filter(course_page=course, status=PackageImport.Status.DONE).order_by("-pk").first()
    names = {f.name for f in dataclasses.fields(Provenance)}
    provenance = Provenance(**{k: str(v) for k, v in (latest.provenance if latest else {}).items() if k in names})
    provenance.source_identifier = provenance.source_identifier or f"ruta:{course.code}"
    if version and version != provenance.version:
        previous = provenance.version
        provenance.parent_identifier = (
            f"{provenance.source_identifier}@{previous}" if previous else provenance.source_identifier
        )
        provenance.version = version
    if adapted_by:
        provenance.adapted_by = adapted_by
    if change_note:
        provenance.change_note = change_note
    export = course_pages_export(course)
    programmes = export.data["extra"].get("certificate_programmes") or []
    outline = Outline(
        title=export.data["course"]["title"],
        format="ruta",
        identifier=provenance.source_identifier,
        description=course.summary,
        language=course.language,
        modules=outline_modules(export),
        provenance=provenance,
        certificate_programme=programmes[0]["slug"] if programmes else "",
    )
    return outline, export


def course_export_write(
    *, course: CoursePage, dest: Any, adapted_by: str = "", change_note: str = "", version: str = ""
) -> list[str]:
    """Write a course (draft content included) as a Ruta package to ``dest`` (a path or a binary stream); files
    are streamed. Returns what could not travel (a missing image, a link outside the course…), for the user.

    Provenance comes from the import that created the course; a new ``version`` records the previous one as the
    parent (``<identifier>@<version>``), so an institution's adaptation stays linked to the original."""
    from content.packages.ruta import ruta_package_write

    outline, export = _export_outline(course=course, adapted_by=adapted_by, change_note=change_note, version=version)
    ruta_package_write(outline, files=export.files, dest=dest, ruta=export.data)
    return export.problems


def course_export(
    *, course: CoursePage, adapted_by: str = "", change_note: str = "", version: str = ""
) -> tuple[bytes, list[str]]:
    """``course_export_write`` into memory: the package's bytes and what could not travel."""
    import io

    buf = io.BytesIO()
    problems = course_export_write(
        course=course, dest=buf, adapted_by=adapted_by, change_note=change_note, version=version
    )
    return buf.getvalue(), problems


# --- publishing ---------------------------------------------------------------------------------------------


def imported_course_publish(*, course: CoursePage, user: User | None = None) -> list[Page]:
    """Publishing an imported course publishes what the import created with it: its modules and lessons that were
    never published, and the draft programme folder it was put in, so it opens whole and shows in the catalogue.

    Only pages that have never been live are touched: a lesson an editor unpublished later stays unpublished, and
    courses that did not come from an import are left to Wagtail's usual page-by-page publishing."""
    if not PackageImport.objects.filter(course_page=course).exists():
        return []
    published: list[Page] = []
    with transaction.atomic():
        never_live = Page.objects.filter(live=False, first_published_at__isnull=True)
        for page in never_live.descendant_of(course).order_by("path").specific():
            _publish(page, user)
            published.append(page)
        for page in never_live.ancestor_of(course).type(ProgrammePage).specific():
            _publish(page, user)
            published.append(page)
    return published


def _publish(page: Page, user: User | None) -> None:
    revision = page.get_latest_revision() or page.save_revision(user=user if getattr(user, "pk", None) else None)
    revision.publish(user=user if getattr(user, "pk", None) else None)
