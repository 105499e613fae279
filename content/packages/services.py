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
import json
import math
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from content import signals
from lms.files import private_storage

from .archive import SafeArchive
from .errors import PackageRefused
from .models import ContentPackage, ScormAttempt

if TYPE_CHECKING:
    from lms.accounts.models import User


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
    their names: a package inside a Ruta package) into storage and record the package.

    All or nothing: if any file cannot be stored (or the row cannot be saved), every file already written is
    removed before the error goes up."""
    package = ContentPackage(engine=engine, title=title[:255], version=version[:60], provenance=provenance or {})
    package.storage_prefix = f"paquetes/{package.uuid}/"
    count = size = 0
    stored: list[str] = []  # storage names written so far
    try:
        for entry in archive.names():
            if not entry.startswith(under):
                continue
            name = entry[len(under) :]
            with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as tmp:  # large files streamed via disk
                written = archive.copy_to(entry, tmp)
                tmp.seek(0)
                saved = private_storage().save(package.storage_name(name), File(tmp, name=name))
            stored.append(saved)
            if saved != package.storage_name(name):  # storage renamed it: never serve another file than declared
                raise OSError(f"storage renamed {name}")
            count += 1
            size += written
        package.file_count, package.total_size, package.sha256 = count, size, sha256
        package.save()
    except BaseException:
        content_package_files_delete(prefix="", names=stored)
        _remove_empty_folders(package.storage_prefix)
        raise
    return package


def _remove_empty_folders(prefix: str) -> None:
    """Remove the folders left empty under ``prefix`` (and ``prefix`` itself) in a storage on the local disk;
    a storage without local paths (S3) has no folders to leave behind."""
    try:
        root = Path(private_storage().path(prefix))
    except NotImplementedError:
        return
    if not root.is_dir():
        return
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds when empty
    with contextlib.suppress(OSError):
        root.rmdir()


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
    """Remove stored files (used when an import fails after files were written), and the folders left empty."""
    for name in names:
        with contextlib.suppress(OSError):
            private_storage().delete(f"{prefix}{name}")
    if prefix:
        _remove_empty_folders(prefix)


#: What a SCO's own scripts write when it reports a score (SCORM 1.2, then 2004).
SCORE_WRITES = (b"cmi.core.score.raw", b"cmi.score.raw", b"cmi.score.scaled")
SCORE_SCAN_SUFFIXES = (".js", ".html", ".htm", ".xhtml", ".mjs")
#: At most this many bytes of a package's scripts and pages are read looking for ``SCORE_WRITES``.
SCORE_SCAN_BYTES = 16 * 1024 * 1024


class _ScanDone(Exception):
    pass


class _ScoreScanner:
    """A sink for ``SafeArchive.copy_to``: looks for ``SCORE_WRITES`` across chunk boundaries, stops (raising
    ``_ScanDone``) when one is found or the byte budget is spent."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.found = False
        self.tail = b""

    def start(self) -> None:
        self.tail = b""

    def write(self, chunk: bytes) -> int:
        chunk = chunk[: max(self.budget, 0)]
        self.budget -= len(chunk)
        window = self.tail + chunk
        if any(pattern in window for pattern in SCORE_WRITES):
            self.found = True
            raise _ScanDone
        keep = max(len(p) for p in SCORE_WRITES) - 1
        self.tail = window[-keep:]
        if self.budget <= 0:
            raise _ScanDone
        return len(chunk)


