"""A course's certificate programmes inside a Ruta package (export and import).

What travels is the programme's definition: what it certifies, its criteria, minimum score, hours, validity,
language and look (logo, colours), the issuing institution's public identity (slug and name) and the
signatories' names and titles. Signature images never travel: an institution that adapts a course signs its
certificates itself.

On import the programme is created **inactive** (like the draft course it belongs to) so no certificate is issued
before an administrator has checked it. The issuer is the institution with the same identifier on this site, or
else the institution of the person importing; without either, the programme is not created and the report says
why. Co-issuers are kept when they exist here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lms.accounts.models import Institution, Membership, User

from .models import CertificateProgramme, Signatory

FIELDS = (
    "name", "slug", "kind", "title", "title_en", "description", "reference", "auto_issue", "min_score", "hours",
    "validity_months", "language", "primary_colour", "accent_colour",
)  # fmt: skip


def _institution(institution: Institution) -> dict[str, str]:
    return {"slug": institution.slug, "name": institution.name}


def programmes_for_package(*, course: Any, add_image: Callable[[Any], str | None]) -> list[dict[str, Any]]:
    """The programmes issued on completing ``course``, as package data (sorted, so exports are repeatable)."""
    programmes = (
        CertificateProgramme.objects.filter(course_id=course.pk)
        .select_related("issuer", "logo")
        .prefetch_related("co_issuers", "signatories")
        .order_by("slug")
    )
    out = []
    for programme in programmes:
        data: dict[str, Any] = {name: getattr(programme, name) for name in FIELDS}
        data["issuer"] = _institution(programme.issuer)
        data["co_issuers"] = sorted((_institution(i) for i in programme.co_issuers.all()), key=lambda i: i["slug"])
        data["logo"] = add_image(programme.logo) if programme.logo_id else None
        data["signatories"] = [{"name": s.name, "title": s.title} for s in programme.signatories.all()]
        out.append(data)
    return out


def _unique_slug(wanted: str) -> str:
    base = slugify(wanted)[:70] or "programa"
    slug, n = base, 2
    while CertificateProgramme.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def programmes_from_package(
    *, course: Any, programmes: Any, image: Callable[[Any], Any], user: User | None, note: Callable[[str], None]
) -> list[CertificateProgramme]:
    """Create the (inactive) programmes of an imported course; what cannot be created is reported by ``note``."""
    created: list[CertificateProgramme] = []
    own = (
        Membership.objects.filter(user=user).select_related("institution").order_by("pk").first()
        if getattr(user, "pk", None)
        else None
    )
    for data in programmes if isinstance(programmes, list) else []:
        if not isinstance(data, dict):
            continue
        issuer_data: dict[str, Any] = data["issuer"] if isinstance(data.get("issuer"), dict) else {}
        issuer = Institution.objects.filter(slug=str(issuer_data.get("slug", ""))).first()
        if issuer is None and own is not None:
            issuer = own.institution
            note(
                _("programa de certificación «%(p)s»: la institución emisora «%(i)s» no existe aquí; emite %(o)s")
                % {"p": data.get("name", ""), "i": issuer_data.get("name", ""), "o": issuer.name}
            )
        if issuer is None:
            note(
                _(
                    "programa de certificación «%(p)s» no creado: la institución emisora «%(i)s» no existe aquí "
                    "(créela o importe como miembro de una institución)"
                )
                % {"p": data.get("name", ""), "i": issuer_data.get("name", "")}
            )
            continue
        programme = CertificateProgramme(course=course, issuer=issuer, is_active=False)
        for name in FIELDS:
            if name not in data:
                continue
            field = CertificateProgramme._meta.get_field(name)
            value = data[name]
            if field.get_internal_type() == "BooleanField":
                value = bool(value)
            elif field.get_internal_type() == "PositiveSmallIntegerField":
                value = value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 32768 else None
            else:
                value = str(value or "")[: field.max_length] if field.max_length else str(value or "")
            setattr(programme, name, value)
        if programme.kind not in CertificateProgramme.Kind.values:
            programme.kind = CertificateProgramme.Kind.COURSE
        if programme.language not in CertificateProgramme.Language.values:
            programme.language = CertificateProgramme.Language.SPANISH
        wanted = programme.slug or programme.name
        programme.slug = _unique_slug(wanted)
        if programme.slug != wanted:
            note(
                _("programa de certificación «%(p)s» creado con el identificador «%(s)s»")
                % {"p": programme.name, "s": programme.slug}
            )
        programme.name = programme.name or programme.title or course.title
        programme.title = programme.title or programme.name
        programme.logo = image(data.get("logo")) if data.get("logo") else None
        try:
            programme.full_clean(exclude=["course", "issuer", "logo", "co_issuers"])
        except ValidationError as exc:
            note(
                _("programa de certificación «%(p)s» no creado: %(e)s")
                % {"p": programme.name, "e": "; ".join(exc.messages)}
            )
            continue
        programme.save()
        slugs = [str(i.get("slug", "")) for i in data.get("co_issuers") or [] if isinstance(i, dict)]
        programme.co_issuers.set(Institution.objects.filter(slug__in=slugs))
        for order, signatory in enumerate(data.get("signatories") or []):
            if isinstance(signatory, dict) and signatory.get("name"):
                Signatory.objects.create(
                    programme=programme,
                    name=str(signatory["name"])[:120],
                    title=str(signatory.get("title", ""))[:160],
                    sort_order=order,
                )
        note(
            _("programa de certificación «%(p)s» creado inactivo: revíselo y actívelo para emitir certificados")
            % {"p": programme.name}
        )
        created.append(programme)
    return created
