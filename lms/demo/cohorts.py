"""Demo cohorts (DOMAIN.md §7): the demo trainer's IMESUN GIN cohort in San Juan de Lurigancho with progress,
people who need support, pending free-text answers, live sessions with attendance and an announcement; an ISUN
cohort in Cusco, a women-only Get Ahead cohort, a Finanzas Solidarias trust group and the GIN training of trainers.
Names are invented.

One function per cohort, and one per part of the San Juan de Lurigancho story. Idempotent: cohorts are found by
institution and name, people by username, sessions by title.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from content.models import Submission
from content.services import activity_submit
from courses.cohorts import services
from courses.cohorts.models import Announcement, Cohort, CohortMember, LiveSession
from courses.models import CoursePage, Enrollment, LessonPage, ModulePage
from lms.accounts.models import Institution, Membership, Profile, Role, User
from lms.demo.context import DemoContext
from lms.demo.pages import child_page, complete_lesson, required_lessons

NAMESPACE = uuid.UUID("0f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b")

# first name, last names, sex, nationality, region of residence
PARTICIPANTS_SJL = [
    ("Ysbelia", "Márquez Colmenares", "F", "VE"),
    ("Génesis", "Paredes Urdaneta", "F", "VE"),
    ("Marisol", "Huamán Ccahua", "F", "PE"),
    ("Dayana", "Rivas Golindano", "F", "VE"),
    ("Nohelia", "Castellanos Parra", "F", "VE"),
    ("Flor de María", "Condori Apaza", "F", "PE"),
    ("Karelys", "Bermúdez Salas", "F", "VE"),
    ("Milagros", "Tello Rengifo", "F", "PE"),
    ("Yusmary", "Ochoa Linares", "F", "VE"),
    ("Roxana", "Chávez Inga", "F", "PE"),
    ("Andreína", "Figueroa Mata", "F", "VE"),
    ("Luz Clarita", "Poma Yupanqui", "F", "PE"),
    ("Oriana", "Villegas Pacheco", "F", "VE"),
    ("Heberto", "Silva Guaita", "M", "VE"),
    ("Wilmer", "Arrieta Zambrano", "M", "VE"),
    ("Jhonatan", "Cárdenas Quispe", "M", "PE"),
    ("Yorman", "Lugo Briceño", "M", "VE"),
    ("Edgar", "Mamani Choque", "M", "PE"),
    ("Ronald", "Peña Carrasco", "M", "VE"),
    ("Kleiver", "Azuaje Rondón", "M", "VE"),
]

FREE_TEXT = {
    "title": "Tu cliente ideal",
    "prompt": "Describe en pocas líneas a tu cliente ideal: quién es, dónde está y qué necesita de tu negocio.",
    "max_attempts": 0,
    "pass_mark": 50,
    "weight": "1",
    "max_length": 1500,
    "rubric": [
        {
            "criterion": "Claridad",
            "description": "Se entiende quién es el cliente.",
            "levels": [{"label": "En proceso", "points": 1}, {"label": "Logrado", "points": 2}],
        },
        {
            "criterion": "Necesidad",
            "description": "Nombra qué necesita y cómo el negocio responde.",
            "levels": [{"label": "No la nombra", "points": 0}, {"label": "La nombra", "points": 1}],
        },
    ],
}

ANSWERS = [
    "Oficinistas de Zárate que almuerzan apurados; quieren empanadas calientes entregadas antes de la una.",
    "Mamás del colegio de mi cuadra que no tienen tiempo de cocinar postres para los cumpleaños.",
    "Vecinas y vecinos que lavan su ropa a mano porque no hay lavandería cerca.",
    "Bodegas del mercado que necesitan refrito listo para vender por porciones.",
]


def _id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(parts))


FREE_TEXT_USAGE_ID = str(_id("gin-free-text"))


def _person(username: str, first: str, last: str, sex: str, nationality: str, institution: Institution) -> User:
    """A cohort participant with a profile and a participant membership."""
    # Like a trainer's "new participant": created by the institution, never used on their own (helpers may assist).
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "created_by_institution": institution}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif user.created_by_institution_id is None and user.signed_in_on_own_at is None:
        # A demo seeded before accounts recorded their creator (the migration cannot date backdated joins).
        User.objects.filter(pk=user.pk).update(created_by_institution=institution)
    Profile.objects.update_or_create(
        user=user,
        defaults={"sex": sex, "nationality": nationality, "country": "PE", "birth_year": 1988 + len(first) % 12},
    )
    Membership.objects.get_or_create(user=user, institution=institution, role=Role.PARTICIPANT)
    return user


def seed(ctx: DemoContext) -> None:
    """The facilitator's GIN cohort in San Juan de Lurigancho with its story, then the three other cohorts."""
    course_gin = ctx.objects.get("course_gin")
    trainer = ctx.users.get("trainer")
    alternativa = ctx.institutions.get("alternativa")
    if course_gin is None or trainer is None or alternativa is None:
        return
    sjl = _sjl_cohort(course_gin, trainer, alternativa)
    ctx.objects["cohort_demo"] = sjl
    lesson = _free_text_lesson(course_gin)
    lessons = [item for item in required_lessons(course_gin) if lesson is None or item.pk != lesson.pk]
    people = _sjl_members(ctx, sjl, alternativa)
    _sjl_progress(sjl, course_gin, lessons, people)
    if lesson is not None:
        _sjl_free_text_answers(lesson, people)
    _sjl_sessions(sjl, trainer, people)
    _sjl_announcement(sjl, trainer)
    _tot_cohort(ctx)
    _isun_cusco_cohort(ctx)
    _get_ahead_cohort(ctx)
    _finance_cohort(ctx)
    ctx.say(f"Grupo de la facilitadora: /grupos/{sjl.pk}/ (código {sjl.code}) · unirse: /grupos/unirse/{sjl.code}/")


