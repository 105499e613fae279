"""``python manage.py seed_scale``: synthetic data at programme scale, for the reports benchmark.

Defaults: 100,000 participants, 1,000,000 lesson-progress records (10 lessons × one enrolment each),
cohorts in Peru and Ecuador with funding sources, live-session attendance, certificates and competency
applications. Rows go in with COPY on PostgreSQL (bulk_create elsewhere), in batches, so a full run
takes minutes, not hours. Never run it against a real database: every person it makes is invented and
named ``escala-NNNNNN``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterable, Iterator

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from lms.accounts.models import ConsentRecord, Institution, Membership, Profile, Role, User

PREFIX = "escala-"
TZ = dt.timezone(dt.timedelta(hours=-5))

PLACES = [
    ("PE", "Lima", "Lima"),
    ("PE", "Lima", "San Juan de Lurigancho"),
    ("PE", "Cusco", "Cusco"),
    ("PE", "La Libertad", "Trujillo"),
    ("PE", "Lambayeque", "Chiclayo"),
    ("PE", "Piura", "Piura"),
    ("EC", "Pichincha", "Quito"),
    ("EC", "Guayas", "Guayaquil"),
    ("EC", "Azuay", "Cuenca"),
    ("EC", "Manabí", "Manta"),
]
FUNDERS = ["USAID", "USAID + AECID", "Asdi", "AECID", "OIT"]


def _copy_rows(model: type[models.Model], objects: Iterable[models.Model], batch: int = 20_000) -> int:
    """Insert unsaved instances: COPY on PostgreSQL, bulk_create elsewhere. Returns the count."""
    count = 0
    if connection.vendor != "postgresql":
        chunk: list[models.Model] = []
        for obj in objects:
            chunk.append(obj)
            if len(chunk) >= batch:
                model.objects.bulk_create(chunk, batch_size=5000)
                count += len(chunk)
                chunk = []
        if chunk:
            model.objects.bulk_create(chunk, batch_size=5000)
            count += len(chunk)
        return count
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(sql) as copy:
            for obj in objects:
                copy.write_row([_db_value(obj, f) for f in fields])
                count += 1
    return count


def _db_value(obj: models.Model, field: models.Field):
    # Keep explicit dates (enrolled_at is auto_now_add); fill the rest as Django's save() would.
    value = getattr(obj, field.attname)
    if value is None and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
        value = field.pre_save(obj, add=True)
    elif value is None and field.has_default():
        value = field.get_default()
    return field.get_db_prep_save(value, connection=connection)


def _batched(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Command(BaseCommand):
    help = "Create 100k synthetic participants and 1M progress records to benchmark the reports."

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=100_000)
        parser.add_argument("--lessons", type=int, default=10, help="Lessons per course (progress rows per person).")
        parser.add_argument("--courses", type=int, default=10)
        parser.add_argument("--cohorts-per-course", type=int, default=10)
        parser.add_argument("--sessions", type=int, default=4, help="Live sessions per cohort.")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        if User.objects.filter(username__startswith=PREFIX).exists():
            raise CommandError("Ya hay datos de escala (usuarios «escala-…»). Usa una base de datos nueva.")
        rng = random.Random(options["seed"])
        started = time.monotonic()
        with transaction.atomic():
            institutions, courses, lessons = self._catalogue(options)
            cohorts = self._cohorts(rng, institutions, courses, options)
            self._staff(institutions, cohorts)
        self.stdout.write(f"catálogo y grupos: {time.monotonic() - started:.1f} s")
        with transaction.atomic():
            users = self._people(rng, options["participants"])
        self.stdout.write(f"personas, perfiles y consentimientos: {time.monotonic() - started:.1f} s")
        with transaction.atomic():
            self._learning(rng, users, cohorts, lessons, institutions, options)
        self.stdout.write(self.style.SUCCESS(f"listo en {time.monotonic() - started:.1f} s"))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")

    # --- catalogue -------------------------------------------------------------------------------

    def _catalogue(self, options):
        from wagtail.models import Page, Site

        from courses.models import CataloguePage, CoursePage, LessonPage, ModulePage, ProgrammePage

        institutions = []
        for i, (slug, name, country) in enumerate(
            [
                ("escala-alternativa", "Alternativa (escala)", "PE"),
                ("escala-fudela", "FUDELA (escala)", "EC"),
                ("escala-oit", "OIT (escala)", "PE"),
                ("escala-unmsm", "UNMSM (escala)", "PE"),
            ]
        ):
            inst, _ = Institution.objects.get_or_create(
                slug=slug, defaults={"name": name, "acronym": f"ESC{i}", "type": "ngo", "country": country}
            )
            institutions.append(inst)
        site = Site.objects.filter(is_default_site=True).first()
        root = site.root_page if site else Page.get_first_root_node()
        catalogue = CataloguePage.objects.first()
        if catalogue is None:
            catalogue = root.add_child(instance=CataloguePage(title="Cursos", slug="cursos"))
        programme = catalogue.add_child(instance=ProgrammePage(title="Programa a escala", slug="programa-escala"))
        courses, lessons = [], {}
        for c in range(options["courses"]):
            course = programme.add_child(
                instance=CoursePage(
                    title=f"Curso a escala {c + 1}",
                    slug=f"curso-escala-{c + 1}",
                    code=f"ESCALA-{c + 1}",
                    institution=institutions[c % 2],
                )
            )
            module = course.add_child(instance=ModulePage(title="Módulo", slug="modulo"))
            lessons[course.pk] = [
                module.add_child(instance=LessonPage(title=f"Lección {n + 1}", slug=f"leccion-{n + 1}")).pk
                for n in range(options["lessons"])
            ]
            courses.append(course)
        return institutions, courses, lessons

    def _cohorts(self, rng, institutions, courses, options):
        from courses.cohorts.models import Cohort

        cohorts = []
        today = timezone.localdate()
        for course in courses:
            for k in range(options["cohorts_per_course"]):
                country, region, city = PLACES[(course.pk + k) % len(PLACES)]
                starts = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
                cohorts.append(
                    Cohort(
                        institution=institutions[0] if country == "PE" else institutions[1],
                        course=course,
                        name=f"{course.code} {city} {k + 1}",
                        code=f"E{course.pk % 1000:03d}{k:02d}"[:12],
                        starts_on=starts,
                        ends_on=min(starts + dt.timedelta(days=90), today + dt.timedelta(days=rng.randint(-60, 60))),
                        country=country,
                        region=region,
                        city=city,
                        funding_source=FUNDERS[k % len(FUNDERS)],
                        women_only=(k == 0),
                    )
                )
        return Cohort.objects.bulk_create(cohorts)

    def _staff(self, institutions, cohorts):
        from courses.cohorts.models import CohortTrainer

        def staff(username, role, inst, scope=""):
            user, _ = User.objects.get_or_create(username=username)
            user.set_unusable_password()
            user.save()
            Membership.objects.get_or_create(user=user, institution=inst, role=role, defaults={"scope": scope})
            return user

        staff(f"{PREFIX}monitoreo", Role.ME_OFFICER, institutions[0])
        staff(f"{PREFIX}gestion", Role.PROGRAMME_MANAGER, institutions[0])
        staff(f"{PREFIX}cooperante", Role.DONOR_VIEWER, institutions[2], "USAID")
        staff(f"{PREFIX}custodia", Role.DATA_STEWARD, institutions[0])
        trainer = staff(f"{PREFIX}facilitadora", Role.TRAINER, institutions[0])
        for cohort in cohorts[:3]:
            CohortTrainer.objects.get_or_create(cohort=cohort, user=trainer, defaults={"lead": True})

    # --- people ----------------------------------------------------------------------------------

    def _people(self, rng, n):
        joined = timezone.now()
        unusable = "!"  # Django's marker for "no password": these people can never log in
        users = [
            User(
                username=f"{PREFIX}{i:06d}",
                first_name="Persona",
                last_name=f"{i}",
                password=unusable,
                date_joined=joined,
            )
            for i in range(1, n + 1)
        ]
        for chunk in _batched(users, 5000):
            User.objects.bulk_create(chunk)
        users = list(User.objects.filter(username__regex=rf"^{PREFIX}\d{{6}}$").order_by("pk"))

        def profiles():
            for user in users:
                if rng.random() < 0.08:
                    continue  # some people never fill in their profile
                country, region, city = rng.choice(PLACES)
                yield Profile(
                    user_id=user.pk,
                    sex=rng.choices(["F", "M", "O", ""], [64, 32, 1, 3])[0],
                    birth_year=rng.choice([None] + list(range(1960, 2008)) + list(range(1990, 2004)) * 3),
                    nationality=rng.choices(["VE", "PE", "EC", "CO", "AR", ""], [55, 25, 12, 3, 1, 4])[0],
                    country=country,
                    region=region if rng.random() < 0.9 else "",
                    city=city if rng.random() < 0.8 else "",
                    migratory_status=rng.choice(["", "national", "regular", "in_process", "asylum", "irregular"]),
                    disability=rng.choices(["", "no", "yes"], [30, 65, 5])[0],
                )

        _copy_rows(Profile, profiles())

        def consents():
            for user in users:
                if rng.random() < 0.8:
                    yield ConsentRecord(
                        user_id=user.pk, purpose="reporting", granted=rng.random() < 0.85, text_version="s"
                    )

        _copy_rows(ConsentRecord, consents())
        return users

    # --- learning --------------------------------------------------------------------------------

    def _learning(self, rng, users, cohorts, lessons, institutions, options):
        from certification.models import Certificate, CertificateProgramme
        from courses.cohorts.models import Attendance, CohortMember, LiveSession
        from courses.models import Enrollment, LessonProgress

        now = timezone.now()
        placement = [(user, rng.choice(cohorts)) for user in users]
        _copy_rows(CohortMember, (CohortMember(cohort_id=c.pk, user_id=u.pk, joined_at=now) for u, c in placement))
        _copy_rows(
            Membership,
            (Membership(user_id=u.pk, institution_id=c.institution_id, role="participant") for u, c in placement),
        )

        def enrollments():
            for user, cohort in placement:
                enrolled = dt.datetime.combine(cohort.starts_on, dt.time(10), tzinfo=TZ) + dt.timedelta(
                    days=rng.randint(0, 20)
                )
                done = rng.random() < 0.45
                completed = enrolled + dt.timedelta(days=rng.randint(5, 80)) if done else None
                status = "completed" if done else rng.choices(["active", "withdrawn"], [90, 10])[0]
                yield Enrollment(
                    user_id=user.pk,
                    course_id=cohort.course_id,
                    status=status,
                    progress=100 if done else rng.randint(0, 90),
                    score=round(rng.uniform(55, 100), 1) if done else None,
                    enrolled_at=enrolled,
                    last_activity_at=completed or enrolled + dt.timedelta(days=rng.randint(0, 60)),
                    completed_at=completed,
                    source="cohort",
                )

        _copy_rows(Enrollment, enrollments())
        self.stdout.write("  inscripciones listas")
        # Read everything first: the connection cannot run another query while a COPY is open.
        rows = list(
            Enrollment.objects.filter(user__username__startswith=PREFIX).values_list(
                "pk", "course_id", "status", "completed_at"
            )
        )

        def progress():
            for pk, course_id, status, completed_at in rows:
                for lesson_id in lessons[course_id]:
                    done = status == "completed" or rng.random() < 0.4
                    yield LessonProgress(
                        enrollment_id=pk,
                        lesson_id=lesson_id,
                        status="completed" if done else "in_progress",
                        score=None,
                        completed_at=(completed_at or now) if done else None,
                        updated_at=completed_at or now,
                    )

        count = _copy_rows(LessonProgress, progress())
        self.stdout.write(f"  avances de lección: {count}")

        sessions = []
        for cohort in cohorts:
            for s in range(options["sessions"]):
                sessions.append(
                    LiveSession(
                        cohort=cohort,
                        title=f"Sesión {s + 1}",
                        starts_at=dt.datetime.combine(cohort.starts_on, dt.time(18), tzinfo=TZ)
                        + dt.timedelta(days=7 * s),
                        check_in_code="0000",
                    )
                )
        sessions = LiveSession.objects.bulk_create(sessions)
        by_cohort: dict[int, list] = {}
        for session in sessions:
            by_cohort.setdefault(session.cohort_id, []).append(session)

        def attendance():
            for user, cohort in placement:
                for session in by_cohort[cohort.pk]:
                    yield Attendance(
                        session_id=session.pk,
                        user_id=user.pk,
                        status=rng.choices(["present", "absent", "excused"], [75, 20, 5])[0],
                        marked_at=now,
                    )

        self.stdout.write(f"  asistencias: {_copy_rows(Attendance, attendance())}")

        programmes = {}
        for course_id in lessons:
            programmes[course_id], _ = CertificateProgramme.objects.get_or_create(
                slug=f"escala-{course_id}",
                defaults={"name": f"Escala {course_id}", "kind": "course", "title": "Curso", "issuer": institutions[0],
                          "course_id": course_id},
            )  # fmt: skip
        trainer_programme, _ = CertificateProgramme.objects.get_or_create(
            slug="escala-facilitacion",
            defaults={"name": "Facilitación (escala)", "kind": "trainer_qualification", "title": "Facilitación",
                      "issuer": institutions[2]},
        )  # fmt: skip
        completed = list(
            Enrollment.objects.filter(user__username__startswith=PREFIX, completed_at__isnull=False).values_list(
                "pk", "user_id", "course_id", "completed_at"
            )
        )

        def certificates():
            for i, (pk, user_id, course_id, completed_at) in enumerate(completed):
                yield Certificate(
                    code=f"ESC{i:09d}",
                    source_key=f"escala:enrollment:{pk}",
                    programme_id=programmes[course_id].pk,
                    holder_id=user_id,
                    holder_name="Persona",
                    achievement="Curso a escala",
                    issuer_id=institutions[0].pk,
                    issuer_name="Alternativa (escala)",
                    issued_on=timezone.localtime(completed_at).date(),
                    kid="escala",
                    signature="-",
                    created_at=now,
                )
            for j, user in enumerate(users[:500]):
                yield Certificate(
                    code=f"ESCF{j:08d}",
                    source_key=f"escala:trainer:{user.pk}",
                    programme=trainer_programme,
                    holder_id=user.pk,
                    holder_name="Persona",
                    achievement="Facilitación",
                    issuer_id=institutions[2].pk,
                    issuer_name="OIT (escala)",
                    issued_on=dt.date(2025, 1, 1) + dt.timedelta(days=j),
                    kid="escala",
                    signature="-",
                    created_at=now,
                )

        self.stdout.write(f"  certificados: {_copy_rows(Certificate, certificates())}")
        self._competency(rng, users, institutions)

    def _competency(self, rng, users, institutions):
        from certification.competency.models import Application, CompetencyStandard

        standard, _ = CompetencyStandard.objects.get_or_create(
            code="ESCALA-VENTAS",
            version=1,
            defaults={"certifying_body": institutions[3], "title": "Ventas (escala)", "occupation": "Ventas",
                      "status": "published"},
        )  # fmt: skip
        statuses = ["applied", "assigned", "scheduled", "submitted", "decided", "decided", "decided", "withdrawn"]
        now = timezone.now()
        apps_ = []
        for user in rng.sample(users, min(2000, len(users))):
            status = rng.choice(statuses)
            apps_.append(
                Application(
                    candidate_id=user.pk,
                    standard=standard,
                    status=status,
                    result=rng.choice(["competent", "competent", "not_yet"]) if status == "decided" else "",
                    experience="Experiencia en ventas (escala).",
                    decided_at=now - dt.timedelta(days=rng.randint(0, 400)) if status == "decided" else None,
                )
            )
        Application.objects.bulk_create(apps_, batch_size=2000)
        self.stdout.write(f"  postulaciones de competencias: {len(apps_)}")
