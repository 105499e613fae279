"""Cohort pages: what a trainer, an admin and a participant see and can do (happy paths and key refusals)."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from content.models import Submission
from courses.cohorts.models import Attendance, Cohort, CohortMember, Notification
from lms.accounts.models import Role
from tests.courses.cohorts.factories import (
    CohortFactory,
    LiveSessionFactory,
    cohort_with_free_text,
    free_text_answer,
    member_of,
    trainer_of,
)
from tests.courses.factories import build_course
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory
from tests.query_counting import assert_max_data_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(name="GIN Lima Norte")


@pytest.fixture
def trainer_client(client, cohort):
    trainer = trainer_of(cohort, UserFactory(first_name="Carmen", last_name="Salazar"))
    client.force_login(trainer)
    client.trainer = trainer
    return client


def test_trainer_creates_a_cohort_and_becomes_its_lead_trainer(client):
    institution = InstitutionFactory()
    trainer = MembershipFactory(institution=institution, role=Role.TRAINER).user
    course = build_course()
    client.force_login(trainer)
    assert client.get(reverse("cohorts:create")).status_code == 200
    response = client.post(
        reverse("cohorts:create"),
        {
            "institution": institution.pk,
            "name": "ISUN Cusco 2026",
            "course": course.pk,
            "mode": "in_person",
            "country": "PE",
            "region": "cusco",
            "city": "Cusco",
            "funding_source": "Asdi",
            "women_only": "on",
            "join_open": "on",
            "stuck_after_days": 7,
        },
    )
    cohort = Cohort.objects.get(name="ISUN Cusco 2026")
    assert response.status_code == 302 and response.url == reverse("cohorts:dashboard", args=[cohort.pk])
    assert cohort.trainer_links.get().user == trainer and cohort.women_only and cohort.region == "Cusco"


def test_participants_cannot_create_cohorts(client):
    participant = MembershipFactory(role=Role.PARTICIPANT).user
    client.force_login(participant)
    assert client.get(reverse("cohorts:create")).status_code == 403


def test_edit_cohort_details_and_trainers(trainer_client, cohort):
    co_trainer = MembershipFactory(institution=cohort.institution, role=Role.TRAINER).user
    response = trainer_client.post(
        reverse("cohorts:edit", args=[cohort.pk]),
        {
            "name": "GIN Lima Norte (tarde)",
            "mode": "virtual",
            "region": "Lima",
            "city": "Comas",
            "stuck_after_days": 5,
            "join_open": "on",
            "trainers": [co_trainer.pk, trainer_client.trainer.pk],
        },
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.name, cohort.city, cohort.stuck_after_days) == ("GIN Lima Norte (tarde)", "Comas", 5)
    assert set(cohort.trainers.all()) == {co_trainer, trainer_client.trainer}
    assert cohort.trainer_links.get(lead=True).user == trainer_client.trainer
    without = trainer_client.post(
        reverse("cohorts:edit", args=[cohort.pk]), {"name": "X", "mode": "virtual", "stuck_after_days": 5}
    )
    assert "al menos una persona facilitadora" in without.content.decode()
    cohort.refresh_from_db()
    assert cohort.name == "GIN Lima Norte (tarde)"  # nothing saved when the trainers are refused


def test_dashboard_shows_roster_share_link_and_stays_within_query_budget(trainer_client, cohort):
    for _ in range(5):
        member_of(cohort)
    member_of(cohort, UserFactory(first_name="Yolimar", last_name="Rodríguez"))
    with assert_max_data_queries(30):
        response = trainer_client.get(reverse("cohorts:dashboard", args=[cohort.pk]))
    html = response.content.decode()
    assert "Yolimar Rodríguez" in html
    assert cohort.code in html
    assert "https://wa.me/?text=" in html
    for _ in range(20):
        member_of(cohort)
    with assert_max_data_queries(30):  # the same budget for 26 people as for 6
        trainer_client.get(reverse("cohorts:dashboard", args=[cohort.pk]))


def test_dashboard_never_shows_sensitive_profile_fields(trainer_client, cohort):
    from lms.accounts.models import Profile

    person = member_of(cohort)
    Profile.objects.create(user=person, nationality="VE", migratory_status="irregular", disability="yes")
    html = trainer_client.get(reverse("cohorts:dashboard", args=[cohort.pk])).content.decode()
    html += trainer_client.get(reverse("cohorts:member_detail", args=[cohort.pk, person.pk])).content.decode()
    for word in ("irregular", "Situación irregular", "Venezolana", "discapacidad"):
        assert word not in html


def test_add_member_one_by_one(trainer_client, cohort):
    response = trainer_client.post(
        reverse("cohorts:member_add", args=[cohort.pk]),
        {"first_name": "Rosa Elena", "last_name": "Quispe", "phone": "987 111 222"},
        follow=True,
    )
    assert "Creamos una cuenta para Rosa Elena Quispe y la agregamos al grupo." in response.content.decode()
    assert CohortMember.objects.filter(cohort=cohort, user__phone="+51987111222").exists()
    response = trainer_client.post(reverse("cohorts:member_add", args=[cohort.pk]), {"first_name": "Sin contacto"})
    assert "Escribe el teléfono, el correo o el usuario" in response.content.decode()


def test_import_upload_preview_and_confirm(trainer_client, cohort):
    content = "nombres;apellidos;teléfono\nÁngela;Muñoz;987222001\nBeto;Paz;987222002\n".encode("latin-1")
    upload = io.BytesIO(content)
    upload.name = "lista.csv"
    response = trainer_client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload})
    assert response.status_code == 302
    preview = trainer_client.get(response.url)
    html = preview.content.decode()
    assert "Todo está bien: 2 personas" in html and "Ángela Muñoz" in html
    assert not CohortMember.objects.filter(cohort=cohort).exists()
    done = trainer_client.post(response.url, {"confirm": "1"}, follow=True)
    assert "Listo: 2 cuentas nuevas en el grupo" in done.content.decode()
    assert CohortMember.objects.filter(cohort=cohort).count() == 2


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_import_of_excels_unicode_text_file(trainer_client, cohort, encoding):
    """Excel's «Texto Unicode» (.txt/.csv): UTF-16 with a byte-order mark, tab-separated. It was refused as «not a
    text CSV» although nothing was wrong with it."""
    text = "nombres\tapellidos\tteléfono\r\nÁngela\tMuñoz Ibáñez\t987222011\r\nYésica\tPérez\t987 222 012\r\n"
    content = text.encode(encoding)
    if encoding != "utf-16":  # the plain codec writes its own byte-order mark; Excel writes one in every case
        content = ("\ufeff" + text).encode(encoding)
    upload = io.BytesIO(content)
    upload.name = "lista.csv"
    response = trainer_client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload})
    assert response.status_code == 302
    html = trainer_client.get(response.url).content.decode()
    assert "Todo está bien: 2 personas" in html and "Ángela Muñoz Ibáñez" in html and "Yésica Pérez" in html
    done = trainer_client.post(response.url, {"confirm": "1"}, follow=True)
    assert "Listo: 2 cuentas nuevas en el grupo" in done.content.decode()
    assert set(CohortMember.objects.filter(cohort=cohort).values_list("user__phone", flat=True)) == {
        "+51987222011",
        "+51987222012",
    }


def test_import_with_errors_highlights_them_and_imports_the_good_rows(trainer_client, cohort):
    upload = io.BytesIO(
        "nombres,apellidos,teléfono,región\nAna,Ríos,12,Lima\nBeto,Paz,987222003,Mordor\n"
        "Yésica,Muñoz,987 222 004,Cusco\n".encode()
    )
    upload.name = "lista.csv"
    response = trainer_client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload}, follow=True)
    html = response.content.decode()
    assert "Hay 2 filas con errores: no se importarán." in html
    assert "El teléfono «12» no es válido." in html
    assert "La región «Mordor» no existe en este país." in html
    assert "Importar todo" not in html
    assert "Importar la fila correcta" in html
    # Each bad row is marked by a class and by text (not colour alone), with the cell at fault.
    assert html.count('class="row-error"') == 2
    assert html.count('class="cell-error"') == 2
    assert html.count("(revisar)") == 2 and html.count("Con error") == 2
    batch = cohort.imports.get()
    errors = trainer_client.get(reverse("cohorts:import_errors", args=[cohort.pk, batch.pk]))
    assert errors["Content-Type"].startswith("text/csv")
    lines = errors.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "nombres,apellidos,teléfono,correo,usuario,región,ciudad,fila,error"
    assert lines[1].startswith("Ana,Ríos,12,") and ",2," in lines[1] and "no es válido" in lines[1]
    assert lines[2].startswith("Beto,Paz,'+51987222003,") and ",3," in lines[2]
    done = trainer_client.post(
        reverse("cohorts:import_preview", args=[cohort.pk, batch.pk]), {"confirm": "1"}, follow=True
    )
    text = done.content.decode()
    assert "Listo: 1 cuentas nuevas en el grupo" in text
    assert "2 filas con errores no se importaron" in text
    assert [m.user.first_name for m in CohortMember.objects.filter(cohort=cohort)] == ["Yésica"]
    # The corrected bad rows come back in the downloaded file, with its «fila» and «error» columns.
    fixed = io.BytesIO(
        "\n".join([lines[0], "Ana,Ríos,987 222 001,,,Lima,,2,x", "Beto,Paz,'+51987222003,,,Lima,,3,x"]).encode()
    )
    fixed.name = "filas-con-errores.csv"
    response = trainer_client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": fixed}, follow=True)
    assert "Todo está bien: 2 personas" in response.content.decode()


def test_import_template_download(trainer_client, cohort):
    response = trainer_client.get(reverse("cohorts:import_template", args=[cohort.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "nombres,apellidos,teléfono" in response.content.decode("utf-8-sig")


def test_session_and_quick_attendance_on_a_phone(trainer_client, cohort):
    ana, beto = member_of(cohort), member_of(cohort)
    response = trainer_client.post(
        reverse("cohorts:session_create", args=[cohort.pk]),
        {"title": "Sesión 1: mi idea", "starts_at": "2026-11-24T18:00", "duration_minutes": 120},
    )
    session = cohort.sessions.get()
    assert response.url == reverse("cohorts:session_attendance", args=[cohort.pk, session.pk])
    page = trainer_client.get(response.url).content.decode()
    assert session.check_in_code in page
    trainer_client.post(response.url, {f"u{ana.pk}": "present", f"u{beto.pk}": "absent", "save": "1"})
    assert dict(Attendance.objects.values_list("user_id", "status")) == {ana.pk: "present", beto.pk: "absent"}
    trainer_client.post(response.url, {"all_present": "1"})
    assert set(Attendance.objects.values_list("status", flat=True)) == {"present"}


def test_participant_checks_in_with_code(client, cohort):
    session = LiveSessionFactory(cohort=cohort, starts_at=timezone.now() - timedelta(minutes=5))
    person = member_of(cohort)
    client.force_login(person)
    response = client.post(reverse("cohorts:check_in"), {"code": session.check_in_code}, follow=True)
    assert f"Registramos tu asistencia a «{session.title}»." in response.content.decode()
    bad = client.post(reverse("cohorts:check_in"), {"code": "0000" if session.check_in_code != "0000" else "1111"})
    assert "no corresponde a una sesión abierta" in bad.content.decode()


def test_join_by_link_and_by_code(client, cohort):
    person = UserFactory()
    client.force_login(person)
    page = client.get(reverse("cohorts:join_link", args=[cohort.code]))
    assert "GIN Lima Norte" in page.content.decode()
    client.post(reverse("cohorts:join_link", args=[cohort.code]))
    assert CohortMember.objects.filter(cohort=cohort, user=person).exists()
    other = CohortFactory()
    client.post(reverse("cohorts:join"), {"code": other.code.lower()})
    assert CohortMember.objects.filter(cohort=other, user=person).exists()
    response = client.post(reverse("cohorts:join"), {"code": "NOPE99"})
    assert response.status_code == 400 and "No encontramos un grupo abierto" in response.content.decode()


def test_join_link_asks_anonymous_people_to_log_in(client, cohort):
    response = client.get(reverse("cohorts:join_link", args=[cohort.code]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_grading_a_free_text_answer_with_the_rubric(client):
    cohort, lesson, usage_id = cohort_with_free_text()
    trainer = trainer_of(cohort)
    learner = member_of(cohort, UserFactory(email="learner@example.org"))
    from courses.services import enrollment_create

    enrollment_create(user=learner, course=cohort.course, source="cohort")
    submission = free_text_answer(learner, lesson, usage_id)
    client.force_login(trainer)
    listing = client.get(reverse("cohorts:grading_list", args=[cohort.pk])).content.decode()
    assert learner.printed_name in listing
    url = reverse("cohorts:grade", args=[cohort.pk, submission.pk])
    page = client.get(url).content.decode()
    assert "Describe a tu cliente ideal." in page and "Mujeres de mi barrio" in page and "Logrado (2)" in page
    missing = client.post(url, {"feedback": "Bien"})
    assert missing.status_code == 200  # a criterion without a level is refused
    response = client.post(url, {"c0": "2", "feedback": "Muy claro, ¡sigue así!"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED and submission.score == 1.0
    assert submission.grader_feedback == "Muy claro, ¡sigue así!"
    assert Notification.objects.filter(user=learner, title="Tu respuesta fue revisada").exists()


def test_a_trainer_cannot_grade_another_cohorts_answer(client):
    cohort, lesson, usage_id = cohort_with_free_text()
    learner = member_of(cohort)
    from courses.services import enrollment_create

    enrollment_create(user=learner, course=cohort.course, source="cohort")
    submission = free_text_answer(learner, lesson, usage_id)
    other = CohortFactory()
    client.force_login(trainer_of(other))
    assert client.get(reverse("cohorts:grade", args=[other.pk, submission.pk])).status_code == 404
    assert client.post(reverse("cohorts:grade", args=[cohort.pk, submission.pk]), {"c0": "2"}).status_code == 404
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PENDING


def test_announcement_from_the_page(trainer_client, cohort, django_capture_on_commit_callbacks):
    member_of(cohort, UserFactory(email="a@example.org"))
    member_of(cohort)
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(
            reverse("cohorts:announcements", args=[cohort.pk]),
            {"title": "Cambio de horario", "body": "La sesión empieza a las 7."},
            follow=True,
        )
    assert "Aviso enviado a todo el grupo (1 por correo)." in response.content.decode()
    assert Notification.objects.filter(title="GIN Lima Norte: Cambio de horario").count() == 2
    assert len(mail.outbox) == 1


def test_an_announcement_subject_sent_with_a_line_break_still_reaches_everyone_by_mail(
    trainer_client, cohort, django_capture_on_commit_callbacks
):
    member_of(cohort, UserFactory(first_name="Yessenia", last_name="Chávez", email="yessenia@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(
            reverse("cohorts:announcements", args=[cohort.pk]),
            {"title": "Hola\r\nBcc: otra@example.org", "body": "La sesión empieza a las 7."},
            follow=True,
        )
    # A line break in a mail subject would stop every mail (Django refuses it); the subject is one line.
    assert [m.subject for m in mail.outbox] == ["GIN Lima Norte: Hola Bcc: otra@example.org"]
    assert mail.outbox[0].to == ["yessenia@example.org"] and not mail.outbox[0].bcc


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_of_roster_grades_and_attendance(trainer_client, cohort, fmt):
    person = member_of(cohort, UserFactory(first_name='=HYPERLINK("x")', last_name="Pérez"))
    session = LiveSessionFactory(cohort=cohort)
    Attendance.objects.create(session=session, user=person, status="present")
    for kind in ("participantes", "notas", "asistencia"):
        response = trainer_client.get(reverse("cohorts:export", args=[cohort.pk, kind, fmt]))
        assert response.status_code == 200
        assert f'filename="{kind}-{cohort.code}.{fmt}"' in response["Content-Disposition"]
        if fmt == "csv":
            text = response.content.decode("utf-8-sig")
            assert "'=HYPERLINK" in text and "Pérez" in text
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
            # Stored as text, exactly as typed: Excel shows it and never runs it.
            assert sheet["A2"].value == '=HYPERLINK("x")' and sheet["A2"].data_type == "s"
    assert trainer_client.get(reverse("cohorts:export", args=[cohort.pk, "secretos", fmt])).status_code == 404


def test_notifications_page_lists_and_marks_read(client):
    person = UserFactory()
    Notification.objects.create(user=person, title="Bienvenida al grupo")
    Notification.objects.create(user=UserFactory(), title="De otra persona")
    client.force_login(person)
    html = client.get(reverse("cohorts:notifications")).content.decode()
    assert "Bienvenida al grupo" in html and "De otra persona" not in html
    client.post(reverse("cohorts:notifications"))
    assert not Notification.objects.filter(user=person, read_at__isnull=True).exists()


def test_home_lists_taught_and_joined_cohorts(client, cohort):
    person = member_of(cohort)
    client.force_login(person)
    html = client.get(reverse("cohorts:home")).content.decode()
    assert "GIN Lima Norte" in html and "Crear un grupo" not in html


def test_grades_table_shows_best_score_per_activity(client):
    import uuid

    cohort, lesson, usage_id = cohort_with_free_text()
    client.force_login(trainer_of(cohort))
    learner = member_of(cohort, UserFactory(first_name="Rosa", last_name="Quispe"))
    Submission.objects.create(
        user=learner,
        page=lesson,
        usage_id=usage_id,
        block_type="free_text",
        submission_id=uuid.uuid4(),
        attempt_number=1,
        status=Submission.Status.GRADED,
        score=0.75,
        passed=True,
        completed=True,
    )
    with assert_max_data_queries(25):
        html = client.get(reverse("cohorts:grades", args=[cohort.pk])).content.decode()
    assert "Mi cliente ideal" in html and "Rosa Quispe" in html and "<td>75</td>" in html


def test_only_empty_cohorts_can_be_deleted(trainer_client, cohort):
    member = member_of(cohort)
    url = reverse("cohorts:delete", args=[cohort.pk])
    assert "Eliminar grupo" in trainer_client.get(url).content.decode()
    response = trainer_client.post(url, follow=True)
    assert "No se puede eliminar un grupo con participantes" in response.content.decode()
    assert Cohort.objects.filter(pk=cohort.pk).exists()
    CohortMember.objects.filter(user=member).delete()
    assert trainer_client.post(url).url == reverse("cohorts:home")
    assert not Cohort.objects.filter(pk=cohort.pk).exists()


def test_exports_never_carry_sensitive_profile_fields(trainer_client, cohort):
    from lms.accounts.models import Profile

    person = member_of(cohort)
    Profile.objects.create(user=person, nationality="VE", migratory_status="irregular", id_document_type="cpp")
    text = trainer_client.get(reverse("cohorts:export", args=[cohort.pk, "participantes", "csv"])).content.decode()
    header = text.splitlines()[0].lower()
    for word in ("nacionalidad", "migratoria", "documento", "discapacidad"):
        assert word not in header
    assert "irregular" not in text and "cpp" not in text


def test_member_page_offers_a_temporary_password_for_participants_without_one(trainer_client, cohort):
    from lms.accounts.models import Membership

    person = member_of(cohort, UserFactory(created_by_institution=cohort.institution))
    html = trainer_client.get(reverse("cohorts:member_detail", args=[cohort.pk, person.pk])).content.decode()
    assert reverse("accounts:helper_reset", args=[person.pk]) in html
    colleague = member_of(cohort, UserFactory(created_by_institution=cohort.institution))
    Membership.objects.create(user=colleague, institution=cohort.institution, role=Role.TRAINER)
    html = trainer_client.get(reverse("cohorts:member_detail", args=[cohort.pk, colleague.pk])).content.decode()
    assert reverse("accounts:helper_reset", args=[colleague.pk]) not in html


def test_check_in_codes_cannot_be_guessed_by_brute_force(client, cohort):
    session = LiveSessionFactory(cohort=cohort, starts_at=timezone.now())
    client.force_login(member_of(cohort))
    wrong = "0000" if session.check_in_code != "0000" else "1111"
    for _ in range(10):
        client.post(reverse("cohorts:check_in"), {"code": wrong})
    response = client.post(reverse("cohorts:check_in"), {"code": session.check_in_code})
    assert "Demasiados intentos" in response.content.decode()
    assert not Attendance.objects.filter(session=session).exists()


def test_group_codes_cannot_be_guessed_by_trying_them_one_after_another(client, cohort):
    """A right code names the cohort on its link page and a wrong one does not: unlimited, that page answered which
    of the 31⁶ codes open a cohort (its roster, notices and sessions). After 20 tries an hour, by link or by the
    form, neither answers, even for the right code."""
    person = UserFactory(first_name="Yésica", phone="+593987650001")
    client.force_login(person)
    for n in range(12):
        assert client.get(reverse("cohorts:join_link", args=[f"ZZZ{n:03d}"])).status_code == 200
    for n in range(8):
        assert client.post(reverse("cohorts:join"), {"code": f"YYY{n:03d}"}).status_code == 400
    page = client.get(reverse("cohorts:join_link", args=[cohort.code]))
    assert page.status_code == 429
    html = page.content.decode()
    assert "Probaste demasiados códigos seguidos" in html and "GIN Lima Norte" not in html
    response = client.post(reverse("cohorts:join"), {"code": cohort.code})
    assert response.status_code == 429 and "Probaste demasiados códigos seguidos" in response.content.decode()
    client.post(reverse("cohorts:join_link", args=[cohort.code]))
    assert not CohortMember.objects.filter(cohort=cohort, user=person).exists()
    # Someone else on another phone is not held back by her tries.
    other = UserFactory(first_name="Ángel", phone="+51987650002")
    client.force_login(other)
    assert "GIN Lima Norte" in client.get(reverse("cohorts:join_link", args=[cohort.code])).content.decode()


def test_after_an_import_the_trainer_prints_first_logins_and_people_log_in_with_their_phone(trainer_client, cohort):
    from lms.accounts.models import HelperPasswordReset, User

    upload = io.BytesIO(
        "nombres,apellidos,teléfono\nÑusta,Huamán Quispe,987 333 001\nJosé,Pérez,987 333 002\n".encode()
    )
    upload.name = "lista.csv"
    response = trainer_client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload})
    done = trainer_client.post(response.url, {"confirm": "1"})
    batch = cohort.imports.get()
    assert done["Location"] == reverse("cohorts:import_first_logins", args=[cohort.pk, batch.pk])
    assert "Generar la hoja para imprimir" in trainer_client.get(done["Location"]).content.decode()
    # José already signed in on his own: no trainer may give him a password any more.
    jose = User.objects.get(phone="+51987333002")
    jose.signed_in_on_own_at = timezone.now()
    jose.save()
    sheet = trainer_client.post(done["Location"], {"format": "print"})
    html = sheet.content.decode()
    assert sheet["Cache-Control"].startswith("max-age=0") or "no-cache" in sheet["Cache-Control"]
    assert "Ñusta Huamán Quispe" in html and "+51987333001" in html and "José" not in html
    csv = trainer_client.post(done["Location"], {"format": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "nombre,teléfono,usuario,contraseña temporal" and len(lines) == 2
    password = lines[1].split(",")[-1]
    assert HelperPasswordReset.objects.filter(target__phone="+51987333001").count() == 2  # print, then CSV
    assert password not in html  # generating again replaced the printed password
    trainer_client.logout()
    response = trainer_client.post(reverse("account_login"), {"login": "987 333 001", "password": password})
    assert response["Location"] == reverse("account_change_password")


def test_the_xlsx_roster_shows_a_phone_number_as_written_without_a_quote(trainer_client, cohort):
    """An Ecuadorian number in the Excel roster is «+593991234567», not «'+593991234567» (audit: the CSV guard's
    quote showed in Excel and broke copied numbers)."""
    trainer_client.post(
        reverse("cohorts:member_add", args=[cohort.pk]),
        {"first_name": "José Ángel", "last_name": "Ñáñez", "phone": "+593 99 123 4567", "share_contact": "on"},
    )
    response = trainer_client.get(reverse("cohorts:export", args=[cohort.pk, "participantes", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "+593991234567" in values or "+593 99 123 4567" in values
    assert not any(isinstance(v, str) and v.startswith("'") for v in values)
    # The CSV keeps its guard (Excel hides the quote there and reads the cell as text).
    text = trainer_client.get(reverse("cohorts:export", args=[cohort.pk, "participantes", "csv"])).content.decode()
    assert "'+593" in text


def test_a_notice_date_is_written_the_way_each_language_writes_it(client):
    """«7 de diciembre» in Spanish, «December 7» in English — not «7 de December» (audit)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    person = UserFactory(first_name="Dayana", phone="+593991440505")
    notice = Notification.objects.create(user=person, title="Sesión del sábado")
    Notification.objects.filter(pk=notice.pk).update(created_at=datetime(2026, 12, 7, 15, tzinfo=ZoneInfo("UTC")))
    client.force_login(person)
    spanish = client.get(reverse("courses:dashboard")).content.decode()
    assert "7 de diciembre" in spanish
    client.get(reverse("language"), {"language": "en", "next": "/"}, headers={"Sec-Fetch-Site": "same-origin"})
    english = client.get(reverse("courses:dashboard")).content.decode()
    assert "December 7" in english and "de December" not in english


def test_adding_a_participant_with_english_on_the_screen_says_so_in_english(trainer_client, cohort):
    """Audit 2026-12-07: the six «agregar participante» messages were never in the catalogue (an alias gettext
    could not see), so a trainer reading English got Spanish."""
    trainer_client.get(reverse("language"), {"language": "en", "next": "/"}, headers={"Sec-Fetch-Site": "same-origin"})
    response = trainer_client.post(
        reverse("cohorts:member_add", args=[cohort.pk]),
        {"first_name": "José Ángel", "last_name": "Ñáñez Peña", "phone": "912 345 678"},
        follow=True,
    )
    page = response.content.decode()
    assert "We created an account for José Ángel Ñáñez Peña and added it to the cohort." in page
    assert "Creamos una cuenta" not in page
