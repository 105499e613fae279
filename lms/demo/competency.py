"""Demo competency certification: three standards and candidates at every stage (DOMAIN.md §3.2, §7.1).

UNMSM certifies *Ventas y atención al cliente*, Instituto Khipu *Limpieza y desinfección de ambientes* and
Silabuz *Desarrollo web junior*. The demo evaluator (``evaluadora``) assesses at UNMSM and Khipu and has
assigned candidates in both. Everything goes through the services, so audit trails and certificates are real.
Idempotent: a candidate who already has an application for a standard is left alone. Names are invented.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from certification.competency import services
from certification.competency.models import Application, AuditEvent, BankQuestion, KnowledgeAttempt
from lms.accounts.models import ConsentRecord, Membership, Profile, Role, User
from lms.accounts.services import consent_record
from lms.demo.context import DemoContext
from lms.demo.standards_data import DESARROLLO_WEB, LIMPIEZA, VENTAS

STAGES = ["applied", "assigned", "scheduled", "submitted", "competent", "partial", "appealed", "reassessing"]

# username, first name, last names, sex, nationality, city
CANDIDATES = {
    "RUTA-VEN": [
        ("yusmary.contreras", "Yusmary", "Contreras Blanco", "F", "VE", "Lima"),
        ("milagros.huamani", "Milagros", "Huamaní Ccori", "F", "PE", "Lima"),
        ("genesis.marcano", "Génesis Andreína", "Marcano Gil", "F", "VE", "Callao"),
        ("carlos.rengifo", "Carlos Eduardo", "Rengifo Mora", "M", "VE", "Lima"),
        ("lucia.tello", "Lucía Fernanda", "Tello Ruiz", "F", "PE", "Lima"),
        ("dayana.perez", "Dayana Carolina", "Pérez Linares", "F", "VE", "Lima"),
        ("jhonatan.quispe", "Jhonatan", "Quispe Arias", "M", "PE", "Lima"),
        ("oriana.sequera", "Oriana Valentina", "Sequera Rojas", "F", "VE", "Lima"),
    ],
    "RUTA-LIM": [
        ("nilda.mamani", "Nilda", "Mamani Choque", "F", "PE", "Lima"),
        ("yelitza.fuentes", "Yelitza Coromoto", "Fuentes Díaz", "F", "VE", "Lima"),
        ("marisol.ayala", "Marisol", "Ayala Paucar", "F", "PE", "Lima"),
        ("wilmer.guedez", "Wilmer Antonio", "Guédez Pinto", "M", "VE", "Lima"),
        ("rosmery.castillo", "Rosmery", "Castillo Vega", "F", "PE", "Callao"),
        ("francys.ortega", "Francys Daniela", "Ortega Salas", "F", "VE", "Lima"),
        ("edwin.huarcaya", "Edwin", "Huarcaya León", "M", "PE", "Lima"),
        ("maholy.suarez", "Maholy Alejandra", "Suárez Peña", "F", "VE", "Lima"),
    ],
    "RUTA-DWJ": [
        ("kevin.salas", "Kevin Andrés", "Salas Díaz", "M", "PE", "Lima"),
        ("andrea.campos", "Andrea Lucía", "Campos Torres", "F", "PE", "Lima"),
        ("jose.briceno", "José Daniel", "Briceño Mora", "M", "VE", "Lima"),
        ("sebastian.rios", "Sebastián", "Ríos Huamán", "M", "PE", "Lima"),
        ("valeria.chirinos", "Valeria Nicole", "Chirinos Paz", "F", "PE", "Lima"),
        ("luis.urdaneta", "Luis Miguel", "Urdaneta Pérez", "M", "VE", "Lima"),
        ("diego.farfan", "Diego Alonso", "Farfán Quispe", "M", "PE", "Lima"),
        ("alejandro.paez", "Alejandro José", "Páez Romero", "M", "VE", "Lima"),
    ],
}

EXPERIENCE = {
    "RUTA-VEN": "Trabajo en un puesto de ropa en Gamarra y antes vendí en una bodega. Atiendo, cobro con Yape y "
    "llevo el cuaderno de ventas.",
    "RUTA-LIM": "Hago limpieza en oficinas y casas desde hace años; también trabajé en una clínica en el turno "
    "de noche.",
    "RUTA-DWJ": "Terminé el bootcamp de Silabuz; hice una tienda en línea con HTML, CSS y JavaScript y un "
    "proyecto en equipo con Scrum.",
}

LOCATIONS = {
    "RUTA-VEN": "Centro de evaluación UNMSM, Ciudad Universitaria, Lima",
    "RUTA-LIM": "Instituto Khipu, sede Cercado de Lima (ambiente de simulación)",
    "RUTA-DWJ": "Silabuz, sesión por videollamada y revisión del repositorio",
}


CERTIFYING_BODIES = {"RUTA-VEN": "unmsm", "RUTA-LIM": "khipu", "RUTA-DWJ": "silabuz"}

# code: (admin username, first, last), validator, reviewer
STAFF = {
    "RUTA-VEN": (
        ("entidad-unmsm", "Rocío", "Valdivia Cárdenas"),
        ("evaluador-unmsm", "Miguel Ángel", "Huamán Torres"),
        ("revisora-unmsm", "Daniela", "Chávez Ramos"),
    ),
    "RUTA-LIM": (
        ("entidad-khipu", "Hugo", "Alarcón Meza"),
        ("evaluadora-khipu", "Flor de María", "Condori Apaza"),
        ("revisor-khipu", "Martín", "Salinas Ugarte"),
    ),
    "RUTA-DWJ": (
        ("entidad-silabuz", "Karen", "Villanueva Soto"),
        ("evaluador-silabuz", "Luis Alberto", "Paz Soto"),
        ("mentora-silabuz", "Gabriela", "Núñez Ortiz"),
    ),
}


def _person(ctx: DemoContext, username: str, first: str, last: str, **profile: str) -> User:
    """A candidate or a certifying body's staff member, who logs in with the demo password."""
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
    if created:
        admin = ctx.users.get("admin")
        if admin is not None:
            user.password = admin.password  # the demo password's hash, copied: hashing it again per person is slow
            user.save(update_fields=["password"])
        consent_record(user=user, purpose=ConsentRecord.Purpose.TERMS, granted=True)
        if profile:
            consent_record(user=user, purpose=ConsentRecord.Purpose.REPORTING, granted=True)
            Profile.objects.update_or_create(user=user, defaults=profile)
    return user


