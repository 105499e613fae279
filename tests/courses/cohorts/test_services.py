"""Cohort services and selectors against the real database: creation, members, imports, attendance,
announcements, notifications, roster, grading permission and the certificate trainer-name contract."""

import tracemalloc
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from courses.cohorts import selectors, services
from courses.cohorts.models import Attendance, Cohort, CohortInvitation, CohortMember, Notification, RosterImport
from courses.models import Enrollment
from lms.accounts.models import Membership, Role, User
from tests.courses.cohorts.factories import (
    CohortFactory,
    LiveSessionFactory,
    cohort_with_free_text,
    member_of,
    trainer_of,
)
from tests.courses.factories import ProgrammePageFactory, build_course
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def csv_bytes(rows, header="nombres,apellidos,teléfono,correo,región"):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


# --- Cohorts ----------------------------------------------------------------------------------------------


def test_cohort_create_with_course_trainers_and_place():
    institution = InstitutionFactory()
    course = build_course()
    lead, second = UserFactory(), UserFactory()
    cohort = services.cohort_create(
        institution=institution,
        name="GIN Lima Norte 2026",
        course=course,
        trainers=[lead, second],
        mode=Cohort.Mode.BLENDED,
        country="PE",
        region="lima metropolitana",
        city="Comas",
        funding_source="USAID",
        women_only=True,
    )
    assert cohort.region == "Lima Metropolitana"
    assert len(cohort.code) == 6
    assert list(cohort.trainers.order_by("cohort_trainer_links__lead").values_list("pk", flat=True))
    assert cohort.trainer_links.get(lead=True).user == lead
    # Trainers get a trainer role in the institution so the menu and permissions know them.
    assert Membership.objects.filter(user=second, institution=institution, role=Role.TRAINER).exists()
    assert cohort.place == "Comas, Lima Metropolitana, Perú"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "curso o una ruta"),
        ({"with_both": True}, "curso o una ruta"),
        ({"region": "Atlántida"}, "no existe"),
        ({"dates": True}, "fecha de fin"),
    ],
)
def test_cohort_create_refuses_inconsistent_data(kwargs, message):
    institution = InstitutionFactory()
    args = {"institution": institution, "name": "X"}
    if kwargs.get("with_both"):
        args["course"] = build_course()
        args["programme"] = ProgrammePageFactory()
    elif kwargs:
        args["course"] = build_course()
    if "region" in kwargs:
        args["region"] = kwargs["region"]
    if kwargs.get("dates"):
        args["starts_on"] = timezone.localdate()
        args["ends_on"] = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError, match=message):
        services.cohort_create(**args)
    assert not Cohort.objects.exists()


def test_a_learning_path_cohort_enrols_in_every_course_of_the_path():
    programme = ProgrammePageFactory()
    gin = build_course(parent=programme, code="IMESUN-GIN")
    isun = build_course(parent=programme, code="IMESUN-ISUN")
    cohort = services.cohort_create(institution=InstitutionFactory(), name="Ruta IMESUN", programme=programme)
    person = UserFactory()
    services.cohort_member_add(cohort=cohort, user=person)
    assert set(Enrollment.objects.filter(user=person).values_list("course_id", flat=True)) == {gin.pk, isun.pk}


def test_cohort_update_keeps_rules():
    cohort = CohortFactory()
    services.cohort_update(cohort=cohort, name="Nuevo nombre", region="piura")
    cohort.refresh_from_db()
    assert (cohort.name, cohort.region) == ("Nuevo nombre", "Piura")
    with pytest.raises(ValidationError):
        services.cohort_update(cohort=cohort, region="Marte")


# --- Members ----------------------------------------------------------------------------------------------


def test_adding_a_member_enrols_them_once_and_a_person_may_be_in_several_cohorts():
    first, second = CohortFactory(), CohortFactory()
    person = UserFactory()
    services.cohort_member_add(cohort=first, user=person)
    services.cohort_member_add(cohort=first, user=person)
    services.cohort_member_add(cohort=second, user=person)
    assert CohortMember.objects.filter(user=person).count() == 2
    enrollment = Enrollment.objects.get(user=person, course=first.course)
    assert enrollment.source == Enrollment.Source.COHORT
    assert Membership.objects.filter(user=person, institution=first.institution, role=Role.PARTICIPANT).exists()


