"""The row-level participant list (data stewards only) and the requests for it (DOMAIN §8 story 50): who may
ask, who may decide, and the rows themselves. Sensitive fields only when asked for; migratory status only
for people whose latest reporting consent is granted.

Must not import views, forms or services (services import this).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage, Enrollment
from lms.accounts.models import ConsentRecord, Institution, Profile, Role, User

from ..models import RowExportRequest
from .filters import Scope, _in_period
from .roles import _memberships
from .universes import ENROLLMENT


def row_request_institutions(*, user: User) -> QuerySet[Institution]:
    """Institutions whose participant list this person may ask for (as their M&E officer)."""
    return Institution.objects.filter(pk__in=_memberships(user, Role.ME_OFFICER).values("institution_id"))


def steward_institution_ids(*, user: User) -> set[int]:
    return set(_memberships(user, Role.DATA_STEWARD).values_list("institution_id", flat=True))


def row_requests_to_decide(*, user: User) -> QuerySet[RowExportRequest]:
    """Pending requests a data steward may decide: their institutions', never their own."""
    qs = RowExportRequest.objects.filter(status=RowExportRequest.Status.PENDING)
    if not user.is_superuser:
        qs = qs.filter(institution_id__in=steward_institution_ids(user=user))
    return qs.exclude(requester=user).select_related("requester", "institution")


#: Row-level fields always available to a data steward, and the sensitive ones that must be asked for.
ROW_FIELDS: list[tuple[str, Any]] = [
    ("participante", _("Participante (usuario)")),
    ("nombre", _("Nombre")),
    ("curso", _("Curso")),
    ("inscripcion", _("Fecha de inscripción")),
    ("estado", _("Estado")),
    ("avance", _("Avance (%)")),
    ("nota", _("Nota (%)")),
    ("completado", _("Fecha de finalización")),
]
SENSITIVE_FIELDS: list[tuple[str, Any]] = [
    ("sexo", _("Sexo")),
    ("anio_nacimiento", _("Año de nacimiento")),
    ("nacionalidad", _("Nacionalidad")),
    ("pais", _("País de residencia")),
    ("region", _("Región o provincia")),
    ("ciudad", _("Ciudad")),
    ("situacion_migratoria", _("Situación migratoria (solo con consentimiento)")),
    ("tipo_documento", _("Tipo de documento")),
    ("discapacidad", _("Discapacidad")),
]


def participant_rows(*, scope: Scope, sensitive: Iterable[str] = ()) -> tuple[list[str], list[list[Any]]]:
    """Row-level enrolments in the scope (for data stewards). Sensitive fields only when asked for;
    migratory status only for people whose latest reporting consent is granted."""
    wanted = [key for key, _label in SENSITIVE_FIELDS if key in set(sensitive)]
    headers = [str(label) for _k, label in ROW_FIELDS] + [str(label) for k, label in SENSITIVE_FIELDS if k in wanted]
    f = scope.filters
    qs = (
        Enrollment.objects.filter(scope.q(ENROLLMENT))
        .filter(_in_period("enrolled_at", f) | _in_period("completed_at", f) | _in_period("last_activity_at", f))
        .order_by("user__username", "course_id")
    )
    consent_ok: set[int] = set()
    if "situacion_migratoria" in wanted:
        latest: dict[int, bool] = {}
        for user_id, granted in (
            ConsentRecord.objects.filter(purpose=ConsentRecord.Purpose.REPORTING, user__enrollments__in=qs)
            .order_by("user_id", "-created_at", "-id")
            .values_list("user_id", "granted")
        ):
            latest.setdefault(user_id, granted)
        consent_ok = {u for u, g in latest.items() if g}
    status_labels = {k: str(v) for k, v in Enrollment.Status.choices}
    course_names = {pk: str(c) for pk, c in _course_labels(qs)}
    profile_fields = {key: name for key, name in _SENSITIVE_PROFILE_FIELDS.items() if key in wanted}
    columns = [
        "user_id",
        "user__username",
        "user__first_name",
        "user__last_name",
        "course_id",
        "enrolled_at",
        "status",
        "progress",
        "score",
        "completed_at",
        *[f"user__profile__{name}" for name in profile_fields.values()],
    ]
    labels = {
        "sex": {k: str(v) for k, v in Profile.Sex.choices if k},
        "migratory_status": {k: str(v) for k, v in Profile.MigratoryStatus.choices if k},
        "id_document_type": {k: str(v) for k, v in Profile.DocumentType.choices if k},
        "disability": {k: str(v) for k, v in Profile.Disability.choices if k},
    }
    tz = timezone.get_current_timezone()
    rows: list[list[Any]] = []
    # Plain tuples, not model instances: 100,000 rows in seconds rather than tens of seconds.
    for values in qs.values_list(*columns).iterator(chunk_size=5000):
        user_id, username, first, last, course_id, enrolled, status, progress, score, completed = values[:10]
        row: list[Any] = [
            username,
            f"{first} {last}".strip() or username,
            course_names.get(course_id, ""),
            enrolled.astimezone(tz).date().isoformat() if enrolled else "",
            status_labels.get(status, status),
            progress,
            score if score is not None else "",
            completed.astimezone(tz).date().isoformat() if completed else "",
        ]
        for (key, profile_field), value in zip(profile_fields.items(), values[10:], strict=True):
            if key == "situacion_migratoria" and user_id not in consent_ok:
                value = ""
            value = "" if value is None else value
            row.append(labels.get(profile_field, {}).get(value, value) if value != "" else "")
        rows.append(row)
    return headers, rows


_SENSITIVE_PROFILE_FIELDS = {
    "sexo": "sex",
    "anio_nacimiento": "birth_year",
    "nacionalidad": "nationality",
    "pais": "country",
    "region": "region",
    "ciudad": "city",
    "situacion_migratoria": "migratory_status",
    "tipo_documento": "id_document_type",
    "discapacidad": "disability",
}


def _course_labels(qs: QuerySet) -> list[tuple[int, Any]]:
    ids = set(qs.values_list("course_id", flat=True).distinct().order_by())
    return [(c.pk, c) for c in CoursePage.objects.filter(pk__in=ids)]
