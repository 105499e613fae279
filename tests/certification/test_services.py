"""Issuing, signing, tampering, lifecycle, key rotation and reminders, against the real database."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from certification import signing
from certification.codes import code_display, code_generate, code_normalize
from certification.models import BulkIssueJob, Certificate, CertificateEvent, CertificateNotice
from certification.selectors import certificate_verification_get
from certification.services import (
    CertificateRuleError,
    bulk_issue_job_run,
    certificate_expiry_reminders_send,
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
    certificate_signature_valid,
    jwks_get,
)
from courses.signals import course_completed
from tests.certification.factories import ProgrammeFactory, holder, issue

pytestmark = pytest.mark.django_db


# --- Codes -------------------------------------------------------------------------------------------------


def test_codes_are_80_bit_crockford_with_a_check_symbol():
    codes = {code_generate() for _ in range(200)}
    assert len(codes) == 200
    code = codes.pop()
    assert len(code) == 16 and set(code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    shown = code_display(code)
    assert len(shown) == 21 and shown.count("-") == 4
    assert code_normalize(shown) == code
    assert code_normalize(shown.lower().replace("-", " ")) == code
    # One mistyped symbol is caught by the check symbol.
    wrong = ("1" if shown[0] != "1" else "2") + shown[1:]
    assert code_normalize(wrong) is None
    assert code_normalize("HOLA") is None


def test_the_check_symbol_is_always_sayable_and_catches_single_errors_and_swaps():
    from certification.codes import ALPHABET, check_symbol

    swaps_caught = swaps = 0
    for _ in range(300):
        code = code_generate()
        assert check_symbol(code) in ALPHABET
        for position in range(16):
            for symbol in ALPHABET:
                if symbol != code[position]:
                    wrong = code[:position] + symbol + code[position + 1 :]
                    assert check_symbol(wrong) != check_symbol(code)
        for position in range(15):
            if code[position] != code[position + 1]:
                swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
                swaps += 1
                swaps_caught += check_symbol(swapped) != check_symbol(code)
    assert swaps_caught / swaps > 0.9


def test_lookalike_letters_are_read_as_digits():
    code = "0123456789ABCDEF"
    typed = code_display(code).replace("0", "O").replace("1", "l")
    assert code_normalize(typed) == code


# --- Issuing -----------------------------------------------------------------------------------------------


def test_issue_signs_the_public_fields_and_the_round_trip_verifies():
    person = holder(first_name="Yolimar", last_name="Rodríguez Pérez")
    certificate = issue(user=person, trainer_name="Carmen Salazar Ríos", competency_units=["UC1", "UC2"])
    assert certificate.holder_name == "Yolimar Rodríguez Pérez"
    assert certificate.achievement == "Gestión de negocios — IMESUN GIN"
    assert certificate.hours == 40
    assert certificate.issuer_name == "Organización Internacional del Trabajo"
    assert certificate.issued_on == timezone.localdate()
    assert certificate.kid == signing.keyring().active.kid
    assert certificate_signature_valid(certificate=certificate)
    assert certificate_verification_get(code=certificate.code).status == "valid"
    assert CertificateEvent.objects.filter(certificate=certificate, action="issued").count() == 1


def test_issuing_twice_for_the_same_source_returns_the_first_certificate():
    programme = ProgrammeFactory()
    person = holder()
    first = certificate_issue(holder=person, programme=programme, source_key="enrollment:991")
    second = certificate_issue(holder=person, programme=programme, source_key="enrollment:991")
    assert first.pk == second.pk
    assert Certificate.objects.filter(source_key="enrollment:991").count() == 1


def test_the_generic_issue_takes_trainer_qualifications_with_units_and_another_issuer():
    from tests.lms.accounts.factories import InstitutionFactory

    programme = ProgrammeFactory(kind="trainer_qualification", title="Facilitador·a certificado·a IMESUN-GIN")
    khipu = InstitutionFactory(name="Instituto Khipu", slug="khipu-test")
    certificate = certificate_issue(
        holder=holder(),
        programme=programme,
        source_key="trainer:5:IMESUN-GIN",
        achievement="Facilitador·a certificado·a IMESUN — GIN",
        hours=60,
        competency_units=["Planificar la sesión", "Facilitar el aprendizaje"],
        issuer=khipu,
    )
    assert certificate.issuer_name == "Instituto Khipu"
    assert certificate.hours == 60
    assert certificate.competency_units == ["Planificar la sesión", "Facilitar el aprendizaje"]
    assert certificate_signature_valid(certificate=certificate)


def _completed_enrollment(score=90.0):
    from tests.courses.factories import EnrollmentFactory

    enrollment = EnrollmentFactory(user=holder(), score=score, completed_at=timezone.now(), status="completed")
    return enrollment


def test_course_completed_signal_issues_one_certificate_per_enrollment(django_capture_on_commit_callbacks):
    enrollment = _completed_enrollment()
    programme = ProgrammeFactory(course=enrollment.course, min_score=70)
    with django_capture_on_commit_callbacks(execute=True):
        course_completed.send(sender=type(enrollment), enrollment=enrollment)
        course_completed.send(sender=type(enrollment), enrollment=enrollment)
    certificates = Certificate.objects.filter(holder=enrollment.user)
    assert certificates.count() == 1
    certificate = certificates.get()
    assert certificate.source_key == f"enrollment:{enrollment.pk}"
    assert certificate.programme == programme
    assert certificate.pdf and certificate.image  # rendered by the task after commit


def test_no_certificate_when_the_programme_rule_does_not_hold():
    enrollment = _completed_enrollment(score=50.0)
    ProgrammeFactory(course=enrollment.course, min_score=70)
    course_completed.send(sender=type(enrollment), enrollment=enrollment)
    assert not Certificate.objects.filter(holder=enrollment.user).exists()


def test_a_bulk_job_retried_after_the_worker_died_mid_batch_issues_each_enrollment_once(monkeypatch):
    from certification import services
    from tests.courses.factories import CoursePageFactory, EnrollmentFactory

    course = CoursePageFactory()
    programme = ProgrammeFactory(course=course)
    enrollments = [
        EnrollmentFactory(course=course, user=holder(), completed_at=timezone.now(), status="completed")
        for _ in range(4)
    ]
    job = BulkIssueJob.objects.create(
        programme=programme, enrollment_ids=[e.pk for e in enrollments], total=len(enrollments)
    )
    real_issue = services.certificate_issue_for_enrollment
    calls = {"n": 0}

    def dies_on_the_third(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real_issue(**kwargs)

    monkeypatch.setattr(services, "certificate_issue_for_enrollment", dies_on_the_third)
    monkeypatch.setattr(services, "BULK_ISSUE_CHUNK", 2)  # the first chunk of two is committed, the second is not
    with pytest.raises(SystemExit):
        bulk_issue_job_run(job=job)
    assert Certificate.objects.filter(programme=programme).count() == 2
    monkeypatch.setattr(services, "certificate_issue_for_enrollment", real_issue)
    job.refresh_from_db()
    from certification.tasks import bulk_issue_job_run_task

    bulk_issue_job_run_task.apply(args=[job.pk]).get()  # the retry
    job.refresh_from_db()
    assert job.state == "done" and job.done == 4 and job.percent == 100
    for enrollment in enrollments:
        assert Certificate.objects.filter(source_key=f"enrollment:{enrollment.pk}").count() == 1
    assert Certificate.objects.filter(programme=programme).count() == 4


def test_a_bulk_job_in_chunks_issues_each_person_once_and_renders_each_new_certificate_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    from certification import services, tasks
    from tests.courses.factories import CoursePageFactory, EnrollmentFactory

    course = CoursePageFactory()
    programme = ProgrammeFactory(course=course)
    people = [
        holder(first_name="Ñusta", last_name="Quispe Mamani", phone="+51991000101"),
        holder(first_name="José Gregorio", last_name="Cedeño Zambrano", phone="+593991000102"),
        holder(first_name="Begoña", last_name="Muñoz Peña", phone="+51991000103"),
        holder(first_name="Yolimar", last_name="Hernández Núñez", phone="+593991000104"),
        holder(first_name="María José", last_name="Rodríguez Pérez", phone="+51991000105"),
    ]
    enrollments = [
        EnrollmentFactory(course=course, user=person, completed_at=timezone.now(), status="completed")
        for person in people
    ]
    already = services.certificate_issue_for_enrollment(enrollment=enrollments[1], programme=programme)
    ids = [e.pk for e in enrollments]
    # Chunks of two; one enrolment listed twice (in two chunks) and one that no longer exists.
    job = BulkIssueJob.objects.create(programme=programme, enrollment_ids=[*ids, ids[0], 999_999], total=len(ids) + 2)
    monkeypatch.setattr(services, "BULK_ISSUE_CHUNK", 2)
    rendered = []
    monkeypatch.setattr(tasks.certificate_render_pdf_task, "delay", rendered.append)
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_issue_job_run(job=job)
    assert job.state == "done" and job.done == job.total and job.issued == 4
    for enrollment in enrollments:
        assert Certificate.objects.filter(source_key=f"enrollment:{enrollment.pk}").count() == 1
    assert Certificate.objects.filter(programme=programme).count() == 5
    new = set(Certificate.objects.filter(programme=programme).exclude(pk=already.pk).values_list("pk", flat=True))
    assert sorted(rendered) == sorted(new)
    assert bulk_issue_job_run(job=job).issued == 0  # run again: nothing new
    assert Certificate.objects.filter(programme=programme).count() == 5


# --- Tampering ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,value",
    [
        ("holder_name", "Maria Jose Munoz Pena"),
        ("issued_on", datetime.date(2020, 1, 1)),
        ("expires_on", datetime.date(2099, 1, 1)),
        ("achievement", "Otro curso"),
        ("hours", 400),
        ("issuer_name", "Otra institución"),
        ("trainer_name", "Otra persona"),
        ("signature", None),
        ("kid", "otraclave12"),
    ],
)
def test_every_tampered_field_is_rejected(field, value):
    certificate = issue()
    if field == "signature":
        raw = bytearray(signing.b64url_decode(certificate.signature))
        raw[0] ^= 1
        value = signing.b64url_encode(bytes(raw))
    Certificate.objects.filter(pk=certificate.pk).update(**{field: value})
    certificate.refresh_from_db()
    assert not certificate_signature_valid(certificate=certificate)
    assert certificate_verification_get(code=certificate.code).status == "invalid"


def test_a_changed_code_is_rejected():
    certificate = issue()
    other = code_generate()
    Certificate.objects.filter(pk=certificate.pk).update(code=other)
    assert certificate_verification_get(code=other).status == "invalid"
    assert certificate_verification_get(code=certificate.code).status == "not_found"


# --- Lifecycle ---------------------------------------------------------------------------------------------


def test_revoked_certificates_say_so_and_keep_the_reason_in_the_audit_log(user):
    certificate = issue()
    certificate_revoke(certificate=certificate, actor=user, reason="Suplantación de identidad")
    assert certificate_verification_get(code=certificate.code).status == "revoked"
    event = CertificateEvent.objects.get(certificate=certificate, action="revoked")
    assert event.reason == "Suplantación de identidad" and event.actor == user
    with pytest.raises(CertificateRuleError):
        certificate_revoke(certificate=certificate, actor=user, reason="otra vez")


def test_expired_certificates_say_so():
    programme = ProgrammeFactory(validity_months=12)
    certificate = issue(programme=programme, issued_on=datetime.date(2020, 2, 29))
    assert certificate.expires_on == datetime.date(2021, 2, 28)
    assert certificate_verification_get(code=certificate.code).status == "expired"
    assert certificate_verification_get(code=certificate.code, today=datetime.date(2021, 2, 28)).status == "valid"


def test_reissue_after_a_name_correction_points_the_old_code_to_the_new_certificate(user):
    person = holder(first_name="Maria", last_name="Munoz")
    old = issue(user=person, source_key="enrollment:77")
    person.first_name, person.last_name = "María", "Muñoz Peña"
    person.save()
    new = certificate_reissue(certificate=old, actor=user, reason="Corrección de tildes")
    assert new.holder_name == "María Muñoz Peña" and new.code != old.code
    assert certificate_signature_valid(certificate=new)
    verification = certificate_verification_get(code=old.code)
    assert verification.status == "replaced" and verification.replacement == new
    # The source still yields exactly the current certificate.
    again = certificate_issue(holder=person, programme=old.programme, source_key="enrollment:77")
    assert again.pk == new.pk


def test_expiry_reminders_by_email_or_in_app_notice_once():
    programme = ProgrammeFactory(validity_months=12)
    today = datetime.date(2027, 1, 10)
    with_email = issue(programme=programme, user=holder(email="ana@example.org"), issued_on=datetime.date(2026, 1, 20))
    without = issue(programme=programme, user=holder(email=""), issued_on=datetime.date(2026, 2, 1))
    issue(programme=programme, user=holder(email="lejos@example.org"), issued_on=datetime.date(2026, 6, 1))
    assert certificate_expiry_reminders_send(today=today, days_before=30) == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.org"]
    assert with_email.code in mail.outbox[0].body
    notice = CertificateNotice.objects.get(user=without.holder)
    assert "vence el 01/02/2027" in notice.message
    assert certificate_expiry_reminders_send(today=today, days_before=30) == 0


def test_expiry_reminders_are_written_in_each_holders_language():
    """A cron job runs in the server's default language; each holder still reads the reminder in their own."""
    from django.utils import translation

    programme = ProgrammeFactory(validity_months=12)
    today = datetime.date(2027, 1, 10)
    english = issue(programme=programme, user=holder(email="", language="en"), issued_on=datetime.date(2026, 1, 20))
    spanish = issue(programme=programme, user=holder(email="", language="es"), issued_on=datetime.date(2026, 1, 25))
    with translation.override("en"):
        assert certificate_expiry_reminders_send(today=today, days_before=30) == 2
    assert "vence el" in CertificateNotice.objects.get(user=spanish.holder).message
    english_notice = CertificateNotice.objects.get(user=english.holder).message
    assert "vence" not in english_notice and "20/01/2027" in english_notice