def test_add_person_invites_existing_accounts_found_by_phone_email_or_username():
    cohort = CohortFactory()
    trainer = trainer_of(cohort)
    by_phone = UserFactory(phone="+51987000101")
    by_email = UserFactory(email="ana@example.org")
    result = services.cohort_member_add_person(cohort=cohort, actor=trainer, first_name="Otro", phone="+51987000101")
    assert (result.outcome, result.invitation.user) == ("invited", by_phone)
    result = services.cohort_member_add_person(cohort=cohort, actor=trainer, first_name="Ana", email="ana@example.org")
    assert (result.outcome, result.invitation.user) == ("invited", by_email)
    assert not CohortMember.objects.filter(cohort=cohort).exists()
    result = services.cohort_member_add_person(cohort=cohort, actor=trainer, first_name="Nueva", last_name="Persona")
    assert result.outcome == "created" and result.member.user.username.startswith("nueva-persona-")
    assert not result.member.user.has_usable_password()
    assert result.member.user.created_by_institution == cohort.institution
    assert result.member.user.created_by == trainer
    with pytest.raises(ValidationError, match="personas distintas"):
        services.cohort_member_add_person(
            cohort=cohort, actor=trainer, first_name="X", phone="+51987000101", email="ana@example.org"
        )


def test_join_by_code_is_case_insensitive_and_respects_closed_cohorts():
    cohort = CohortFactory()
    person = UserFactory()
    member = services.cohort_join_by_code(user=person, code=f" {cohort.code.lower()} ")
    assert member.source == CohortMember.Source.CODE
    assert Enrollment.objects.filter(user=person, course=cohort.course).exists()
    cohort.join_open = False
    cohort.save()
    with pytest.raises(ValidationError, match="No encontramos"):
        services.cohort_join_by_code(user=UserFactory(), code=cohort.code)
    with pytest.raises(ValidationError):
        services.cohort_join_by_code(user=UserFactory(), code="ZZZZZZ")


# --- Import -----------------------------------------------------------------------------------------------


def upload(cohort, content, filename="lista.csv"):
    actor = trainer_of(cohort)
    return services.roster_import_upload(cohort=cohort, actor=actor, content=content, filename=filename), actor


def test_import_preview_then_apply_creates_and_matches_without_duplicates():
    cohort = CohortFactory()
    existing = UserFactory(phone="+51987000201", first_name="Yolimar")
    already = member_of(cohort, UserFactory(email="ya@example.org"))
    (batch, preview), actor = upload(
        cohort,
        csv_bytes(
            [
                "Yolimar,Rodríguez,987000201,,Lima",
                "Nueva,Persona,987000202,,Cusco",
                "Ya,Está,,YA@example.org,",
            ]
        ),
    )
    assert preview.ok
    # One to invite (Yolimar), one new, one already in the cohort (counted apart: nothing is sent to her).
    assert preview.matched_count == 1 and preview.new_count == 1 and preview.member_count == 1
    assert len(preview.already_members) == 1
    assert not CohortMember.objects.filter(cohort=cohort, user=existing).exists()  # preview writes nothing
    services.roster_import_apply(batch=batch, actor=actor)
    batch.refresh_from_db()
    # The existing account is invited (1), not added; the one already in the cohort needs nothing.
    assert (batch.status, batch.created, batch.matched) == (RosterImport.Status.APPLIED, 1, 1)
    assert set(CohortMember.objects.filter(cohort=cohort).values_list("user_id", flat=True)) == {
        already.pk,
        User.objects.get(phone="+51987000202").pk,
    }
    invitation = CohortInvitation.objects.get(cohort=cohort)
    assert (invitation.user, invitation.typed_name, invitation.typed_contact) == (
        existing,
        "Yolimar Rodríguez",
        "+51987000201",
    )
    assert not Membership.objects.filter(user=existing, institution=cohort.institution).exists()
    assert Notification.objects.filter(user=existing, title__startswith="Te invitan").exists()
    assert User.objects.get(phone="+51987000202").created_by_institution == cohort.institution
    new = User.objects.get(phone="+51987000202")
    assert new.profile.region == "Cusco"
    assert Enrollment.objects.filter(user=new, course=cohort.course, source=Enrollment.Source.IMPORT).exists()
    assert User.objects.filter(phone="+51987000201").count() == 1
    assert Notification.objects.filter(user=new, title__startswith="Te damos la bienvenida").exists()
    with pytest.raises(ValidationError):
        services.roster_import_apply(batch=batch, actor=actor)


