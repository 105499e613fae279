"""Writes for stored packages: keeping a package's files, and recording SCORM run-time data.

Rules: package files go to the private storage (``lms.files``, never under ``MEDIA_URL``) under a fresh
``paquetes/<uuid>/`` prefix (never overwriting);
a SCORM commit updates the learner's current attempt idempotently (same CMI twice = same row, no new signal)
and sends ``content.signals.activity_scored`` only when completion, success or score changed.
Must not import courses or certification.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import tempfile
from typing import Any

from django.core.files import File
from django.db import transaction

from content import signals
from lms.files import private_storage

from .archive import SafeArchive
from .models import ContentPackage, ScormAttempt


def content_package_store(
    *,
    archive: SafeArchive,
    engine: str,
    title: str,
    version: str = "",
    provenance: dict[str, Any] | None = None,
    sha256: str = "",
    under: str = "",
) -> ContentPackage:
    """Copy every file of a validated archive (or only those under the folder ``under``, which is stripped from
    their names: a package inside a Ruta package) into storage and record the package."""
    package = ContentPackage(engine=engine, title=title[:255], version=version[:60], provenance=provenance or {})
    package.storage_prefix = f"paquetes/{package.uuid}/"
    count = size = 0
    for entry in archive.names():
        if not entry.startswith(under):
            continue
        name = entry[len(under) :]
        with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as tmp:  # large files streamed via disk
            written = archive.copy_to(entry, tmp)
            tmp.seek(0)
            saved = private_storage().save(package.storage_name(name), File(tmp, name=name))
        if saved != package.storage_name(name):  # storage renamed it: never serve a different file than declared
            private_storage().delete(saved)
            raise OSError(f"storage renamed {name}")
        count += 1
        size += written
    package.file_count, package.total_size, package.sha256 = count, size, sha256
    package.save()
    return package


def content_package_file_names(package: ContentPackage) -> list[str]:
    """Every stored file of a package, as paths inside the package, sorted."""
    names: list[str] = []

    def walk(folder: str) -> None:
        try:
            dirs, files = private_storage().listdir(package.storage_name(folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        names.extend(f"{folder}{f}" for f in files)
        for d in dirs:
            walk(f"{folder}{d}/")

    walk("")
    return sorted(names)


def content_package_files_delete(*, prefix: str, names: list[str]) -> None:
    """Remove stored files (used when an import fails after files were written)."""
    for name in names:
        with contextlib.suppress(OSError):
            private_storage().delete(f"{prefix}{name}")


def file_sha256(path: Any) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- SCORM run-time ----------------------------------------------------------------------------------------


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict | list):
                out.update(_flatten(value, name))
            else:
                out[name] = value
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.update(_flatten(value, f"{prefix}.{index}"))
    return out


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$")
_HMS = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def session_seconds(value: str) -> float:
    """Seconds in a SCORM 1.2 (``HH:MM:SS.SS``) or 2004 (``PT1H2M3S``) time interval; 0 if unreadable."""
    value = (value or "").strip()
    if match := _HMS.match(value):
        return int(match.group(1)) * 3600 + int(match.group(2)) * 60 + float(match.group(3))
    if match := _ISO.match(value):
        days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
        return days * 86400 + hours * 3600 + minutes * 60 + seconds
    return 0.0


def scorm_summary(cmi: dict[str, Any], *, mastery_score: float | None = None) -> dict[str, Any]:
    """Status, score (0..1), suspend data, location, session time and interactions from SCORM 1.2 or 2004 CMI."""
    flat = _flatten(cmi)
    flat = {k[4:] if k.startswith("cmi.") else k: v for k, v in flat.items()}
    lesson_status = str(flat.get("core.lesson_status") or "")
    completion = str(flat.get("completion_status") or "")
    success = str(flat.get("success_status") or "")
    if lesson_status:  # SCORM 1.2 folds both into one field
        completion = "completed" if lesson_status in ("completed", "passed", "failed") else lesson_status
        success = lesson_status if lesson_status in ("passed", "failed") else success
    scaled = _float(flat.get("score.scaled"))
    if scaled is None:
        raw = _float(flat.get("core.score.raw", flat.get("score.raw")))
        low = _float(flat.get("core.score.min", flat.get("score.min"))) or 0.0
        high = _float(flat.get("core.score.max", flat.get("score.max")))
        if raw is not None:
            high = high if high not in (None, low) else 100.0
            scaled = (raw - low) / (high - low) if high != low else None
    if scaled is not None:
        scaled = max(0.0, min(1.0, scaled))
        if success in ("", "unknown") and mastery_score is not None:
            success = "passed" if scaled >= mastery_score else "failed"
    interactions = []
    for key, value in flat.items():
        if key.startswith("interactions.") and key.endswith(".id"):
            base = key[: -len(".id")]
            interactions.append(
                {
                    "id": value,
                    "type": flat.get(f"{base}.type", ""),
                    "result": flat.get(f"{base}.result", ""),
                    "response": flat.get(f"{base}.learner_response", flat.get(f"{base}.student_response", "")),
                }
            )
    return {
        "completion_status": completion[:20],
        "success_status": success[:20],
        "score_scaled": scaled,
        "suspend_data": str(flat.get("suspend_data") or ""),
        "location": str(flat.get("core.lesson_location", flat.get("location")) or "")[:1000],
        "session_time": str(flat.get("core.session_time", flat.get("session_time")) or "")[:40],
        "interactions": interactions,
    }


@transaction.atomic
def scorm_commit(
    *,
    user: Any,
    package: ContentPackage,
    usage_id: str,
    cmi: dict[str, Any],
    page_id: int | None = None,
    mastery_score: float | None = None,
) -> ScormAttempt:
    """Store a SCO's CMI data on the learner's current attempt; send ``activity_scored`` when the outcome changed."""
    attempt = (
        ScormAttempt.objects.select_for_update()
        .filter(package=package, user=user, usage_id=usage_id)
        .order_by("-attempt_number")
        .first()
    )
    if attempt is None:
        attempt = ScormAttempt(package=package, user=user, usage_id=usage_id[:64], page_id=page_id)
    before = (attempt.completion_status, attempt.success_status, attempt.score_scaled)
    summary = scorm_summary(cmi, mastery_score=mastery_score)
    seconds = session_seconds(summary["session_time"])
    for field, value in summary.items():
        setattr(attempt, field, value)
    if seconds and attempt.cmi != cmi:
        attempt.total_seconds += seconds
    attempt.cmi = cmi
    attempt.commits += 1
    if page_id and not attempt.page_id:
        attempt.page_id = page_id
    attempt.save()
    after = (attempt.completion_status, attempt.success_status, attempt.score_scaled)
    if after != before and (attempt.completed or attempt.score_scaled is not None):
        signals.activity_scored.send(
            sender=ScormAttempt,
            user=user,
            usage_id=usage_id,
            page_id=attempt.page_id,
            score=attempt.score_scaled if attempt.score_scaled is not None else 1.0,
            passed=attempt.success_status == "passed"
            or (attempt.success_status in ("", "unknown") and attempt.completion_status == "completed"),
            completed=attempt.completed,
            attempt=attempt,
            weight=1.0,
        )
    return attempt


def h5p_result_record(
    *, user: Any, package: ContentPackage, usage_id: str, statement: dict[str, Any], page_id: int | None = None
) -> ScormAttempt | None:
    """Record an H5P xAPI statement that carries a result (answered/completed) as the learner's attempt."""
    result = statement.get("result") if isinstance(statement, dict) else None
    if not isinstance(result, dict):
        return None
    raw_score = result.get("score")
    score: dict[str, Any] = raw_score if isinstance(raw_score, dict) else {}
    scaled = _float(score.get("scaled"))
    if scaled is None and _float(score.get("max")):
        scaled = (_float(score.get("raw")) or 0.0) / float(score["max"])
    success = result.get("success")
    cmi = {
        "completion_status": "completed" if result.get("completion", True) else "incomplete",
        "success_status": "passed" if success is True else "failed" if success is False else "unknown",
        "score": {"scaled": scaled},
        "xapi": {"verb": (statement.get("verb") or {}).get("id", ""), "result": result},
    }
    return scorm_commit(user=user, package=package, usage_id=usage_id, cmi=cmi, page_id=page_id)


def scorm_resume_data(*, user: Any, package: ContentPackage, usage_id: str) -> dict[str, Any]:
    """The CMI tree to hand back to the SCO when the learner returns (empty on a first launch)."""
    attempt = (
        ScormAttempt.objects.filter(package=package, user=user, usage_id=usage_id).order_by("-attempt_number").first()
    )
    return attempt.cmi if attempt else {}
