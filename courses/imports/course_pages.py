"""The lossless part of a Ruta package (format 2): a course exactly as Ruta stores it, and back.

Export writes the page fields of the course, its modules and lessons, and each lesson's StreamField JSON with
everything that only makes sense on this site replaced by a reference into the package:

- image choosers and rich-text image embeds → ``image:<key>`` (file under ``images/``, with title, description
  and focal point);
- document choosers and rich-text document links → ``document:<key>`` (file under ``documents/``);
- links to pages of the same course → ``page:course``, ``page:m<i>``, ``page:m<i>.l<j>``; links to other pages
  become ordinary links to their public address (listed in the report);
- a SCORM/H5P ``package`` block's stored package → ``package:p<n>`` (all its files under ``packages/p<n>/``);
- files of Ruta's storage that rich text links to (e.g. media of an imported OLX course) → ``static/<hash>.<ext>``.

Block ids are left out: they are the usage ids of activities (learners' answers hang on them), so an import
always gives fresh ids, and two imports of one package never share answers. Keys are content hashes or
positions, so export → import → export gives the same bytes.

Import reverses every reference, checking what it creates: images must be real raster images, documents must
have an extension from an allow-list (no HTML or SVG served from Ruta's origin), an identical file already in
the library is reused. Everything runs inside the caller's transaction; files written are recorded so a failed
import can remove them: lesson media (private storage) in ``written``, library images and documents (the default
storage, public) in ``written_library``.

Must not import certification (it adds its programmes through ``courses.imports.signals``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import io
import posixpath
import re
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail import blocks as wagtail_blocks
from wagtail.documents import get_document_model
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page
from wagtail.utils.file import hash_filelike

from content.packages.archive import SafeArchive, check_entry_name
from content.packages.errors import PackageRefused
from content.packages.media import (  # files of Ruta's storage that rich text may link to; the rest is never packed
    STORED_MEDIA,
    lesson_media_exists,
    lesson_media_name,
    lesson_media_open,
    lesson_media_save,
)
from content.packages.models import ContentPackage
from content.packages.ruta import FILES_DIR, FileSource
from content.packages.safexml import sanitize_rich_text
from content.packages.services import content_package_file_names, content_package_store
from courses.blocks import ACTIVITY_BLOCK_NAMES
from courses.models import CataloguePage, CoursePage, LessonPage, ModulePage, ProgrammePage
from lms.files import private_storage

from .signals import course_package_exporting, course_package_imported

if TYPE_CHECKING:
    from lms.accounts.models import Institution, User

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
# Documents a learner downloads: never a format a browser would run (HTML, SVG, XML, scripts).
DOCUMENT_EXTENSIONS = frozenset(
    {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".txt", ".csv", ".vtt",
     ".srt", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".mp4", ".webm", ".ogv", ".epub", ".zip"}
)  # fmt: skip
COURSE_FIELDS = (
    "code", "summary", "objectives", "estimated_hours", "level", "language", "delivery_mode", "pass_mark",
    "open_enrollment", "training_of_trainers", "methodology", "sub_module", "to_be_confirmed",
)  # fmt: skip
LESSON_FIELDS = ("completion_rule", "required", "estimated_minutes")

PUBLIC_MEDIA_DIR = "images/"
_TAG = re.compile(r"<(a|embed)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*"([^"]*)\"""")
_STATIC_REF = re.compile(r"""(src|href)=(["'])(static/[^"']+)\2""")
_MEDIA_SRC = re.compile(r"""(src|href)=(["'])([^"']+)\2""")


def _ext(path: str) -> str:
    return posixpath.splitext(path)[1].lower()


def _attrs(tag_body: str) -> dict[str, str]:
    return {name.lower(): html.unescape(value) for name, value in _ATTR.findall(tag_body)}


def _with_id(tag: str, new_id: str) -> str:
    return re.sub(r'\bid="[^"]*"', f'id="{html.escape(new_id)}"', tag, count=1)


def _media_link(url: str) -> tuple[str, str] | None:
    """Which storage and stored name a rich-text link points to: ``("lesson", "paquetes/medios/…")`` for lesson
    media (private storage), ``("media", "images/…")`` for a public image rendition, None for any other link. Raises
    :class:`PackageRefused` for a link that would leave its folder (``..``, ``%2e%2e``, ``\\``, an absolute path),
    the same check the lesson media view runs: a link must never name another private file (a certificate, a
    learner's competency document)."""
    name = lesson_media_name(url)
    if name is not None:
        return "lesson", name
    prefix = settings.MEDIA_URL
    if not url.startswith(prefix):
        return None
    path = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
    check_entry_name(unquote(path))  # refuses what the web server would resolve outside MEDIA_ROOT
    name = check_entry_name(path)
    # Only the image renditions are public under MEDIA_URL (lms/urls.py); the rest of the default storage
    # (Wagtail's originals, admin documents behind /documents/) is never packed from a bare link.
    return ("media", name) if name.startswith(PUBLIC_MEDIA_DIR) else None