def _member(user: User, institution: Any, role: str) -> None:
    """The role at the institution, once."""
    Membership.objects.get_or_create(user=user, institution=institution, role=role)


def _record_instruments(application: Application, evaluator: User, *, fail_last: bool) -> None:
    """Test, checklist, rubric, evidence and verdict for every unit; with ``fail_last`` the last unit is not yet met."""
    units = list(application.units.order_by("order", "id"))
    for index, unit in enumerate(units):
        failing = fail_last and index == len(units) - 1
        attempt = services.knowledge_attempt_start(
            application=application, unit=unit, candidate=application.candidate, seed=f"demo-{application.pk}-{unit.pk}"
        )
        answers = {}
        for question in BankQuestion.objects.filter(pk__in=attempt.question_ids):
            answers[str(question.pk)] = _right_answer(question, wrong=failing)
        services.knowledge_attempt_submit(attempt=attempt, candidate=application.candidate, answers=answers)
        criteria = list(unit.criteria.all())
        marks = {
            c.pk: (("not_met", "Requiere más práctica en este criterio.") if failing and i == 0 else ("met", ""))
            for i, c in enumerate(criteria)
        }
        services.observation_record(
            application=application,
            unit=unit,
            evaluator=evaluator,
            submission_id=uuid.uuid5(uuid.NAMESPACE_URL, f"ruta-demo:{application.pk}:{unit.pk}"),
            marks=marks,
            notes="Observación en situación real de trabajo.",
        )
        rubric = list(unit.rubric.all())
        if rubric:
            services.rubric_score(
                application=application,
                unit=unit,
                evaluator=evaluator,
                levels={r.pk: (1 if failing else 2) for r in rubric},
            )
        if application.standard.code == "RUTA-DWJ" and index < 2:
            services.evidence_add(
                application=application,
                unit=unit,
                actor=application.candidate,
                title="Repositorio del proyecto",
                url=f"https://github.com/{application.candidate.username.replace('.', '-')}/tienda-en-linea",
            )
        services.unit_verdict_record(
            application=application,
            unit=unit,
            evaluator=evaluator,
            verdict="not_yet" if failing else "competent",
            feedback=(
                "Aún no demuestras este desempeño de forma consistente. Repasa los criterios marcados y "
                "practica con el curso recomendado."
                if failing
                else "Buen desempeño, con seguridad y buen trato."
            ),
        )


