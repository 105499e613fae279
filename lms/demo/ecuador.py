"""The demo's Ecuadorian cohort (DOMAIN.md §7.1, Emprende Segur@ Ecuador): FUDELA's IMESUN GIN cohort in Quito,
led by a FUDELA facilitator, with Venezuelan and Ecuadorian participants reachable on +593 mobiles, varied
progress (some completed, so the certificates step issues their certificates), two past sessions with attendance
and one next week. Names are invented.

Runs after ``cohorts`` and before ``certificates``. Idempotent: people are found by username, the cohort by
institution and name, sessions by title; progress is seeded once per enrolment.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from courses.cohorts import services
from courses.cohorts.models import Cohort
from courses.models import CoursePage, Enrollment, LessonPage
from lms.accounts.models import ConsentRecord, Institution, Membership, Profile, Role, User
from lms.accounts.services import consent_record
from lms.demo.cohorts import seed_sessions
from lms.demo.context import DEMO_PASSWORD, DemoContext
from lms.demo.pages import complete_lesson, required_lessons

COHORT_NAME = "IMESUN GIN — Emprende Segur@ Quito 2026"

TRAINER = ("facilitadora-quito", "María Belén", "Andrade Cevallos", "+593998700010")

# username, first name, last names, +593 mobile, sex, nationality, birth year, province of residence; the optional
# profile fields are left empty ("" / None) for some, as people may
PARTICIPANTS_QUITO: list[tuple[str, str, str, str, str, str, int | None, str]] = [
    ("quito-01", "Mayerlin", "Guédez Torrealba", "+593998700101", "F", "VE", 1993, "Pichincha"),
    ("quito-02", "Nathaly", "Guamán Tituaña", "+593998700102", "F", "EC", 1990, "Pichincha"),
    ("quito-03", "Yurimar", "Colmenárez Piñero", "+593998700103", "F", "VE", 1996, "Pichincha"),
    ("quito-04", "Jéssica", "Andrade Quishpe", "+593998700104", "F", "EC", 1987, "Pichincha"),
    ("quito-05", "Anyelis", "Moncada Ríos", "+593998700105", "F", "VE", None, ""),
    ("quito-06", "Dayanara", "Cedeño Mendoza", "+593998700106", "F", "EC", 1999, "Guayas"),
    ("quito-07", "Ramón Ignacio", "Úcar Betancourt", "+593998700107", "M", "VE", 1985, "Pichincha"),
    ("quito-08", "Byron", "Tipán Chicaiza", "+593998700108", "M", "EC", 1992, "Pichincha"),
    ("quito-09", "Héctor José", "Mújica Sánchez", "+593998700109", "", "", None, ""),
    ("quito-10", "Fernanda", "Pazmiño León", "+593998700110", "F", "", 1995, "Pichincha"),
    ("quito-11", "Luis Ángel", "Yépez Ortiz", "+593998700111", "M", "VE", 1991, ""),
]


def seed(ctx: DemoContext) -> None:
    """FUDELA's GIN cohort in Quito: facilitator, participants (and José), progress, sessions with attendance."""
    course_gin = ctx.objects.get("course_gin")
    fudela = ctx.institutions.get("fudela")
    if course_gin is None or fudela is None:
        return
    trainer = _quito_trainer(ctx, fudela)
    cohort = _quito_cohort(course_gin, trainer, fudela)
    ctx.objects["cohort_quito"] = cohort
    people = _quito_members(ctx, cohort, fudela)
    lessons = required_lessons(course_gin)
    _quito_progress(course_gin, lessons, people)
    _quito_sessions(cohort, trainer, people)
    ctx.say(f"Grupo de Ecuador (FUDELA, Quito): /grupos/{cohort.pk}/ · facilitadora: {TRAINER[0]}")


def _quito_trainer(ctx: DemoContext, fudela: Institution) -> User:
    """FUDELA's facilitator in Quito; she signed up herself and logs in with her +593 mobile."""
    username, first, last, phone = TRAINER
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "phone": phone}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.signed_in_on_own_at = timezone.now()
        user.save()
        consent_record(user=user, purpose=ConsentRecord.Purpose.TERMS, granted=True)
    Profile.objects.update_or_create(
        user=user, defaults={"sex": "F", "nationality": "EC", "country": "EC", "region": "Pichincha", "city": "Quito"}
    )
    Membership.objects.get_or_create(user=user, institution=fudela, role=Role.TRAINER)
    ctx.users["trainer_ecuador"] = user
    ctx.login("Facilitadora en Ecuador (FUDELA)", username, "(o móvil +593 99 870 0010)")
    return user


def _quito_cohort(course_gin: CoursePage, trainer: User, fudela: Institution) -> Cohort:
    """IMESUN GIN, blended, FUDELA in Quito (Pichincha), funded by USAID; started four weeks ago, six weeks long."""
    cohort = Cohort.objects.filter(institution=fudela, name=COHORT_NAME).first()
    if cohort is not None:
        return cohort
    start = timezone.localdate() - timedelta(days=28)
    return services.cohort_create(
        institution=fudela,
        name=COHORT_NAME,
        course=course_gin,
        trainers=[trainer],
        starts_on=start,
        ends_on=start + timedelta(days=42),
        mode=Cohort.Mode.BLENDED,
        country="EC",
        region="Pichincha",
        city="Quito",
        funding_source="USAID",
    )


def _quito_members(ctx: DemoContext, cohort: Cohort, fudela: Institution) -> list[User]:
    """The 11 invented participants (created by FUDELA, with +593 mobiles and contact consent), then José."""
    people = []
    for username, first, last, phone, sex, nationality, birth_year, region in PARTICIPANTS_QUITO:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "phone": phone, "created_by_institution": fudela},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            consent_record(user=user, purpose=ConsentRecord.Purpose.COHORT_CONTACT, granted=True)
        profile = {"sex": sex, "nationality": nationality, "birth_year": birth_year, "region": region}
        Profile.objects.update_or_create(user=user, defaults={"country": "EC" if sex else "", **profile})
        services.cohort_member_add(cohort=cohort, user=user)
        people.append(user)
    if ctx.users.get("participant3") is not None:  # José Gregorio lives in Quito and is a FUDELA participant
        services.cohort_member_add(cohort=cohort, user=ctx.users["participant3"])
    return people


def _quito_progress(course_gin: CoursePage, lessons: list[LessonPage], people: list[User]) -> None:
    """The first four finished GIN (so they get its certificate), the next four are halfway, the rest only
    opened the first lesson."""
    for index, user in enumerate(people):
        enrollment = Enrollment.objects.get(user=user, course=course_gin)
        if enrollment.last_activity_at is not None:
            continue  # already seeded
        done = lessons if index < 4 else lessons[: max(1, len(lessons) // 2)] if index < 8 else lessons[:1]
        for lesson in done:
            complete_lesson(user, lesson)


def _quito_sessions(cohort: Cohort, trainer: User, people: list[User]) -> None:
    """Live sessions: two past ones with attendance, one next week."""
    plan = [
        ("Sesión 1: Tu idea de negocio en Quito", -14),
        ("Sesión 2: ¿Quién compra lo que vendes?", -7),
        ("Sesión 3: Elige y presenta tu idea", 7),
    ]
    seed_sessions(
        cohort, trainer, people, plan, location="Sede de FUDELA en Quito y por Zoom", absent_every=4, present_up_to=9
    )