def _escaping_link_note(url: str) -> str:
    return _("un enlace a un archivo fuera de la carpeta de medios («%(url)s») se desactivó") % {"url": url}


def export_media(markup: str, files: dict[str, FileSource], problems: list[str] | None = None) -> str:
    """Pack files of Ruta's storage that rich text links to, and refer to them by content hash.

    Only lesson media (``/paquetes/medios/…``) and public renditions (``MEDIA_URL`` + ``images/``) travel; a
    link that leaves its folder (``/paquetes/medios/../../certificados/…``) packs nothing, becomes ``#`` and is
    listed in ``problems``."""

    def repl(match: re.Match[str]) -> str:
        url = html.unescape(match.group(3))
        try:
            link = _media_link(url)
        except PackageRefused:
            if problems is not None:
                problems.append(_escaping_link_note(url))
            return f"{match.group(1)}={match.group(2)}#{match.group(2)}"
        if link is None:
            return match.group(0)
        where, name = link
        if where == "lesson":  # media of an imported package, in the private storage
            if not name.lower().endswith(STORED_MEDIA) or not lesson_media_exists(name):
                return match.group(0)
            with lesson_media_open(name) as fh:
                data = fh.read()
        else:
            if not name.lower().endswith(STORED_MEDIA) or not default_storage.exists(name):
                return match.group(0)
            with default_storage.open(name, "rb") as fh:
                data = fh.read()
        ref = f"static/{hashlib.sha256(data).hexdigest()[:16]}{_ext(name)}"
        files[ref] = data
        return f"{match.group(1)}={match.group(2)}{ref}{match.group(2)}"

    return _MEDIA_SRC.sub(repl, markup)


def neutralise_media_links(markup: str, note: Callable[[str], None] | None = None) -> str:
    """Turn into ``#`` every link of (imported) rich text that points into Ruta's storage but leaves its folder
    (``/paquetes/medios/../../certificados/…``), so a package can never plant one for a later export to follow."""

    def repl(match: re.Match[str]) -> str:
        url = html.unescape(match.group(3))
        try:
            _media_link(url)
        except PackageRefused:
            if note is not None:
                note(_escaping_link_note(url))
            return f"{match.group(1)}={match.group(2)}#{match.group(2)}"
        return match.group(0)

    return _MEDIA_SRC.sub(repl, markup)


def rewrite_media(
    markup: str,
    media_urls: dict[str, str] | Callable[[str], str | None],
    note: Callable[[str], None] | None = None,
) -> str:
    """Point ``static/…`` references of packed rich text at the stored files (``#`` when a file is missing);
    links into Ruta's storage that leave their folder become ``#`` too (see :func:`neutralise_media_links`)."""
    lookup = media_urls.get if isinstance(media_urls, dict) else media_urls

    def repl(match: re.Match[str]) -> str:
        url = lookup(html.unescape(match.group(3)))
        return f"{match.group(1)}={match.group(2)}{html.escape(url) if url else '#'}{match.group(2)}"

    return _STATIC_REF.sub(repl, neutralise_media_links(markup, note))


# --- walking a StreamField's raw data with its block definitions ------------------------------------------------


class _Mapper:
    """What a walk does at each reference; export and import override it."""

    def image(self, value: Any) -> Any:
        return value

    def document(self, value: Any) -> Any:
        return value

    def page(self, value: Any) -> Any:
        return value

    def richtext(self, value: str) -> str:
        return value

    def package(self, value: dict[str, Any]) -> dict[str, Any] | None:
        return value

    def child(self, name: str, value: Any) -> dict[str, Any]:
        return {"type": name, "value": value}

    def item(self, value: Any) -> dict[str, Any]:
        return {"type": "item", "value": value}


def _walk(block: Any, raw: Any, mapper: _Mapper) -> Any:
    if raw is None:
        return None
    if isinstance(block, ImageChooserBlock):
        return mapper.image(raw)
    if isinstance(block, DocumentChooserBlock):
        return mapper.document(raw)
    if isinstance(block, wagtail_blocks.PageChooserBlock):
        return mapper.page(raw)
    if isinstance(block, wagtail_blocks.RichTextBlock):
        return mapper.richtext(raw) if isinstance(raw, str) else raw
    if isinstance(block, wagtail_blocks.StructBlock):
        if not isinstance(raw, dict):
            return raw
        return {k: (_walk(block.child_blocks[k], v, mapper) if k in block.child_blocks else v) for k, v in raw.items()}
    if isinstance(block, wagtail_blocks.ListBlock):
        out = []
        for item in raw if isinstance(raw, list) else []:
            is_wrapped = isinstance(item, dict) and item.get("type") == "item" and "value" in item
            out.append(mapper.item(_walk(block.child_block, item["value"] if is_wrapped else item, mapper)))
        return out
    if isinstance(block, wagtail_blocks.StreamBlock):
        return walk_stream(block, raw, mapper)
    return raw