def test_the_reminder_command_runs(capsys):
    from django.core.management import call_command

    call_command("certificate_expiry_reminders")
    assert "0" in capsys.readouterr().out


# --- Keys --------------------------------------------------------------------------------------------------


def test_key_rotation_keeps_old_certificates_verifiable(settings, tmp_path):
    settings.RUTA_SIGNING_KEYS_DIR = str(tmp_path)
    old = issue()
    old_kid = signing.keyring().active.kid
    new_pair = signing.key_file_create(tmp_path)
    assert signing.keyring().active.kid == new_pair.kid != old_kid
    new = issue()
    assert new.kid == new_pair.kid
    kids = [key["kid"] for key in jwks_get()["keys"]]
    assert kids[0] == new_pair.kid and old_kid in kids
    # Even with the old private key file gone, the recorded public key verifies the old certificate.
    (tmp_path / f"{old_kid}.pem").unlink()
    assert old_kid not in signing.keyring().keys
    assert certificate_verification_get(code=old.code).status == "valid"
    assert certificate_verification_get(code=new.code).status == "valid"
    assert old_kid in [key["kid"] for key in jwks_get()["keys"]]


def test_keys_from_a_pem_setting_and_no_silent_generation_in_production(settings, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    settings.RUTA_SIGNING_KEYS_DIR = str(tmp_path / "empty")
    settings.RUTA_SIGNING_KEY_PEM = pem.decode()
    certificate = issue()
    assert certificate.kid == signing.key_id(serialization.load_pem_private_key(pem, None).public_key())
    settings.RUTA_SIGNING_KEY_PEM = ""
    settings.RUTA_SIGNING_KEYS_AUTOGENERATE = False
    with pytest.raises(ImproperlyConfigured):
        signing.keyring()


def test_rotate_command_makes_a_new_active_key(settings, tmp_path, capsys):
    from django.core.management import call_command

    settings.RUTA_SIGNING_KEYS_DIR = str(tmp_path)
    before = signing.keyring().active.kid
    call_command("certificate_keys_rotate")
    after = signing.keyring().active.kid
    assert after != before and after in capsys.readouterr().out
    assert (tmp_path / "ACTIVE").read_text() == after
    assert oct((tmp_path / f"{after}.pem").stat().st_mode & 0o777) == "0o600"


def test_the_cohort_trainer_is_printed_only_when_certified():
    from tests.courses.cohorts.factories import CohortFactory, member_of, trainer_of
    from tests.courses.factories import EnrollmentFactory

    cohort = CohortFactory()
    trainer = trainer_of(cohort, holder(first_name="Carmen", last_name="Salazar Ríos"))
    programme = ProgrammeFactory(course=cohort.course)
    first = member_of(cohort, holder())
    enrollment = EnrollmentFactory(user=first, course=cohort.course, completed_at=timezone.now())
    from certification.services import certificate_issue_for_enrollment

    assert certificate_issue_for_enrollment(enrollment=enrollment).trainer_name == ""
    trainer_programme = ProgrammeFactory(kind="trainer_qualification", title="Facilitadora IMESUN-GIN")
    certificate_issue(holder=trainer, programme=trainer_programme, source_key=f"trainer:{trainer.pk}:IMESUN-GIN")
    second = member_of(cohort, holder())
    enrollment2 = EnrollmentFactory(user=second, course=cohort.course, completed_at=timezone.now())
    assert certificate_issue_for_enrollment(enrollment=enrollment2).trainer_name == "Carmen Salazar Ríos"
    assert programme.certificates.count() == 2


def test_bulk_issue_for_one_cohort_only():
    from certification.selectors import completed_enrollment_ids
    from tests.courses.cohorts.factories import CohortFactory, member_of
    from tests.courses.factories import EnrollmentFactory

    cohort = CohortFactory()
    programme = ProgrammeFactory(course=cohort.course)
    inside = EnrollmentFactory(user=member_of(cohort, holder()), course=cohort.course, completed_at=timezone.now())
    EnrollmentFactory(user=holder(), course=cohort.course, completed_at=timezone.now())  # not in the cohort
    assert completed_enrollment_ids(programme=programme, cohort_id=cohort.pk) == [inside.pk]
    assert len(completed_enrollment_ids(programme=programme)) == 2


def test_a_learning_path_certificate_is_issued_once_every_course_of_the_path_is_completed():
    from tests.courses.factories import CoursePageFactory, EnrollmentFactory, ProgrammePageFactory

    path_page = ProgrammePageFactory(title="IMESUN")
    gin = CoursePageFactory(parent=path_page)
    isun = CoursePageFactory(parent=path_page)
    path = ProgrammeFactory(kind="learning_path", course=path_page, title="Ruta IMESUN: GIN + ISUN", hours=80)
    person = holder()
    first = EnrollmentFactory(user=person, course=gin, completed_at=timezone.now())
    course_completed.send(sender=type(first), enrollment=first)
    assert not Certificate.objects.filter(programme=path).exists()
    second = EnrollmentFactory(user=person, course=isun, completed_at=timezone.now())
    course_completed.send(sender=type(second), enrollment=second)
    course_completed.send(sender=type(second), enrollment=second)
    certificate = Certificate.objects.get(programme=path)
    assert certificate.holder == person and certificate.hours == 80
    assert certificate.source_key == f"path:{path.pk}:user:{person.pk}"


def test_a_signing_failure_never_undoes_the_learners_completion(settings, tmp_path, caplog):
    enrollment = _completed_enrollment()
    ProgrammeFactory(course=enrollment.course)
    settings.RUTA_SIGNING_KEYS_DIR = str(tmp_path / "no-keys")
    settings.RUTA_SIGNING_KEYS_AUTOGENERATE = False
    course_completed.send(sender=type(enrollment), enrollment=enrollment)  # does not raise
    assert not Certificate.objects.filter(holder=enrollment.user).exists()
    assert "Could not issue certificates" in caplog.text
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None


def test_a_certificate_that_failed_at_completion_is_issued_by_the_retry_after_commit(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    """The completion signal is sent once: when issuing fails then (here the signing key is not reachable), the
    learner is not left completed without a certificate: a task tries again once the transaction committed."""
    enrollment = _completed_enrollment()
    ProgrammeFactory(course=enrollment.course)
    keys_dir = settings.RUTA_SIGNING_KEYS_DIR
    settings.RUTA_SIGNING_KEYS_DIR = str(tmp_path / "unmounted")
    settings.RUTA_SIGNING_KEYS_AUTOGENERATE = False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        course_completed.send(sender=type(enrollment), enrollment=enrollment)
    assert not Certificate.objects.filter(holder=enrollment.user).exists()
    assert callbacks  # the retry waits for the commit

    settings.RUTA_SIGNING_KEYS_DIR = keys_dir  # the key is back by the time the task runs
    for callback in callbacks:
        callback()
    certificate = Certificate.objects.get(holder=enrollment.user)
    assert certificate.source_key == f"enrollment:{enrollment.pk}"
    for callback in callbacks:  # a retry delivered twice issues nothing more
        callback()
    assert Certificate.objects.filter(holder=enrollment.user).count() == 1


def test_the_retry_gives_nothing_to_an_enrolment_no_longer_completed(django_capture_on_commit_callbacks):
    from certification.tasks import certificates_issue_for_completion_task

    enrollment = _completed_enrollment()
    ProgrammeFactory(course=enrollment.course)
    type(enrollment).objects.filter(pk=enrollment.pk).update(completed_at=None, status="active")
    certificates_issue_for_completion_task.delay(enrollment.pk)
    assert not Certificate.objects.filter(holder=enrollment.user).exists()