def package_writes_score(archive: SafeArchive, *, under: str = "", budget: int = SCORE_SCAN_BYTES) -> bool:
    """Whether the package's own scripts write a score (``cmi.core.score.raw``, ``cmi.score.raw`` or
    ``cmi.score.scaled`` in its pages and scripts), reading at most ``budget`` bytes (pages first, then scripts).
    Import uses it to mark a package «Calificado» by default."""
    names = [n for n in archive.names() if n.startswith(under) and n.lower().endswith(SCORE_SCAN_SUFFIXES)]
    names.sort(key=lambda n: (not n.lower().endswith((".html", ".htm", ".xhtml")), n))
    scanner = _ScoreScanner(budget)
    for name in names:
        scanner.start()
        try:
            archive.copy_to(name, scanner)
        except _ScanDone:
            if scanner.found or scanner.budget <= 0:
                break
        except (PackageRefused, OSError, ValueError):
            pass  # a file that cannot be read (too large, broken) is simply no evidence of a score
    return scanner.found


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
    """A finite number, or None (NaN and infinities are no score)."""
    try:
        number = float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is not None and math.isfinite(number) else None


_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$")
_INTERACTION_ID = re.compile(r"^interactions\.(?:childArray\.)?\d+\.id$")
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
        if _INTERACTION_ID.match(key):  # not the ids of an interaction's own objectives
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
    user: User,
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
    before = (attempt.completion_status, attempt.success_status, attempt.score_scaled, attempt.best_success_status)
    summary = scorm_summary(cmi, mastery_score=mastery_score)
    if package.engine == ContentPackage.Engine.H5P:
        summary.pop("suspend_data")  # an H5P result carries no state: the content's own is kept (h5p_state_store)
    seconds = session_seconds(summary["session_time"])
    # The best reported so far stays (rows older than these fields: their last report counts as the best so far).
    best_score, reported = attempt.best_score, attempt.reported_success
    for field, value in summary.items():
        setattr(attempt, field, value)
    scores = [s for s in (best_score, attempt.score_scaled) if s is not None]
    attempt.best_score_scaled = max(scores) if scores else None
    statuses = {reported, attempt.success_status}
    attempt.best_success_status = "passed" if "passed" in statuses else "failed" if "failed" in statuses else ""
    if seconds and attempt.cmi != cmi:
        attempt.total_seconds += seconds
    attempt.cmi = cmi
    attempt.commits += 1
    if mastery_score is not None:
        attempt.mastery_score = mastery_score
    if page_id and not attempt.page_id:
        attempt.page_id = page_id
    attempt.save()
    after = (attempt.completion_status, attempt.success_status, attempt.score_scaled, attempt.best_success_status)
    if after != before and (attempt.completed or attempt.best_score is not None):
        signals.activity_scored.send(
            sender=ScormAttempt,
            user=user,
            usage_id=usage_id,
            page_id=attempt.page_id,
            score=attempt.best_score if attempt.best_score is not None else 1.0,
            passed=attempt.passed,
            completed=attempt.completed,
            attempt=attempt,
            weight=1.0,
        )
    return attempt


def h5p_result_record(
    *, user: User, package: ContentPackage, usage_id: str, statement: dict[str, Any], page_id: int | None = None
) -> ScormAttempt | None:
    """Record an H5P xAPI statement that carries a result (answered/completed) as the learner's attempt.

    Only the content's own result counts: a question set, a course presentation or an interactive video sends a
    statement for each question inside it (its object names the question's ``subContentId`` and its context the
    content as ``parent``), and one answered question is not the whole content answered."""
    result = statement.get("result") if isinstance(statement, dict) else None
    if not isinstance(result, dict) or _h5p_sub_content(statement):
        return None
    raw_score = result.get("score")
    score: dict[str, Any] = raw_score if isinstance(raw_score, dict) else {}
    scaled = _float(score.get("scaled"))
    if scaled is None and _float(score.get("max")):
        scaled = (_float(score.get("raw")) or 0.0) / float(score["max"])
    success = result.get("success")
    verb = statement.get("verb")
    cmi = {
        "completion_status": "completed" if result.get("completion", True) else "incomplete",
        "success_status": "passed" if success is True else "failed" if success is False else "unknown",
        "score": {"scaled": scaled},
        "xapi": {"verb": str(verb.get("id") or "") if isinstance(verb, dict) else "", "result": result},
    }
    return scorm_commit(user=user, package=package, usage_id=usage_id, cmi=cmi, page_id=page_id)