def walk_stream(stream_block: Any, raw: Any, mapper: _Mapper, problems: list[str] | None = None) -> list[Any]:
    out = []
    for child in raw if isinstance(raw, list) else []:
        name = str(child.get("type")) if isinstance(child, dict) else ""
        block = stream_block.child_blocks.get(name)
        if block is None or not isinstance(child, dict):
            if problems is not None:
                problems.append(_("un bloque de tipo desconocido («%(t)s») se omitió") % {"t": name})
            continue
        value = _walk(block, child.get("value"), mapper)
        if name == "package":
            value = mapper.package(value) if isinstance(value, dict) else None
            if value is None:
                continue
        out.append(mapper.child(name, value))
    return out


def _body_block() -> Any:
    return LessonPage._meta.get_field("body").stream_block


# --- export --------------------------------------------------------------------------------------------------


@dataclass
class CourseExport:
    data: dict[str, Any]
    files: dict[str, FileSource]
    problems: list[str]
    # What each package key and image key point to (for the format-neutral outline written beside).
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Exporter(_Mapper):
    def __init__(self, page_refs: dict[int, str]) -> None:
        self.page_refs = page_refs
        self.files: dict[str, FileSource] = {}
        self.images: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self.packages: dict[str, dict[str, Any]] = {}
        self._package_keys: dict[str, str] = {}
        self.problems: list[str] = []

    @staticmethod
    def _opener(file: Any) -> Callable[[], Any]:
        name, storage = file.name, file.storage
        return lambda: storage.open(name, "rb")

    def add_image(self, image: Any) -> str | None:
        if image is None:
            return None
        key = image.get_file_hash()[:16]
        if key not in self.images:
            path = f"images/{key}{_ext(image.file.name)}"
            self.files[path] = self._opener(image.file)
            focal = (
                [image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height]
                if image.focal_point_x is not None
                else None
            )
            self.images[key] = {
                "path": path,
                "title": image.title,
                "description": getattr(image, "description", ""),
                "focal_point": focal,
            }
        return f"image:{key}"

    def image(self, value: Any) -> Any:
        image = get_image_model().objects.filter(pk=value).first() if isinstance(value, int) else None
        if image is None:
            self.problems.append(_("una imagen que ya no existe en la biblioteca"))
            return None
        return self.add_image(image)

    def _document_ref(self, document: Any) -> str:
        key = document.get_file_hash()[:16]
        if key not in self.documents:
            path = f"documents/{key}{_ext(document.file.name)}"
            self.files[path] = self._opener(document.file)
            self.documents[key] = {"path": path, "title": document.title}
        return f"document:{key}"

    def document(self, value: Any) -> Any:
        document = get_document_model().objects.filter(pk=value).first() if isinstance(value, int) else None
        if document is None:
            self.problems.append(_("un documento que ya no existe en la biblioteca"))
            return None
        return self._document_ref(document)

    def page(self, value: Any) -> Any:
        if value in self.page_refs:
            return f"page:{self.page_refs[value]}"
        self.problems.append(_("un enlace a una página fuera del curso"))
        return None

    def richtext(self, value: str) -> str:
        def repl(match: re.Match[str]) -> str:
            tag, attrs = match.group(0), _attrs(match.group(2))
            kind = attrs.get("linktype") or attrs.get("embedtype")
            raw_id = attrs.get("id", "")
            if kind == "page" and raw_id.isdigit():
                ref = self.page_refs.get(int(raw_id))
                if ref:
                    return _with_id(tag, f"page:{ref}")
                page = Page.objects.filter(pk=int(raw_id)).first()
                url = page.full_url if page is not None and page.live else None
                self.problems.append(_("un enlace a una página fuera del curso quedó como enlace web"))
                return f'<a href="{html.escape(url)}">' if url else "<a>"
            if kind == "document" and raw_id.isdigit():
                document = get_document_model().objects.filter(pk=int(raw_id)).first()
                if document is None:
                    self.problems.append(_("un enlace a un documento que ya no existe"))
                    return "<a>"
                return _with_id(tag, self._document_ref(document))
            if kind == "image" and raw_id.isdigit():
                ref = self.image(int(raw_id))
                return _with_id(tag, ref) if ref else ""
            return tag

        return sanitize_rich_text(export_media(_TAG.sub(repl, value), self.files, self.problems))

    def package(self, value: dict[str, Any]) -> dict[str, Any] | None:
        package_uuid = str(value.get("package", ""))
        if package_uuid not in self._package_keys:
            package = ContentPackage.objects.filter(uuid=package_uuid).first() if _is_uuid(package_uuid) else None
            if package is None:
                self.problems.append(
                    _("la actividad SCORM/H5P «%(t)s»: su paquete ya no existe") % {"t": value.get("title", "")}
                )
                return None
            key = f"p{len(self._package_keys) + 1}"
            self._package_keys[package_uuid] = key
            names = content_package_file_names(package)
            for name in names:
                self.files[f"packages/{key}/{name}"] = _storage_opener(package.storage_name(name))
            self.packages[key] = {
                "engine": package.engine,
                "title": package.title,
                "version": package.version,
                "provenance": package.provenance,
                "sha256": package.sha256,
                "path": f"packages/{key}/",
                "files": len(names),
            }
        return {**value, "package": f"package:{self._package_keys[package_uuid]}"}