def _cohort(institution, name, **kwargs) -> Cohort:
    """The institution's cohort of that name, created through the cohorts service the first time."""
    cohort = Cohort.objects.filter(institution=institution, name=name).first()
    return cohort or services.cohort_create(institution=institution, name=name, **kwargs)


# --- The facilitator's cohort in San Juan de Lurigancho ------------------------------------------------------


def _sjl_cohort(course_gin: CoursePage, trainer: User, alternativa: Institution) -> Cohort:
    """IMESUN GIN, blended, Alternativa, funded by USAID; started three weeks ago, six weeks long."""
    lima_start = timezone.localdate() - timedelta(days=21)
    return _cohort(
        alternativa,
        "IMESUN GIN — San Juan de Lurigancho 2026",
        course=course_gin,
        trainers=[trainer],
        starts_on=lima_start,
        ends_on=lima_start + timedelta(days=42),
        mode=Cohort.Mode.BLENDED,
        country="PE",
        region="Lima Metropolitana",
        city="San Juan de Lurigancho",
        funding_source="USAID",
    )


def _free_text_lesson(course: CoursePage) -> LessonPage | None:
    """A free-text activity at the end of GIN (optional lesson), so trainers have answers to grade."""
    module = ModulePage.objects.child_of(course).order_by("-path").first()
    if module is None:
        return None
    return child_page(
        module,
        LessonPage,
        "tu-cliente-ideal",
        title="Tu cliente ideal",
        completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        required=False,
        estimated_minutes=10,
        body=[
            {"type": "text", "id": str(_id("gin-free-text-intro")), "value": "<p>Piensa en una persona real.</p>"},
            {"type": "free_text", "id": FREE_TEXT_USAGE_ID, "value": FREE_TEXT},
        ],
    )


def _sjl_members(ctx: DemoContext, sjl: Cohort, alternativa: Institution) -> list[User]:
    """The 20 invented participants (created by Alternativa), then the demo participants Yolimar and Rosa."""
    people = []
    for index, (first, last, sex, nationality) in enumerate(PARTICIPANTS_SJL):
        user = _person(f"sjl-{index + 1:02d}", first, last, sex, nationality, alternativa)
        services.cohort_member_add(cohort=sjl, user=user)
        people.append(user)
    for key in ("participant", "participant2"):
        if ctx.users.get(key) is not None:
            services.cohort_member_add(cohort=sjl, user=ctx.users[key])
    return people