def test_a_bad_row_no_longer_blocks_the_good_rows_which_are_imported_together():
    cohort = CohortFactory(country="EC")
    existing = UserFactory(phone="+593987000302", first_name="Bárbara")
    (batch, preview), actor = upload(
        cohort,
        csv_bytes(
            [
                "Ángel,Quiñónez,099 123 4501,,Guayas",
                "Bárbara,Ortiz,0987000302,,",
                "Beto,Paz,12,,Guayas",
                ",Sin Nombre,099 123 4503,,",
                "Ñusta,Huamán,099 123 4504,,Mordor",
            ]
        ),
    )
    assert not preview.ok and preview.can_import
    assert [r.line for r in preview.good_rows] == [2, 3]
    assert [(r.line, r.bad_fields) for r in preview.error_rows] == [
        (4, {"phone"}),
        (5, {"first_name"}),
        (6, {"region"}),
    ]
    assert (preview.new_count, preview.matched_count) == (1, 1)
    services.roster_import_apply(batch=batch, actor=actor)
    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.matched) == (RosterImport.Status.APPLIED, 1, 1)
    new = User.objects.get(phone="+593991234501")
    assert (new.first_name, new.email, new.created_by_institution) == ("Ángel", "", cohort.institution)
    assert list(CohortMember.objects.filter(cohort=cohort).values_list("user_id", flat=True)) == [new.pk]
    assert CohortInvitation.objects.get(cohort=cohort).user == existing
    assert not User.objects.filter(phone__in=["+593991234503", "+593991234504"]).exists()
    assert not User.objects.filter(first_name="Beto").exists()


def test_a_file_with_only_bad_rows_imports_nothing():
    cohort = CohortFactory()
    (batch, preview), actor = upload(cohort, csv_bytes(["Ana,Ríos,12,,Lima", "Beto,Paz,13,,Lima"]))
    assert not preview.can_import
    with pytest.raises(services.RosterImportError):
        services.roster_import_apply(batch=batch, actor=actor)
    assert not CohortMember.objects.filter(cohort=cohort).exists()
    batch.refresh_from_db()
    assert batch.status == RosterImport.Status.PREVIEW


def test_wrong_columns_are_a_file_error():
    cohort = CohortFactory()
    (batch, preview), actor = upload(cohort, b"dni;nombre completo\n123;Ana\n")
    assert "columnas" in preview.file_error
    with pytest.raises(services.RosterImportError):
        services.roster_import_apply(batch=batch, actor=actor)


def test_a_conflict_found_while_writing_rolls_everything_back(monkeypatch):
    cohort = CohortFactory()
    (batch, preview), actor = upload(cohort, csv_bytes(["Ana,Ríos,987000401,,", "Bea,Soto,987000402,,"]))
    assert preview.ok
    real = services._add_members

    def add_then_fail(cohort, ids):
        real(cohort, ids)
        from django.db import IntegrityError

        raise IntegrityError("simulated race")

    monkeypatch.setattr(services, "_add_members", add_then_fail)
    with pytest.raises(services.RosterImportError, match="No se importó nada"):
        services.roster_import_apply(batch=batch, actor=actor)
    assert not User.objects.filter(phone__in=["+51987000401", "+51987000402"]).exists()
    assert not CohortMember.objects.exists()
    batch.refresh_from_db()
    assert batch.status == RosterImport.Status.PREVIEW


def test_five_thousand_rows_with_a_bad_last_row_are_checked_within_bounded_memory():
    cohort = CohortFactory()
    rows = [f"Persona{i},Apellido{i},9{i + 10000000:08d},,Lima" for i in range(4999)] + ["Mala,Fila,abc,,Lima"]
    content = csv_bytes(rows)
    tracemalloc.start()
    (batch, preview), actor = upload(cohort, content)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(preview.rows) == 5000
    assert [r.line for r in preview.error_rows] == [5001]
    assert len(preview.good_rows) == 4999
    assert peak < 60 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert User.objects.count() == 1  # only the trainer: a preview writes nothing