def _right_answer(question: BankQuestion, *, wrong: bool) -> Any:
    """The answer a candidate who knows (or, with ``wrong``, does not know) would give."""
    value = question.value
    if question.block_type == "true_false":
        right = value["correct_answer"]
        return ("false" if right == "true" else "true") if wrong else right
    options = value.get("options", [])
    if question.block_type == "multiple_choice":
        return [str(i) for i, o in enumerate(options) if o["correct"] != wrong]
    return str(next(i for i, o in enumerate(options) if o["correct"] != wrong))


def _backdate(application: Application, *, days_ago: int, wait_days: int) -> None:
    """Spread demo data over past weeks so the body's report shows realistic times."""
    shift = datetime.timedelta(days=days_ago)
    Application.objects.filter(pk=application.pk).update(
        created_at=F("created_at") - shift - datetime.timedelta(days=wait_days),
        submitted_at=F("submitted_at") - shift,
        decided_at=F("decided_at") - shift,
    )
    AuditEvent.objects.filter(application=application).update(created_at=F("created_at") - shift)
    AuditEvent.objects.filter(application=application, action="applied").update(
        created_at=F("created_at") - datetime.timedelta(days=wait_days)
    )
    KnowledgeAttempt.objects.filter(application=application).update(
        started_at=F("started_at") - shift, submitted_at=F("submitted_at") - shift
    )


def _run_stage(stage: str, *, candidate: User, standard: Any, admin: User, team: list[User], order: int) -> Application:
    """Apply and take the application through the services as far as ``stage`` (one of ``STAGES``)."""
    evaluator, validator, reviewer = team
    levels = ("puedo", "con_ayuda", "puedo", "aun_no")
    application = services.application_create(
        candidate=candidate,
        standard=standard,
        experience=EXPERIENCE[standard.code],
        experience_years=2 + order % 5,
        self_assessment={u.code: levels[(order + i) % len(levels)] for i, u in enumerate(standard.units.all())},
    )
    if stage == "applied":
        return application
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.validator_assign(application=application, validator=validator, actor=admin)
    if stage == "assigned":
        return application
    when = timezone.now() + datetime.timedelta(days=2 + order)
    if stage != "scheduled":
        when = timezone.now() - datetime.timedelta(days=10 + order)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=when, location=LOCATIONS[standard.code]
    )
    if stage == "scheduled":
        unit = application.units.order_by("order")[0]
        attempt = services.knowledge_attempt_start(
            application=application, unit=unit, candidate=candidate, seed=f"demo-{application.pk}"
        )
        answers = {
            str(q.pk): _right_answer(q, wrong=False) for q in BankQuestion.objects.filter(pk__in=attempt.question_ids)
        }
        services.knowledge_attempt_submit(attempt=attempt, candidate=candidate, answers=answers)
        return application
    fail_last = stage in ("partial", "appealed", "reassessing")
    _record_instruments(application, evaluator, fail_last=fail_last)
    services.assessment_submit(
        application=application, evaluator=evaluator, overall_feedback="Evaluación completa en el lugar de trabajo."
    )
    if stage == "submitted":
        _backdate(application, days_ago=1, wait_days=12)
        return application
    services.assessment_validate(application=application, validator=validator, approve=True)
    _backdate(application, days_ago=3 + order, wait_days=14 + 3 * order)
    if stage == "appealed":
        appeal = services.appeal_create(
            application=application,
            candidate=candidate,
            reason="El día de la evaluación no hubo clientes para mostrar este desempeño; pido que se revise.",
        )
        services.appeal_assign(appeal=appeal, reviewer=reviewer, actor=admin)
    if stage == "reassessing":
        later = services.application_reassess(application=application, candidate=candidate)
        services.evaluator_assign(application=later, evaluator=evaluator, actor=admin)
        services.assessment_schedule(
            application=later,
            evaluator=evaluator,
            scheduled_at=timezone.now() + datetime.timedelta(days=5),
            location=LOCATIONS[standard.code],
        )
        return later
    return application


