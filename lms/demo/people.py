"""Demo institutions and one person per role (DOMAIN.md §1, §7). Names are invented.

Idempotent: institutions are updated in place by slug, people found by username; passwords and consents are set
only when a person is created.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from lms.accounts.models import ConsentRecord, Institution, Membership, Profile, Role, User
from lms.accounts.services import consent_record, institution_admin_group_sync
from lms.demo.context import DEMO_PASSWORD, DemoContext

INSTITUTIONS = [
    # slug, name, acronym, type, country
    ("oit", "Organización Internacional del Trabajo", "OIT", Institution.Type.INTERNATIONAL, "PE"),
    ("mtpe", "Ministerio de Trabajo y Promoción del Empleo — PNPE", "MTPE", Institution.Type.MINISTRY, "PE"),
    ("conquito", "Agencia de Promoción Económica ConQuito", "ConQuito", Institution.Type.MINISTRY, "EC"),
    ("edec", "Empresa Pública de Desarrollo Económico de Cuenca", "EDEC EP", Institution.Type.COMPANY, "EC"),
    ("iaen", "Instituto de Altos Estudios Nacionales", "IAEN", Institution.Type.UNIVERSITY, "EC"),
    ("esan", "Universidad ESAN", "ESAN", Institution.Type.UNIVERSITY, "PE"),
    ("unmsm", "Universidad Nacional Mayor de San Marcos", "UNMSM", Institution.Type.UNIVERSITY, "PE"),
    ("khipu", "Instituto Khipu", "Khipu", Institution.Type.TRAINING_INSTITUTE, "PE"),
    ("alternativa", "ONG Alternativa", "Alternativa", Institution.Type.NGO, "PE"),
    ("fudela", "Fundación de las Américas", "FUDELA", Institution.Type.NGO, "EC"),
    ("arariwa", "Asociación Arariwa", "Arariwa", Institution.Type.NGO, "PE"),
    ("silabuz", "Silabuz", "Silabuz", Institution.Type.COMPANY, "PE"),
    ("mml", "Municipalidad Metropolitana de Lima", "MML", Institution.Type.MINISTRY, "PE"),
    (
        "spe-ecuador",
        "Servicio Público de Empleo — Ministerio del Trabajo",
        "MDT",
        Institution.Type.EMPLOYMENT_SERVICE,
        "EC",
    ),
]

# key, username, first name, last name, phone, e-mail, [(institution slug, role, scope)], profile
PEOPLE: list[tuple[str, str, str, str, str, str, list[tuple[str, str, str]], dict[str, Any]]] = [
    (
        "participant",
        "participante",
        "Yolimar",
        "Rodríguez Pérez",
        "+51987000001",
        "",
        [("alternativa", Role.PARTICIPANT, "")],
        {
            "sex": "F",
            "birth_year": 1994,
            "nationality": "VE",
            "country": "PE",
            "region": "Lima",
            "city": "Lima",
            "migratory_status": "in_process",
            "id_document_type": "cpp",
        },
    ),
    (
        "participant2",
        "rosa",
        "Rosa Elena",
        "Quispe Mamani",
        "+51987000002",
        "",
        [("alternativa", Role.PARTICIPANT, "")],
        {
            "sex": "F",
            "birth_year": 1989,
            "nationality": "PE",
            "country": "PE",
            "region": "Cusco",
            "city": "Cusco",
            "migratory_status": "national",
            "id_document_type": "cedula",
        },
    ),
    (
        "participant3",
        "jose",
        "José Gregorio",
        "Hernández Núñez",
        "",
        "jose.hernandez@example.org",
        [("fudela", Role.PARTICIPANT, "")],
        {"sex": "M", "birth_year": 1998, "nationality": "VE", "country": "EC", "region": "Pichincha", "city": "Quito"},
    ),
    (
        "trainer",
        "facilitadora",
        "Carmen",
        "Salazar Ríos",
        "+51987000010",
        "carmen.salazar@example.org",
        [("alternativa", Role.TRAINER, "")],
        {"sex": "F"},
    ),
    (
        "master_trainer",
        "master",
        "Lucía",
        "Fernández Ortiz",
        "",
        "lucia.fernandez@example.org",
        [("oit", Role.MASTER_TRAINER, "")],
        {"sex": "F"},
    ),
    (
        "evaluator",
        "evaluadora",
        "Patricia",
        "Gómez Vargas",
        "",
        "patricia.gomez@example.org",
        [("unmsm", Role.EVALUATOR, "")],
        {"sex": "F"},
    ),
    (
        "institution_admin",
        "admin-alternativa",
        "Jorge",
        "Mendoza Castillo",
        "",
        "jorge.mendoza@example.org",
        [("alternativa", Role.INSTITUTION_ADMIN, "")],
        {"sex": "M"},
    ),
    (
        "me_officer",
        "monitoreo",
        "Andrea",
        "Paredes León",
        "",
        "andrea.paredes@example.org",
        [("oit", Role.ME_OFFICER, "")],
        {"sex": "F"},
    ),
    (
        "programme_manager",
        "gestion",
        "Ricardo",
        "Torres Aguilar",
        "",
        "ricardo.torres@example.org",
        [("oit", Role.PROGRAMME_MANAGER, "")],
        {"sex": "M"},
    ),
    (
        "donor_viewer",
        "cooperante",
        "Sara",
        "Lindqvist",
        "",
        "sara.lindqvist@example.org",
        [("oit", Role.DONOR_VIEWER, "USAID")],
        {},
    ),
    (
        "data_steward",
        "custodia",
        "Gabriela",
        "Rojas Medina",
        "",
        "gabriela.rojas@example.org",
        [("oit", Role.DATA_STEWARD, "")],
        {"sex": "F"},
    ),
]

ROLE_LABELS = {
    "participant": "Participante (sin correo)",
    "trainer": "Facilitadora",
    "master_trainer": "Master trainer",
    "evaluator": "Evaluadora (UNMSM)",
    "institution_admin": "Admin. de institución",
    "me_officer": "Monitoreo y evaluación",
    "programme_manager": "Gestión de programa",
    "donor_viewer": "Cooperante (USAID)",
    "data_steward": "Custodia de datos",
}


def seed(ctx: DemoContext) -> None:
    """The demo institutions, the Wagtail superuser and one person per role, each listed in the summary."""
    _institutions(ctx)
    _admin(ctx)
    for person in PEOPLE:
        _person(ctx, *person)


def _institutions(ctx: DemoContext) -> None:
    """The ILO, ministries, universities, NGOs and companies of both countries (DOMAIN.md §1)."""
    for slug, name, acronym, kind, country in INSTITUTIONS:
        inst, _ = Institution.objects.update_or_create(
            slug=slug, defaults={"name": name, "acronym": acronym, "type": kind, "country": country}
        )
        ctx.institutions[slug] = inst


def _admin(ctx: DemoContext) -> None:
    """The superuser ``admin``, for Wagtail's admin."""
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"first_name": "Admin", "last_name": "Ruta", "is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.signed_in_on_own_at = timezone.now()
        admin.save()
    ctx.users["admin"] = admin
    ctx.login("Superusuario (admin Wagtail)", "admin", "/admin/")