def test_five_thousand_valid_rows_import_in_bounded_memory():
    cohort = CohortFactory()
    rows = [f"Persona{i},Apellido{i},9{i + 20000000:08d},,Lima" for i in range(5000)]
    (batch, preview), actor = upload(cohort, csv_bytes(rows))
    assert preview.ok
    tracemalloc.start()
    services.roster_import_apply(batch=batch, actor=actor)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert CohortMember.objects.filter(cohort=cohort).count() == 5000
    assert Enrollment.objects.filter(course=cohort.course).count() == 5000
    assert peak < 120 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


# --- Attendance -------------------------------------------------------------------------------------------


def test_trainer_marks_attendance_only_for_members():
    session = LiveSessionFactory()
    trainer = trainer_of(session.cohort)
    ana, beto = member_of(session.cohort), member_of(session.cohort)
    assert (
        services.attendance_mark(session=session, marks={ana.pk: "present", beto.pk: "absent"}, marked_by=trainer) == 2
    )
    assert services.attendance_mark(session=session, marks={ana.pk: "present"}, marked_by=trainer) == 0
    assert services.attendance_mark(session=session, marks={beto.pk: "excused"}, marked_by=trainer) == 1
    assert dict(Attendance.objects.values_list("user_id", "status")) == {ana.pk: "present", beto.pk: "excused"}
    with pytest.raises(PermissionDenied):
        services.attendance_mark(session=session, marks={UserFactory().pk: "present"}, marked_by=trainer)


def test_participant_checks_in_with_the_session_code_while_it_is_open():
    session = LiveSessionFactory(starts_at=timezone.now() - timedelta(minutes=10))
    ana = member_of(session.cohort)
    attendance = services.attendance_check_in(user=ana, code=session.check_in_code)
    assert (attendance.status, attendance.method) == ("present", "code")
    outsider = UserFactory()
    with pytest.raises(ValidationError):
        services.attendance_check_in(user=outsider, code=session.check_in_code)
    old = LiveSessionFactory(cohort=session.cohort, starts_at=timezone.now() - timedelta(days=2))
    with pytest.raises(ValidationError, match="sesión abierta"):
        services.attendance_check_in(user=ana, code=old.check_in_code)


# --- Announcements and notifications ----------------------------------------------------------------------


def test_announcement_reaches_everyone_in_app_and_email_only_where_there_is_one(django_capture_on_commit_callbacks):
    cohort = CohortFactory(name="GIN Cusco")
    trainer = trainer_of(cohort)
    with_mail = member_of(cohort, UserFactory(email="rosa@example.org"))
    without_mail = member_of(cohort, UserFactory(email=""))
    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.announcement_send(
            cohort=cohort, author=trainer, title="Sesión del jueves", body="Traigan su plan de negocio."
        )
    assert announcement.emailed == 1
    assert Notification.objects.filter(user=without_mail, title="GIN Cusco: Sesión del jueves").exists()
    assert Notification.objects.filter(user=with_mail).exists()
    assert [m.to for m in mail.outbox] == [["rosa@example.org"]]
    assert selectors.unread_notification_count(user=without_mail) == 1
    services.notification_mark_read(user=without_mail)
    assert selectors.unread_notification_count(user=without_mail) == 0


# --- Permissions and contracts ----------------------------------------------------------------------------


def test_staff_see_only_cohorts_they_teach_or_administer():
    mine, other = CohortFactory(), CohortFactory()
    trainer = trainer_of(mine)
    admin = MembershipFactory(institution=other.institution, role=Role.INSTITUTION_ADMIN).user
    participant = member_of(mine)
    assert list(selectors.cohorts_for_staff(user=trainer)) == [mine]
    assert list(selectors.cohorts_for_staff(user=admin)) == [other]
    assert list(selectors.cohorts_for_staff(user=participant)) == []
    assert selectors.can_manage_cohort(user=trainer, cohort=mine)
    assert not selectors.can_manage_cohort(user=trainer, cohort=other)
    assert selectors.can_manage_cohort(user=admin, cohort=other)
    assert not selectors.can_manage_cohort(user=participant, cohort=mine)


