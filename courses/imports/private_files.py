"""Moving files stored before the private storage existed out of ``MEDIA_ROOT`` (``manage.py private_files_move``).

Until December 2026 every upload lived in the default storage and, on a server that served ``MEDIA_ROOT``, was
reachable under ``/media/``. This moves, with their names unchanged, into ``STORAGES["private"]``:

- every file of a ``FileField`` whose storage is ``lms.files.private_storage`` (certificate PDFs/PNGs,
  competency evidence and documents, cohort import rosters, uploaded package archives);
- every stored package's files (``paquetes/<uuid>/…``) and the lesson media of imported packages
  (``paquetes/medios/…``);

and points rich text that linked lesson media at ``/media/paquetes/medios/…`` to ``/paquetes/medios/…`` (pages
and their revisions). Idempotent: a file already in the private storage is left alone, so it can run again
after an interruption. Must not import certification (models are found through the app registry).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.urls import reverse
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Revision

from content.packages.media import PREFIX as MEDIA_PREFIX
from content.packages.models import ContentPackage
from lms.files import private_storage, storage_walk


@dataclass
class MoveReport:
    moved: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    pages: int = 0
    revisions: int = 0


def _move(name: str, report: MoveReport, *, dry_run: bool) -> None:
    private = private_storage()
    if not name or private.exists(name):
        return
    if not default_storage.exists(name):
        report.missing.append(name)
        return
    report.moved.append(name)
    if dry_run:
        return
    with default_storage.open(name, "rb") as source:
        saved = private.save(name, source)
    if saved != name:  # never leave a file under a name its row does not hold
        private.delete(saved)
        raise OSError(f"the private storage renamed {name} to {saved}")
    default_storage.delete(name)


def _private_file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField) and getattr(f, "_storage_callable", None) is private_storage:
                yield model, f


def _rewrite(value: Any, old: str, new: str) -> Any | None:
    dumped = json.dumps(value, ensure_ascii=False)
    return json.loads(dumped.replace(old, new)) if old in dumped else None


def _rich_text_fix(report: MoveReport, *, dry_run: bool) -> None:
    old = f"{settings.MEDIA_URL}{MEDIA_PREFIX}"
    new = reverse("packages:lesson_media", kwargs={"path": "x"})[:-1]
    for model in apps.get_models():
        if not issubclass(model, Page):
            continue
        text_fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, StreamField | RichTextField) and f.model is model  # each table once
        ]
        for f in text_fields:
            for pk, value in model.objects.values_list("pk", f.attname).iterator():
                raw = f.get_prep_value(value) if isinstance(f, StreamField) else value
                fixed = _rewrite(raw, old, new)
                if fixed is None:
                    continue
                report.pages += 1
                if not dry_run:
                    model.objects.filter(pk=pk).update(**{f.attname: fixed})
    for revision in Revision.objects.iterator():
        fixed = _rewrite(revision.content, old, new)
        if fixed is None:
            continue
        report.revisions += 1
        if not dry_run:
            Revision.objects.filter(pk=revision.pk).update(content=fixed)


def private_files_move(*, dry_run: bool = False) -> MoveReport:
    """Move every private file still under the default storage into the private one; fix lesson media links."""
    report = MoveReport()
    for model, f in _private_file_fields():
        for name in model._default_manager.exclude(**{f.attname: ""}).values_list(f.attname, flat=True).iterator():
            _move(name, report, dry_run=dry_run)
    for prefix in ContentPackage.objects.values_list("storage_prefix", flat=True).iterator():
        for name in list(storage_walk(default_storage, prefix)):
            _move(name, report, dry_run=dry_run)
    for name in list(storage_walk(default_storage, MEDIA_PREFIX)):
        _move(name, report, dry_run=dry_run)
    _rich_text_fix(report, dry_run=dry_run)
    return report