def _sjl_progress(sjl: Cohort, course_gin: CoursePage, lessons: list[LessonPage], people: list[User]) -> None:
    """The first eight finished every lesson, the next six are halfway, the rest barely started; the last six
    have not been active for two weeks, so the dashboard flags them as needing support."""
    for index, user in enumerate(people):
        enrollment = Enrollment.objects.get(user=user, course=course_gin)
        if enrollment.last_activity_at is not None:
            continue  # already seeded
        done = lessons if index < 8 else lessons[: max(1, len(lessons) // 2)] if index < 14 else lessons[:1]
        for item in done:
            complete_lesson(user, item)
    now = timezone.now()
    idle = [u.pk for u in people[14:]]
    Enrollment.objects.filter(user_id__in=idle, course=course_gin).update(last_activity_at=now - timedelta(days=15))
    CohortMember.objects.filter(cohort=sjl, user_id__in=idle).update(joined_at=now - timedelta(days=21))


def _sjl_free_text_answers(lesson: LessonPage, people: list[User]) -> None:
    """Four pending free-text answers for the facilitator to grade."""
    for user, answer in zip(people[:4], ANSWERS, strict=True):
        if not Submission.objects.filter(user=user, usage_id=FREE_TEXT_USAGE_ID).exists():
            activity_submit(
                user=user,
                page=lesson,
                usage_id=FREE_TEXT_USAGE_ID,
                answer={"text": answer},
                submission_id=_id("answer", user.username),
            )


def _sjl_sessions(sjl: Cohort, trainer: User, people: list[User]) -> None:
    """Live sessions: two past ones with attendance, one next week."""
    plan = [
        ("Sesión 1: ¿De dónde salen las ideas de negocio?", -14),
        ("Sesión 2: Conversa con tus clientes", -7),
        ("Sesión 3: Elige tu idea", 7),
    ]
    place = "Casa de la Juventud de Zárate y por Zoom"
    seed_sessions(sjl, trainer, people, plan, location=place, absent_every=5, present_up_to=14)


def seed_sessions(
    cohort: Cohort,
    trainer: User,
    people: list[User],
    plan: list[tuple[str, int]],
    *,
    location: str,
    absent_every: int,
    present_up_to: int,
) -> None:
    """A cohort's live sessions (title, days from today), found by title; the past ones get attendance: every
    ``absent_every``-th person (shifting each session) and everyone from ``present_up_to`` on is absent."""
    now = timezone.now()
    for number, (title, days) in enumerate(plan):
        session = LiveSession.objects.filter(cohort=cohort, title=title).first() or services.session_create(
            cohort=cohort,
            title=title,
            starts_at=now.replace(hour=23, minute=0, second=0, microsecond=0) + timedelta(days=days),
            location=location,
        )
        if days < 0:
            marks = {
                u.pk: ("absent" if (i + number) % absent_every == 0 or i >= present_up_to else "present")
                for i, u in enumerate(people)
            }
            services.attendance_mark(session=session, marks=marks, marked_by=trainer)


def _sjl_announcement(sjl: Cohort, trainer: User) -> None:
    """One announcement about the next session."""
    if not Announcement.objects.filter(cohort=sjl).exists():
        services.announcement_send(
            cohort=sjl,
            author=trainer,
            title="Sesión 3 el próximo martes",
            body="Traigan la lista de las tres ideas que más les gustan. ¡Las y los esperamos!",
        )


# --- The other cohorts ----------------------------------------------------------------------------------------


def _tot_cohort(ctx: DemoContext) -> None:
    """The GIN training of trainers (ILO, virtual, Asdi), led by the master trainer; the facilitator is in it."""
    master = ctx.users.get("master_trainer")
    oit = ctx.institutions.get("oit")
    if ctx.objects.get("course_tot_gin") is None or oit is None:
        return
    tot = _cohort(
        oit,
        "Formación de facilitadores IMESUN GIN 2026",
        course=ctx.objects["course_tot_gin"],
        trainers=[master] if master else [],
        mode=Cohort.Mode.VIRTUAL,
        country="PE",
        region="Lima Metropolitana",
        city="Lima",
        funding_source="Asdi",
    )
    ctx.objects["cohort_tot_gin"] = tot
    if ctx.users.get("trainer") is not None:
        services.cohort_member_add(cohort=tot, user=ctx.users["trainer"])


def _isun_cusco_cohort(ctx: DemoContext) -> None:
    """IMESUN ISUN in Cusco (Arariwa, in person, Asdi); the trainers step gives it a certified facilitator."""
    arariwa = ctx.institutions.get("arariwa")
    if ctx.objects.get("course_isun") is None or arariwa is None:
        return
    ctx.objects["cohort_isun_cusco"] = _cohort(
        arariwa,
        "IMESUN ISUN — Cusco 2026",
        course=ctx.objects["course_isun"],
        mode=Cohort.Mode.IN_PERSON,
        country="PE",
        region="Cusco",
        city="Cusco",
        funding_source="Asdi",
    )


def _get_ahead_cohort(ctx: DemoContext) -> None:
    """A women-only Get Ahead cohort in Comas, Lima Norte (MML, in person, AECID)."""
    mml = ctx.institutions.get("mml")
    course = ctx.objects.get("courses", {}).get("GET-AHEAD")
    if course is None or mml is None:
        return
    ctx.objects["cohort_get_ahead"] = _cohort(
        mml,
        "Get Ahead — Mujeres emprendedoras de Lima Norte",
        course=course,
        mode=Cohort.Mode.IN_PERSON,
        country="PE",
        region="Lima Metropolitana",
        city="Comas",
        funding_source="AECID",
        women_only=True,
    )


def _finance_cohort(ctx: DemoContext) -> None:
    """A virtual Finanzas Solidarias group (Alternativa): a trust group of migrants and nationals. It is also where
    the financial-education trainer track enrols its trainees."""
    alternativa = ctx.institutions.get("alternativa")
    course = ctx.objects.get("courses", {}).get("EF-BASICO")
    if course is None or alternativa is None:
        return
    ctx.objects["cohort_finance"] = _cohort(
        alternativa,
        "Finanzas Solidarias — Grupo de confianza Lima Este",
        course=course,
        mode=Cohort.Mode.VIRTUAL,
        country="PE",
        region="Lima Metropolitana",
        city="Ate",
        funding_source="OIT",
    )