def _storage_opener(name: str) -> Callable[[], Any]:
    return lambda: private_storage().open(name, "rb")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _draft(page: Page) -> Page:
    return page.get_latest_revision_as_object() if page.has_unpublished_changes else page


def course_pages_export(course: CoursePage) -> CourseExport:
    """The lossless ``ruta`` section of a course (latest drafts included) and the files it needs."""
    course = _draft(course)
    modules = [_draft(m) for m in ModulePage.objects.child_of(course).order_by("path")]
    lessons_by_module = [
        [_draft(lesson) for lesson in LessonPage.objects.child_of(m).order_by("path")] for m in modules
    ]
    page_refs: dict[int, str] = {course.pk: "course"}
    for i, (module, lessons) in enumerate(zip(modules, lessons_by_module, strict=True), start=1):
        page_refs[module.pk] = f"m{i}"
        for j, lesson in enumerate(lessons, start=1):
            page_refs[lesson.pk] = f"m{i}.l{j}"
    exporter = _Exporter(page_refs)
    stream = _body_block()
    course_data = {name: getattr(course, name) for name in COURSE_FIELDS}
    course_data["objectives"] = exporter.richtext(course.objectives or "")
    course_data.update(
        title=course.title,
        slug=course.slug,
        prerequisites=sorted(course.prerequisites.values_list("code", flat=True)),
    )
    data: dict[str, Any] = {
        "course": course_data,
        "modules": [
            {
                "title": module.title,
                "slug": module.slug,
                "intro": module.intro,
                "lessons": [
                    {
                        "title": lesson.title,
                        "slug": lesson.slug,
                        **{name: getattr(lesson, name) for name in LESSON_FIELDS},
                        "body": walk_stream(stream, list(lesson.body.raw_data), exporter, exporter.problems),
                    }
                    for lesson in lessons
                ],
            }
            for module, lessons in zip(modules, lessons_by_module, strict=True)
        ],
    }
    extra: dict[str, Any] = {}
    for _receiver, response in course_package_exporting.send(
        sender=CoursePage, course=course, add_image=exporter.add_image
    ):
        extra.update(_dict(response))
    data["extra"] = extra
    data["images"] = exporter.images
    data["documents"] = exporter.documents
    data["packages"] = exporter.packages
    return CourseExport(
        data=data,
        files=exporter.files,
        problems=list(dict.fromkeys(exporter.problems)),
        packages=exporter.packages,
        images=exporter.images,
        documents=exporter.documents,
    )