H5P_SUB_CONTENT = "http://h5p.org/x-api/h5p-subContentId"


def _h5p_sub_content(statement: dict[str, Any]) -> bool:
    """True when an xAPI statement is about a part of the H5P content (a question of a set), not the content."""
    obj = statement.get("object")
    definition = obj.get("definition") if isinstance(obj, dict) else None
    extensions = definition.get("extensions") if isinstance(definition, dict) else None
    if isinstance(extensions, dict) and extensions.get(H5P_SUB_CONTENT):
        return True
    context = statement.get("context")
    activities = context.get("contextActivities") if isinstance(context, dict) else None
    return isinstance(activities, dict) and bool(activities.get("parent"))


# --- H5P user state ----------------------------------------------------------------------------------------

#: The most an H5P content's saved state may weigh (its JSON, UTF-8): enough for a long Course Presentation or
#: Interactive Video with every answer; anything larger is refused, and what was stored before stays.
H5P_STATE_MAX_BYTES = 64 * 1024
_H5P_STATE_KEY_MAX = 64
_H5P_STATE_ENTRIES_MAX = 200


class H5PStateRefused(ValueError):
    """An H5P state Ruta does not keep; the message is a translatable Spanish sentence for the learner."""


def h5p_state_clean(state: Any) -> dict[str, dict[str, str]]:
    """H5P's user data as H5P core keeps it (``{sub-content id: {data type: JSON text}}``, ``"0"`` being the content
    itself and ``"state"`` the data type that resumes it), with anything of another shape left out. ``"null"`` and
    H5P's ``"RESET"`` are no state to resume from (H5P would say the content changed and start over)."""
    cleaned: dict[str, dict[str, str]] = {}
    if not isinstance(state, dict):
        return cleaned
    for sub_id, data in state.items():
        if not isinstance(data, dict) or len(str(sub_id)) > _H5P_STATE_KEY_MAX:
            continue
        kept = {
            str(kind): value
            for kind, value in data.items()
            if isinstance(value, str) and value not in ("", "null", "RESET") and len(str(kind)) <= _H5P_STATE_KEY_MAX
        }
        if kept:
            cleaned[str(sub_id)] = kept
        if len(cleaned) >= _H5P_STATE_ENTRIES_MAX:
            break
    return cleaned