def _person(
    ctx: DemoContext,
    key: str,
    username: str,
    first: str,
    last: str,
    phone: str,
    email: str,
    memberships: list[tuple[str, str, str]],
    profile: dict[str, Any],
) -> None:
    """One person of ``PEOPLE``: account with consents, optional verified e-mail, profile and role memberships."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "phone": phone or None, "email": email},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        # As if they had signed up themselves: out of reach of helpers' temporary passwords.
        user.signed_in_on_own_at = timezone.now()
        user.save()
        consent_record(user=user, purpose=ConsentRecord.Purpose.TERMS, granted=True)
        if key.startswith("participant") and phone:
            consent_record(user=user, purpose=ConsentRecord.Purpose.COHORT_CONTACT, granted=True)
        if profile:
            consent_record(user=user, purpose=ConsentRecord.Purpose.REPORTING, granted=True)
    if email:
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    Profile.objects.update_or_create(user=user, defaults=profile)
    for slug, role, scope in memberships:
        Membership.objects.get_or_create(
            user=user, institution=ctx.institutions[slug], role=role, defaults={"scope": scope}
        )
    # The institution admin imports packages in the Wagtail admin through the role's group (also on a database
    # seeded before the group existed, where the memberships above were already there).
    institution_admin_group_sync(user_ids=[user.pk])
    ctx.users[key] = user
    if key in ROLE_LABELS:
        login = phone if key == "participant" else username
        note = {"participant": f"(o usuario: {username})", "institution_admin": "/admin/importar-paquetes/"}
        ctx.login(ROLE_LABELS[key], login, note.get(key, ""))