def test_can_grade_only_own_cohort_learners_on_that_course():
    cohort = CohortFactory()
    trainer = trainer_of(cohort)
    learner = member_of(cohort)
    other_cohort = CohortFactory()
    other_trainer = trainer_of(other_cohort)
    admin = MembershipFactory(institution=cohort.institution, role=Role.INSTITUTION_ADMIN).user
    assert selectors.can_grade(trainer, learner, cohort.course)
    assert selectors.can_grade(admin, learner, cohort.course)
    assert not selectors.can_grade(other_trainer, learner, cohort.course)
    assert not selectors.can_grade(trainer, learner, other_cohort.course)
    assert not selectors.can_grade(learner, learner, cohort.course)
    assert not selectors.can_grade(member_of(cohort), learner, cohort.course)


def test_trainer_name_for_enrollment_names_the_lead_trainer():
    cohort = CohortFactory()
    lead = trainer_of(cohort, UserFactory(first_name="Carmen", last_name="Salazar Ríos"))
    learner = UserFactory()
    services.cohort_member_add(cohort=cohort, user=learner)
    enrollment = Enrollment.objects.get(user=learner, course=cohort.course)
    assert selectors.trainer_name_for_enrollment(enrollment) == lead.printed_name == "Carmen Salazar Ríos"
    alone = Enrollment.objects.create(user=UserFactory(), course=build_course())
    assert selectors.trainer_name_for_enrollment(alone) == ""


def test_roster_progress_last_activity_and_stuck():
    cohort = CohortFactory(stuck_after_days=7)
    active = member_of(cohort)
    idle = member_of(cohort)
    CohortMember.objects.filter(user=idle).update(joined_at=timezone.now() - timedelta(days=10))
    Enrollment.objects.create(
        user=active, course=cohort.course, progress=60, last_activity_at=timezone.now() - timedelta(days=1)
    )
    Enrollment.objects.create(user=idle, course=cohort.course, progress=0)
    roster = {r.user.pk: r for r in selectors.cohort_roster(cohort=cohort)}
    assert roster[active.pk].progress == 60 and not roster[active.pk].is_stuck
    assert roster[idle.pk].is_stuck
    assert "Sin actividad hace 10 días" in roster[idle.pk].stuck_reasons
    summary = selectors.cohort_summary(cohort=cohort)
    assert (summary.members, summary.stuck, summary.average_progress) == (2, 1, 30)


def test_repeated_failed_attempts_flag_a_learner_until_they_pass():
    import uuid

    from content.models import Submission

    cohort, lesson, usage_id = cohort_with_free_text()
    learner = member_of(cohort)
    Enrollment.objects.create(user=learner, course=cohort.course, last_activity_at=timezone.now())

    def attempt(n, passed):
        Submission.objects.create(
            user=learner,
            page=lesson,
            usage_id=usage_id,
            block_type="free_text",
            submission_id=uuid.uuid4(),
            attempt_number=n,
            status=Submission.Status.GRADED,
            score=1.0 if passed else 0.2,
            passed=passed,
            completed=True,
        )

    attempt(1, False)
    assert not selectors.cohort_roster(cohort=cohort)[0].is_stuck
    attempt(2, False)
    entry = selectors.cohort_roster(cohort=cohort)[0]
    assert entry.stuck_reasons == ["2 intentos fallidos en una actividad"]
    assert entry.scores[usage_id] == 20.0
    attempt(3, True)
    entry = selectors.cohort_roster(cohort=cohort)[0]
    assert not entry.is_stuck and entry.scores[usage_id] == 100.0


def test_participant_sees_their_sessions_and_own_attendance():
    session = LiveSessionFactory()
    ana, beto = member_of(session.cohort), member_of(session.cohort)
    Attendance.objects.create(session=session, user=ana, status="present")
    Attendance.objects.create(session=session, user=beto, status="absent")
    assert selectors.sessions_for_participant(user=ana) == [(session, "present")]
    assert selectors.sessions_for_participant(user=UserFactory()) == []


def test_notification_email_is_sent_once_and_only_with_an_address(django_capture_on_commit_callbacks):
    with_mail = UserFactory(email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.notification_send(user=with_mail, title="Hola", body="Bienvenida", url="/grupos/")
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert "/grupos/" in mail.outbox[0].body
    assert services.notification_email_send(notification_id=notification.pk) is False  # a redelivery sends nothing
    assert len(mail.outbox) == 1
    without = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(user=without, title="Hola")
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=without, title="Hola").exists()