@transaction.atomic
def h5p_state_store(
    *, user: User, package: ContentPackage, usage_id: str, state: Any, page_id: int | None = None
) -> ScormAttempt:
    """Keep an H5P content's user state (what ``H5P.setUserData`` saved: the slide, the answers given) on the
    learner's current attempt at this content (``suspend_data``), so the next visit resumes there.

    Rules: only the learner's own attempt for this package and activity (usage id); at most
    ``H5P_STATE_MAX_BYTES``, else ``H5PStateRefused`` and what was stored stays; no ``activity_scored`` (a state is
    no result: results come with ``h5p_result_record``)."""
    cleaned = h5p_state_clean(state)
    text = json.dumps(cleaned, ensure_ascii=False, separators=(",", ":")) if cleaned else ""
    if len(text.encode()) > H5P_STATE_MAX_BYTES:
        raise H5PStateRefused(
            _("Tu avance en este contenido es demasiado grande para guardarlo (más de %(kb)d KB).")
            % {"kb": H5P_STATE_MAX_BYTES // 1024}
        )
    attempt = (
        ScormAttempt.objects.select_for_update()
        .filter(package=package, user=user, usage_id=usage_id)
        .order_by("-attempt_number")
        .first()
    )
    if attempt is None:
        attempt = ScormAttempt(package=package, user=user, usage_id=usage_id[:64], page_id=page_id)
    attempt.suspend_data = text
    if page_id and not attempt.page_id:
        attempt.page_id = page_id
    attempt.save()
    return attempt


def h5p_state_read(*, user: User, package: ContentPackage, usage_id: str) -> dict[str, dict[str, str]]:
    """The H5P user state the learner's current attempt kept (``{}`` on a first visit), for the frame to start with
    (h5p-standalone's ``contentUserData``)."""
    attempt = scorm_attempt_latest(user=user, package=package, usage_id=usage_id)
    if attempt is None or not attempt.suspend_data or package.engine != ContentPackage.Engine.H5P:
        return {}
    try:
        return h5p_state_clean(json.loads(attempt.suspend_data))
    except ValueError:
        return {}


def scorm_attempt_latest(*, user: User, package: ContentPackage, usage_id: str) -> ScormAttempt | None:
    """The learner's current attempt at one SCO (or H5P content), if any."""
    return (
        ScormAttempt.objects.filter(package=package, user=user, usage_id=usage_id).order_by("-attempt_number").first()
    )


#: what judging an attempt needs (``ScormAttempt.passes``): never the CMI tree, suspend data or interactions
ATTEMPT_OUTCOME_FIELDS = (
    "usage_id",
    "attempt_number",
    "completion_status",
    "success_status",
    "score_scaled",
    "best_score_scaled",
    "best_success_status",
    "mastery_score",
    "updated_at",
)


def scorm_attempts_for_user(*, user: Any, usage_ids: list[str]) -> dict[str, ScormAttempt]:
    """The learner's current attempt per SCO (or H5P content) usage id, in one query, with only the fields that
    judge it (``ATTEMPT_OUTCOME_FIELDS``)."""
    if not usage_ids or not getattr(user, "is_authenticated", False):
        return {}
    found: dict[str, ScormAttempt] = {}
    rows = ScormAttempt.objects.filter(user=user, usage_id__in=usage_ids).only(*ATTEMPT_OUTCOME_FIELDS)
    for attempt in rows.order_by("attempt_number"):
        found[attempt.usage_id] = attempt  # the latest attempt wins
    return found


def scorm_result(
    *, attempt: ScormAttempt | None, graded: bool = False, pass_mark: float | None = None
) -> dict[str, Any] | None:
    """What the lesson shows about an attempt: the best score in %, success and completion. ``graded``: the
    package's score counts for the course, judged against ``pass_mark`` (0..1) when it reports no success."""
    if attempt is None or not (attempt.completed or attempt.best_score is not None):
        return None
    best = attempt.best_score
    passed = attempt.passes(graded=graded, pass_mark=pass_mark)
    judged_by_score = best is not None and (graded or attempt.mastery_score is not None)
    failed = attempt.reported_success == "failed" or judged_by_score or (graded and attempt.completed)
    success = "passed" if passed else "failed" if failed else ""
    return {
        "score_percent": round(best * 100) if best is not None else None,
        "success_status": success,
        "completed": attempt.completed,
    }


def _inner_cmi(cmi: Any) -> dict[str, Any]:
    if isinstance(cmi, dict) and isinstance(cmi.get("cmi"), dict):
        return cmi["cmi"]
    return cmi if isinstance(cmi, dict) else {}


def _child_dict(tree: dict[str, Any], key: str) -> dict[str, Any]:
    """``tree[key]`` when it is an object; stored CMI comes from the browser, so anything else counts as empty."""
    value = tree.get(key)
    return value if isinstance(value, dict) else {}


def scorm_objective_ids(*, package: ContentPackage) -> list[str]:
    """The objective identifiers the manifest declares (SCORM 2004 ``imsss:objective``/``primaryObjective``), which
    the run-time must offer as ``cmi.objectives.n.id``; cached per package (its files never change)."""
    from django.core.cache import cache

    from .safexml import parse_xml

    key = f"ruta:packages:objectives:{package.uuid}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    ids: list[str] = []
    try:
        with private_storage().open(package.storage_name("imsmanifest.xml"), "rb") as fh:
            root = parse_xml(fh.read(), name="imsmanifest.xml")
        for element in root.iter():
            tag = str(element.tag).rsplit("}", 1)[-1]
            objective_id = element.get("objectiveID")
            if tag in ("primaryObjective", "objective") and objective_id and objective_id not in ids:
                ids.append(objective_id)
    except Exception:  # noqa: BLE001 - a missing or unreadable manifest just means no declared objectives
        ids = []
    cache.set(key, ids, 24 * 3600)
    return ids


def scorm_resume_tree(
    *,
    attempt: ScormAttempt | None,
    engine: str,
    mastery_score: float | None = None,
    objective_ids: list[str] | None = None,
) -> dict[str, Any]:
    """The CMI data a SCO starts with (``{"cmi": {...}}`` for scorm-again's ``loadFromJSON``).

    Rules: the bookmark (location), suspend data, status and score carry over; ``entry`` is "resume" when the last
    session ended with exit "suspend" or was interrupted (the learner left without the SCO terminating, so no exit
    was recorded) and left a bookmark or suspend data; otherwise a first launch is "ab-initio" and a finished one "".
    The lesson's pass mark is given as ``mastery_score`` (1.2, 0..100) or ``scaled_passing_score`` (2004)."""
    old = _inner_cmi(attempt.cmi) if attempt is not None else {}
    scorm12 = engine == ContentPackage.Engine.SCORM12
    core = _child_dict(old, "core")
    exit_value = str((core.get("exit") if scorm12 else old.get("exit")) or "")
    location = str((core.get("lesson_location") if scorm12 else old.get("location")) or "")
    suspend = str(old.get("suspend_data") or "")
    if attempt is None:
        entry = "ab-initio"
    elif exit_value == "suspend" or (exit_value == "" and (location or suspend)):
        entry = "resume"
    else:
        entry = ""
    tree: dict[str, Any] = {}
    if scorm12:
        new_core: dict[str, Any] = {"entry": entry}
        if location:
            new_core["lesson_location"] = location
        if core.get("lesson_status") not in (None, "", "not attempted"):
            new_core["lesson_status"] = core["lesson_status"]
        score = _child_dict(core, "score")
        kept = {k: v for k, v in score.items() if k in ("raw", "min", "max") and v not in (None, "")}
        if kept:
            new_core["score"] = kept
        tree["core"] = new_core
        if mastery_score is not None:
            tree["student_data"] = {"mastery_score": str(round(mastery_score * 100))}
    else:
        tree["entry"] = entry
        if location:
            tree["location"] = location
        for key in ("completion_status", "success_status"):
            if old.get(key) not in (None, "", "unknown"):
                tree[key] = old[key]
        score = _child_dict(old, "score")
        kept = {k: v for k, v in score.items() if k in ("scaled", "raw", "min", "max") and v not in (None, "")}
        if kept:
            tree["score"] = kept
        if mastery_score is not None:
            tree["scaled_passing_score"] = str(mastery_score)
        saved = old.get("objectives")
        items = saved.get("childArray", []) if isinstance(saved, dict) else saved if isinstance(saved, list) else []
        objectives = [dict(o) for o in items if isinstance(o, dict) and o.get("id")]
        known = {o["id"] for o in objectives}
        objectives += [{"id": oid} for oid in objective_ids or [] if oid not in known]
        if objectives:
            tree["objectives"] = [_objective_resume(o) for o in objectives]
    if suspend:
        tree["suspend_data"] = suspend
    return {"cmi": tree}


def _objective_resume(objective: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {"id": objective["id"]}
    for key in ("success_status", "completion_status", "progress_measure"):
        if objective.get(key) not in (None, "", "unknown"):
            kept[key] = objective[key]
    return kept


def scorm_resume_data(*, user: User, package: ContentPackage, usage_id: str) -> dict[str, Any]:
    """The CMI tree last committed for this SCO (empty on a first launch)."""
    attempt = scorm_attempt_latest(user=user, package=package, usage_id=usage_id)
    return attempt.cmi if attempt else {}