def seed(ctx: DemoContext) -> None:
    """The three standards, each certifying body's staff, and one candidate per stage and standard."""
    standards = _standards(ctx)
    evaluadora = ctx.users["evaluator"]
    _member(evaluadora, ctx.institutions["khipu"], Role.EVALUATOR)
    for code, standard in standards.items():
        body = ctx.institutions[CERTIFYING_BODIES[code]]
        admin, team = _body_staff(ctx, code, body, evaluadora)
        ctx.users[f"competency_admin_{body.slug}"] = admin
        _candidates(ctx, code, standard, admin, team)

    ctx.login("Entidad certificadora (UNMSM)", "entidad-unmsm", "/competencias/entidad/unmsm/")
    ctx.login("Evaluadora (ventas, limpieza)", "evaluadora", "/competencias/evaluacion/")
    ctx.login("Candidata con resultado parcial", "dayana.perez", "/competencias/")
    ctx.say(
        "Competencias: 3 normas (ventas, limpieza, desarrollo web junior) con postulantes en cada etapa; "
        "informe en /competencias/entidad/unmsm/informe/."
    )


def _standards(ctx: DemoContext) -> dict[str, Any]:
    """Ventas (UNMSM), Limpieza (Khipu) and Desarrollo web junior (Silabuz), published, by code."""
    base = getattr(settings, "RUTA_BASE_URL", "").rstrip("/")
    standards = {}
    for data in (VENTAS, LIMPIEZA, DESARROLLO_WEB):
        standards[data["code"]] = services.standard_load(
            certifying_body=ctx.institutions[CERTIFYING_BODIES[data["code"]]],
            data=data,
            training_url=f"{base}/cursos/",
        )
    return standards


def _body_staff(ctx: DemoContext, code: str, body: Any, evaluadora: User) -> tuple[User, list[User]]:
    """A certifying body's admin, and its assessment team: evaluator, validator and appeal reviewer. The demo
    evaluator assesses for UNMSM and Khipu; Silabuz has its own."""
    admin_spec, validator_spec, reviewer_spec = STAFF[code]
    admin = _person(ctx, *admin_spec)
    _member(admin, body, Role.INSTITUTION_ADMIN)
    validator = _person(ctx, *validator_spec)
    reviewer = _person(ctx, *reviewer_spec)
    for person in (validator, reviewer):
        _member(person, body, Role.EVALUATOR)
    if code == "RUTA-DWJ":
        team = [validator, reviewer, _person(ctx, "evaluadora-silabuz", "Carla", "Benavides Ríos")]
        _member(team[2], body, Role.EVALUATOR)
    else:
        team = [evaluadora, validator, reviewer]
    return admin, team


def _candidates(ctx: DemoContext, code: str, standard: Any, admin: User, team: list[User]) -> None:
    """Eight candidates for a standard, the n-th taken to the n-th of ``STAGES``; one already applied is left alone."""
    for order, (stage, spec) in enumerate(zip(STAGES, CANDIDATES[code], strict=True)):
        username, first, last, sex, nationality, city = spec
        candidate = _person(
            ctx, username, first, last, sex=sex, nationality=nationality, country="PE", region="Lima", city=city
        )
        if Application.objects.filter(candidate=candidate, standard__code=code).exists():
            continue
        _run_stage(stage, candidate=candidate, standard=standard, admin=admin, team=team, order=order)