# --- import --------------------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What an import created, and the lines of its report (left out, renamed, to review)."""

    modules: int = 0
    lessons: int = 0
    activities: int = 0
    players: int = 0
    media: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class _Importer(_Mapper):
    def __init__(
        self,
        *,
        data: dict[str, Any],
        archive: SafeArchive,
        owner: str,
        user: User | None,
        written: list[str],
        written_library: list[str],
        stored_packages: list[tuple[str, list[str]]],
        summary: ImportSummary,
    ) -> None:
        self.data, self.archive, self.owner, self.user = data, archive, owner, user
        self.written, self.written_library = written, written_library
        self.stored_packages, self.summary = stored_packages, summary
        self.page_ids: dict[str, int] = {}
        self._images: dict[str, Any] = {}
        self._documents: dict[str, Any] = {}
        self._packages: dict[str, str] = {}
        self._static: dict[str, str | None] = {}

    def note(self, message: str) -> None:
        if message not in self.summary.skipped:
            self.summary.skipped.append(message)

    def _meta(self, section: str, ref: Any, prefix: str) -> tuple[str, dict[str, Any]] | None:
        if not isinstance(ref, str) or not ref.startswith(prefix):
            return None
        key = ref[len(prefix) :]
        meta = (self.data.get(section) or {}).get(key)
        if not isinstance(meta, dict) or not isinstance(meta.get("path"), str):
            self.note(_("una referencia a un archivo que el paquete no trae («%(r)s») se omitió") % {"r": ref})
            return None
        return key, meta

    def _file_name(self, meta: dict[str, Any]) -> str:
        if not self.archive.has(FILES_DIR + meta["path"]):
            raise PackageRefused(
                _("Falta el archivo «%(f)s» que el paquete declara.") % {"f": meta["path"]}, code="ruta_missing_file"
            )
        return FILES_DIR + meta["path"]

    def image_object(self, ref: Any) -> Any:
        found = self._meta("images", ref, "image:")
        if found is None:
            return None
        key, meta = found
        if key in self._images:
            return self._images[key]
        if _ext(meta["path"]) not in IMAGE_EXTENSIONS:
            self.note(_("la imagen «%(f)s» no es de un formato permitido y se omitió") % {"f": meta["path"]})
            self._images[key] = None
            return None
        data = self.archive.read(self._file_name(meta), max_size=self.archive.limits.max_entry_size)
        if not _is_raster_image(data):
            self.note(_("el archivo «%(f)s» no es una imagen válida y se omitió") % {"f": meta["path"]})
            self._images[key] = None
            return None
        image_model = get_image_model()
        file_hash = hash_filelike(io.BytesIO(data))
        title = str(meta.get("title") or posixpath.basename(meta["path"]))[:255]
        image = image_model.objects.filter(file_hash=file_hash, title=title).first()
        if image is None:
            image = image_model(title=title, uploaded_by_user=self.user)
            if hasattr(image, "description"):
                image.description = str(meta.get("description") or "")[:255]
            focal = meta.get("focal_point")
            if isinstance(focal, list) and len(focal) == 4 and all(isinstance(v, int) for v in focal):
                (image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height) = focal
            image.file.save(f"{slugify(title)[:60] or 'imagen'}{_ext(meta['path'])}", ContentFile(data), save=False)
            self.written_library.append(image.file.name)
            # FieldFile.save on a new image leaves width and height empty (NOT NULL columns): read them now
            image_model._meta.get_field("file").update_dimension_fields(image, force=True)
            image._set_image_file_metadata()
            image.save()
            self.summary.media += 1
        self._images[key] = image
        return image

    def image(self, value: Any) -> Any:
        image = self.image_object(value)
        return image.pk if image is not None else None

    def _document_object(self, ref: Any) -> Any:
        found = self._meta("documents", ref, "document:")
        if found is None:
            return None
        key, meta = found
        if key in self._documents:
            return self._documents[key]
        if _ext(meta["path"]) not in DOCUMENT_EXTENSIONS:
            self.note(
                _("el documento «%(f)s» es de un tipo que Ruta no ofrece para descargar y se omitió")
                % {"f": meta["path"]}
            )
            self._documents[key] = None
            return None
        document_model = get_document_model()
        title = str(meta.get("title") or posixpath.basename(meta["path"]))[:255]
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as tmp:
            self.archive.copy_to(self._file_name(meta), tmp)
            tmp.seek(0)
            file_hash = hash_filelike(tmp)
            document = document_model.objects.filter(file_hash=file_hash, title=title).first()
            if document is None:
                tmp.seek(0)
                document = document_model(title=title, uploaded_by_user=self.user)
                document.file.save(f"{slugify(title)[:60] or 'documento'}{_ext(meta['path'])}", File(tmp), save=False)
                self.written_library.append(document.file.name)
                document._set_document_file_metadata()
                document.save()
                self.summary.media += 1
        self._documents[key] = document
        return document

    def document(self, value: Any) -> Any:
        document = self._document_object(value)
        return document.pk if document is not None else None

    def page(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("page:"):
            return self.page_ids.get(value[5:])
        return None

    def _static_url(self, ref: str) -> str | None:
        if ref not in self._static:
            name = FILES_DIR + ref
            url = None
            if ref.lower().endswith(STORED_MEDIA) and self.archive.has(name):
                data = self.archive.read(name, max_size=self.archive.limits.max_entry_size)
                digest = hashlib.sha256(data).hexdigest()[:16]
                stored, url = lesson_media_save(
                    name=f"{self.owner}/{digest}-{slugify(posixpath.basename(ref))[:60]}{_ext(ref)}", data=data
                )
                self.written.append(stored)
                self.summary.media += 1
            else:
                self.note(_("un archivo enlazado en un texto («%(f)s») no viene en el paquete") % {"f": ref})
            self._static[ref] = url
        return self._static[ref]

    def richtext(self, value: str) -> str:
        def repl(match: re.Match[str]) -> str:
            tag, attrs = match.group(0), _attrs(match.group(2))
            kind = attrs.get("linktype") or attrs.get("embedtype")
            ref = attrs.get("id", "")
            if kind == "page" and ref.startswith("page:"):
                pk = self.page(ref)
                return _with_id(tag, str(pk)) if pk else "<a>"
            if kind == "document" and ref.startswith("document:"):
                document = self._document_object(ref)
                return _with_id(tag, str(document.pk)) if document is not None else "<a>"
            if kind == "image" and ref.startswith("image:"):
                image = self.image_object(ref)
                return _with_id(tag, str(image.pk)) if image is not None else ""
            if match.group(1).lower() == "embed":
                return ""  # only image embeds: Ruta never embeds third-party media
            if kind in ("page", "document", "image"):
                return "<a>"  # a raw id of another site: meaningless here
            return tag

        # Cleaned first (a crafted package may carry scripts), then references become this site's.
        return rewrite_media(_TAG.sub(repl, sanitize_rich_text(value)), self._static_url, self.note)

    def package(self, value: dict[str, Any]) -> dict[str, Any] | None:
        found = self._meta("packages", value.get("package"), "package:")
        if found is None:
            return None
        key, meta = found
        if key not in self._packages:
            engine = str(meta.get("engine", ""))
            if engine not in ContentPackage.Engine.values:
                self.note(_("un paquete de tipo desconocido («%(e)s») se omitió") % {"e": engine})
                return None
            under = FILES_DIR + meta["path"]
            if meta["path"] != f"packages/{key}/" or not any(n.startswith(under) for n in self.archive.names()):
                raise PackageRefused(
                    _("Faltan los archivos del contenido «%(t)s» que el paquete declara.") % {"t": meta.get("title")},
                    code="ruta_missing_file",
                )
            package = content_package_store(
                archive=self.archive,
                engine=engine,
                title=str(meta.get("title", "")),
                version=str(meta.get("version", "")),
                provenance=meta.get("provenance") if isinstance(meta.get("provenance"), dict) else {},
                sha256=str(meta.get("sha256", ""))[:64],
                under=under,
            )
            self.stored_packages.append(
                (package.storage_prefix, [n[len(under) :] for n in self.archive.names() if n.startswith(under)])
            )
            self._packages[key] = str(package.uuid)
        launch = str(value.get("launch", ""))
        if launch and not self.archive.has(FILES_DIR + meta["path"] + launch):
            self.note(_("la actividad «%(t)s» no tiene su archivo de inicio") % {"t": value.get("title", "")})
        return {**value, "package": self._packages[key]}

    def child(self, name: str, value: Any) -> dict[str, Any]:
        return {"type": name, "value": value, "id": str(uuid.uuid4())}

    def item(self, value: Any) -> dict[str, Any]:
        return {"type": "item", "value": value, "id": str(uuid.uuid4())}


def _is_raster_image(data: bytes) -> bool:
    from PIL import Image as PILImage  # noqa: PLC0415

    try:
        with PILImage.open(io.BytesIO(data)) as img:
            img.verify()
            return img.format in ("PNG", "JPEG", "GIF", "WEBP", "AVIF")
    except Exception:  # noqa: BLE001 - any decoder error means "not an image"
        return False


def unique_slug(parent: Page, wanted: str, title: str = "") -> str:
    """A slug free among ``parent``'s children: ``wanted`` (or the title) slugified, suffixed -2, -3… if taken."""
    base = slugify(wanted)[:60] or slugify(title)[:60] or "pagina"
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _unique_code(code: str) -> str:
    base = (code or "CURSO")[:36]
    candidate, n = base, 2
    while CoursePage.objects.filter(code=candidate).exists():
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def _add(parent: Page, page: Page, slug: str) -> Page:
    page.live = False
    page.slug = unique_slug(parent, slug, page.title)
    parent.add_child(instance=page)
    return page


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def course_pages_import(
    *,
    data: dict[str, Any],
    archive: SafeArchive,
    target: Page,
    owner: str,
    user: User | None,
    written: list[str],
    stored_packages: list[tuple[str, list[str]]],
    written_library: list[str],
    institution: Institution | None = None,
) -> tuple[Page, ImportSummary]:
    """Create draft pages from the lossless section under ``target`` (a programme → a new course; a course → its
    modules; a module → its lessons). Call inside a transaction. ``institution`` owns a course it creates (the
    package's own owner is never taken: it names an institution of the exporting site)."""
    summary = ImportSummary()
    importer = _Importer(
        data=data,
        archive=archive,
        owner=owner,
        user=user if getattr(user, "pk", None) else None,
        written=written,
        written_library=written_library,
        stored_packages=stored_packages,
        summary=summary,
    )
    course_data = _dict(data.get("course"))
    created_course = False
    if isinstance(target, ProgrammePage):
        code = str(course_data.get("code") or "")
        unique = _unique_code(code)
        if code and unique != code:
            importer.note(
                _("el código «%(c)s» ya existe aquí: el curso se creó como «%(n)s»") % {"c": code, "n": unique}
            )
        course = CoursePage(title=str(course_data.get("title") or _("Curso importado"))[:255], code=unique)
        for name in COURSE_FIELDS:
            if name in ("code", "objectives") or name not in course_data:
                continue
            default = CoursePage._meta.get_field(name).get_default()
            value = course_data[name]
            if name in ("estimated_hours", "pass_mark"):
                value = _int_or_none(value)
                if value is None and name == "pass_mark":
                    value = default
            elif isinstance(default, bool):
                value = bool(value)
            else:
                value = str(value or "")[: CoursePage._meta.get_field(name).max_length or 300]
            setattr(course, name, value)
        if course.level not in CoursePage.Level.values:
            course.level = CoursePage.Level.BASIC
        if course.delivery_mode not in CoursePage.DeliveryMode.values:
            course.delivery_mode = CoursePage.DeliveryMode.SELF_PACED
        if course.language not in dict(settings.LANGUAGES):
            course.language = "es"
        course.pass_mark = min(course.pass_mark, 100)
        course.institution = institution
        _add(target, course, str(course_data.get("slug") or ""))
        created_course = True
        modules_parent: Page = course
        result: Page = course
        importer.page_ids["course"] = course.pk
    elif isinstance(target, CoursePage | ModulePage):
        modules_parent = result = target
        if isinstance(target, CoursePage):
            importer.page_ids["course"] = target.pk
    else:
        raise PackageRefused(
            _("Solo se puede importar dentro de un programa, un curso o un módulo (no en «%(t)s»).")
            % {"t": target.title},
            code="bad_target",
        )

    # Every page first (links between lessons may point forward), then the bodies.
    pages: list[tuple[Page, dict[str, Any]]] = []
    for i, module_data in enumerate(data.get("modules") or [], start=1):
        if not isinstance(module_data, dict):
            continue
        if isinstance(modules_parent, ModulePage):
            module_page = modules_parent
        else:
            module_page = ModulePage(
                title=str(module_data.get("title") or _("Módulo"))[:255], intro=str(module_data.get("intro") or "")
            )
            _add(modules_parent, module_page, str(module_data.get("slug") or ""))
            pages.append((module_page, {}))
            summary.modules += 1
        importer.page_ids[f"m{i}"] = module_page.pk
        for j, lesson_data in enumerate(module_data.get("lessons") or [], start=1):
            if not isinstance(lesson_data, dict):
                continue
            lesson = LessonPage(title=str(lesson_data.get("title") or _("Lección"))[:255])
            rule = lesson_data.get("completion_rule")
            lesson.completion_rule = rule if rule in LessonPage.CompletionRule.values else lesson.completion_rule
            lesson.required = bool(lesson_data.get("required", True))
            lesson.estimated_minutes = _int_or_none(lesson_data.get("estimated_minutes"))
            _add(module_page, lesson, str(lesson_data.get("slug") or ""))
            importer.page_ids[f"m{i}.l{j}"] = lesson.pk
            pages.append((lesson, lesson_data))
            summary.lessons += 1

    stream = _body_block()
    for page, page_data in pages:
        if isinstance(page, LessonPage):
            body = _valid_blocks(stream, walk_stream(stream, page_data.get("body"), importer, summary.skipped),
                                 lesson=page.title, note=importer.note)  # fmt: skip
            page.body = body
            page.save()
            for child in body:
                if child["type"] == "package":
                    summary.players += 1
                elif child["type"] in ACTIVITY_BLOCK_NAMES:
                    summary.activities += 1
        page.save_revision(user=importer.user, log_action=False)

    if created_course and isinstance(result, CoursePage):
        result.objectives = importer.richtext(str(course_data.get("objectives") or ""))
        codes = [str(c) for c in course_data.get("prerequisites") or []]
        found = list(CoursePage.objects.filter(code__in=codes))
        result.prerequisites.set(found)
        missing = sorted(set(codes) - {c.code for c in found})
        if missing:
            importer.note(_("requisitos previos que no existen aquí: %(c)s") % {"c": ", ".join(missing)})
        result.save()
        result.save_revision(user=importer.user, log_action=False)
        extra = _dict(data.get("extra"))
        course_package_imported.send(
            sender=CoursePage,
            course=result,
            extra=extra,
            image=importer.image_object,
            user=importer.user,
            note=importer.note,
        )
    elif data.get("extra"):
        importer.note(_("el programa de certificación solo se importa con un curso nuevo"))
    return result, summary


def _valid_blocks(stream: Any, body: list[dict[str, Any]], *, lesson: str, note: Callable[[str], None]) -> list[Any]:
    """Only blocks that pass the same validation as the page editor (required fields, lengths, choices, web
    addresses only http/https…): a crafted package cannot store what an editor could not."""
    kept = []
    for child in body:
        block = stream.child_blocks[child["type"]]
        try:
            block.clean(block.to_python(child["value"]))
        except (ValidationError, TypeError, ValueError, KeyError, AttributeError):
            note(
                _("«%(l)s»: un bloque «%(b)s» no es válido (datos incompletos o no permitidos) y se omitió")
                % {"l": lesson, "b": block.label}
            )
            continue
        kept.append(child)
    return kept


def lossless_target(parent: Page | None, imported_programme: Callable[[], ProgrammePage]) -> Page:
    target = parent.specific if parent is not None else imported_programme()
    if isinstance(target, CataloguePage):
        return imported_programme()
    return target


# --- the format-neutral outline written beside (for readers other than Ruta) ---------------------------------


def _neutral_html(markup: str, export: CourseExport) -> str:
    """Packed rich text with plain links for other readers: images and documents point at package files."""

    def repl(match: re.Match[str]) -> str:
        tag, attrs = match.group(0), _attrs(match.group(2))
        kind = attrs.get("linktype") or attrs.get("embedtype")
        ref = attrs.get("id", "")
        if kind == "image" and ref.startswith("image:"):
            meta = export.images.get(ref[6:]) or {}
            alt = html.escape(attrs.get("alt", ""))
            return f'<img src="{html.escape(meta.get("path", ""))}" alt="{alt}">' if meta else ""
        if kind == "document" and ref.startswith("document:"):
            meta = export.documents.get(ref[9:]) or {}
            return f'<a href="{html.escape(meta.get("path", ""))}">' if meta else "<a>"
        if kind in ("page", "document", "image"):
            return "<a>" if match.group(1).lower() == "a" else ""
        return tag

    return _TAG.sub(repl, markup)


def outline_modules(export: CourseExport) -> list[Any]:
    """The course as format-neutral outline modules (content.packages.outline)."""
    from content.packages.outline import (  # noqa: PLC0415 - only this view needs the outline classes
        Blank,
        Choice,
        ChoiceActivity,
        FillBlanksActivity,
        Image,
        Lesson,
        Module,
        NativeActivity,
        PackagePlayer,
        RichText,
        TextEntryActivity,
        Video,
    )

    def link(label: str, ref: Any, url: str = "") -> str:
        meta = export.documents.get(str(ref or "")[9:]) if str(ref or "").startswith("document:") else None
        href = (meta or {}).get("path") or url
        return f'<p><a href="{html.escape(href)}">{html.escape(label)}</a></p>' if href else ""

    def items(value: Any) -> list[Any]:
        return [i["value"] if isinstance(i, dict) and i.get("type") == "item" else i for i in value or []]

    def blocks_of(body: list[dict[str, Any]]) -> list[Any]:
        out: list[Any] = []
        for child in body:
            kind, value = child["type"], child.get("value") or {}
            if kind == "text":
                out.append(RichText(html=_neutral_html(str(value), export)))
            elif kind == "image" and str(value.get("image") or "").startswith("image:"):
                meta = export.images.get(value["image"][6:]) or {}
                out.append(Image(path=meta.get("path", ""), alt=value.get("alt", "")))
            elif kind in ("video", "audio"):
                if kind == "video" and value.get("url") and not value.get("file"):
                    out.append(Video(url=value["url"], title=value.get("title", "")))
                else:
                    out.append(RichText(html=link(value.get("title", ""), value.get("file"), value.get("url", ""))))
                if value.get("transcript"):
                    out.append(RichText(html=_neutral_html(str(value["transcript"]), export)))
            elif kind == "document":
                out.append(RichText(html=link(value.get("title") or "", value.get("document"))))
            elif kind == "callout":
                title = f"<p><strong>{html.escape(value.get('title', ''))}</strong></p>" if value.get("title") else ""
                out.append(RichText(html=title + _neutral_html(str(value.get("text", "")), export)))
            elif kind in ("single_choice", "multiple_choice"):
                choices = [
                    Choice(text=o.get("text", ""), correct=bool(o.get("correct")), feedback=o.get("feedback", ""))
                    for o in items(value.get("options"))
                ]
                out.append(ChoiceActivity(prompt=value.get("prompt", ""), choices=choices,
                                          multiple=kind == "multiple_choice"))  # fmt: skip
            elif kind == "true_false":
                yes = value.get("correct_answer") == "true"
                ok, wrong = value.get("feedback_correct", ""), value.get("feedback_incorrect", "")
                choices = [Choice(_("Verdadero"), yes, ok if yes else wrong),
                           Choice(_("Falso"), not yes, wrong if yes else ok)]  # fmt: skip
                out.append(ChoiceActivity(prompt=value.get("prompt", ""), choices=choices, style="true_false"))
            elif kind == "fill_blanks":
                blanks: list[Any] = []

                def number(match: re.Match[str], blanks: list[Any] = blanks) -> str:
                    blanks.append(Blank(answers=match.group(1).split("|")))
                    return f"[[{len(blanks)}]]"

                text = re.sub(r"\[\[(.+?)\]\]", number, value.get("text", ""))
                out.append(FillBlanksActivity(prompt=value.get("prompt", ""), text=text, blanks=blanks,
                                              explanation=value.get("feedback_incorrect", "")))  # fmt: skip
            elif kind == "self_reflection":
                out.append(TextEntryActivity(prompt=value.get("prompt", ""), answers=[".*."], regexp=True,
                                             explanation=value.get("closing_message", "")))  # fmt: skip
            elif kind == "package":
                meta = export.packages.get(str(value.get("package", ""))[8:]) or {}
                out.append(PackagePlayer(engine=value.get("engine", ""), title=value.get("title", ""),
                                         launch=f"{meta.get('path', '')}{value.get('launch', '')}",
                                         parameters=value.get("parameters") or "",
                                         tracked=bool(value.get("tracked", True)),
                                         mastery_score=value.get("mastery_score")))  # fmt: skip
            elif kind in ACTIVITY_BLOCK_NAMES:
                out.append(NativeActivity(kind=kind, title=value.get("title", ""), prompt=value.get("prompt", "")))
        return out

    return [
        Module(
            title=m["title"],
            lessons=[Lesson(title=lesson["title"], blocks=blocks_of(lesson["body"])) for lesson in m["lessons"]],
        )
        for m in export.data["modules"]
    ]
