"""Fixes from the candidate/body journey audit: a passed test stays passed, empty assignment lists explain
themselves, the way in is visible, the candidate hears of the evaluator, sees their documents, and is told what
to do with an iPhone photo."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from certification.competency import selectors, services
from certification.competency.models import KnowledgeAttempt
from tests.lms.accounts.factories import UserFactory

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def standard():
    return make_standard(units=2, criteria=2, questions=4, title="Limpieza y desinfección de ambientes")


@pytest.fixture
def admin(standard):
    return body_admin_of(standard.certifying_body, first_name="Ángela", last_name="Quispe")


@pytest.fixture
def evaluator(standard):
    return evaluator_of(standard.certifying_body, first_name="Patricia", last_name="Gómez")


@pytest.fixture
def candidate():
    return UserFactory(first_name="Yolimar", last_name="Rodríguez Peña")


@pytest.fixture
def application(standard, candidate, admin, evaluator):
    application = services.application_create(
        candidate=candidate, standard=standard, experience="Limpio oficinas en Miraflores desde 2019."
    )
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Jesús María"
    )
    return application


def _take(application, unit, candidate, *, right: bool):
    attempt = services.knowledge_attempt_start(application=application, unit=unit, candidate=candidate)
    answers = {str(q): "0" if right else "1" for q in attempt.question_ids}
    return services.knowledge_attempt_submit(attempt=attempt, candidate=candidate, answers=answers)


# --- 1. A passed knowledge test cannot be thrown away --------------------------------------------------------


def test_no_new_attempt_once_the_unit_test_is_passed(application, candidate):
    unit = application.units.first()
    assert _take(application, unit, candidate, right=True).passed is True
    with pytest.raises(ValidationError, match="Ya aprobaste la prueba"):
        services.knowledge_attempt_start(application=application, unit=unit, candidate=candidate)
    assert KnowledgeAttempt.objects.filter(application=application, unit=unit).count() == 1


def test_a_failed_attempt_can_still_be_retaken(application, candidate):
    unit = application.units.first()
    assert _take(application, unit, candidate, right=False).passed is False
    assert _take(application, unit, candidate, right=True).passed is True


def test_the_summary_counts_the_best_attempt_so_a_later_one_never_undoes_a_pass(application, candidate):
    unit = application.units.first()
    passed = _take(application, unit, candidate, right=True)
    # A later failed attempt (recorded before this rule existed) must not replace the pass.
    KnowledgeAttempt.objects.create(
        application=application,
        unit=unit,
        seed="posterior",
        question_ids=passed.question_ids,
        score=0.0,
        passed=False,
        submitted_at=timezone.now(),
    )
    item = next(s for s in selectors.assessment_summary(application=application) if s.unit == unit)
    assert item.knowledge == passed
    assert item.attempts_used == 2
    assert item.can_take_test is False


def test_the_page_offers_no_retake_after_a_pass(client, application, candidate):
    unit = application.units.first()
    _take(application, unit, candidate, right=True)
    client.force_login(candidate)
    page = client.get(reverse("competency:application_detail", args=[application.pk])).content.decode()
    test_url = reverse("competency:knowledge_test", args=[application.pk, unit.pk])
    assert "aprobada" in page
    assert f'href="{test_url}"' not in page
    assert "Intentar de nuevo" not in page
    # Opening the test address anyway explains instead of starting a new attempt.
    response = client.get(test_url, follow=True)
    assert "Ya aprobaste la prueba" in response.content.decode()
    assert KnowledgeAttempt.objects.filter(application=application, unit=unit).count() == 1


# --- 2. An empty list of people says why and what to do -----------------------------------------------------


def _body_page(client, admin, standard, **params):
    client.force_login(admin)
    return client.get(reverse("competency:body_home", args=[standard.certifying_body.slug]), params).content.decode()


def test_no_evaluator_in_the_body_is_explained_instead_of_an_empty_select(client, standard, admin, candidate):
    application = services.application_create(candidate=candidate, standard=standard, experience="Limpio casas.")
    page = _body_page(client, admin, standard)
    assert "Yolimar Rodríguez Peña" in page
    assert f'name="a{application.pk}-person"' not in page
    assert "La entidad aún no tiene personas evaluadoras." in page
    assert "Pide a la administración de Ruta" in page


def test_every_evaluator_in_conflict_is_explained(client, standard, admin, candidate):
    application = services.application_create(candidate=candidate, standard=standard, experience="Limpio casas.")
    vecina = evaluator_of(standard.certifying_body, first_name="Rosa", last_name="Huamán")
    services.conflict_declare(evaluator=vecina, candidate=candidate, reason="Es mi vecina en Comas.")
    page = _body_page(client, admin, standard)
    assert f'name="a{application.pk}-person"' not in page
    assert "declaró un conflicto de interés" in page


def test_no_one_left_to_validate_is_explained(client, application, standard, admin):
    # The only evaluator of the body is the assessor.
    page = _body_page(client, admin, standard)
    assert f'name="a{application.pk}-person"' in page
    assert f'name="v{application.pk}-person"' not in page
    assert "No hay otra persona evaluadora que pueda validar" in page


def test_no_one_left_to_review_the_appeal_is_explained(client, application, standard, admin, evaluator, candidate):
    validator = evaluator_of(standard.certifying_body, first_name="Óscar", last_name="Núñez")
    conflicted = evaluator_of(standard.certifying_body, first_name="Rosa", last_name="Huamán")
    services.conflict_declare(evaluator=conflicted, candidate=candidate, reason="Trabajamos juntas.")
    first, second = application.units.all()
    services.unit_verdict_record(application=application, unit=first, evaluator=evaluator, verdict="competent")
    services.unit_verdict_record(
        application=application, unit=second, evaluator=evaluator, verdict="not_yet", feedback="Dosifica mejor."
    )
    services.assessment_submit(application=application, evaluator=evaluator)
    services.validator_assign(application=application, validator=validator, actor=admin)
    services.assessment_validate(application=application, validator=validator, approve=True)
    services.appeal_create(application=application, candidate=candidate, reason="El día de la evaluación llovió.")
    page = _body_page(client, admin, standard, etapa="appealed")
    assert "Yolimar Rodríguez Peña" in page
    assert f'name="r{application.pk}-person"' not in page
    assert "No hay quién pueda revisar la apelación" in page
    # Once someone eligible joins the body, the list is offered again.
    evaluator_of(standard.certifying_body, first_name="Daniela", last_name="Ñahui")
    page = _body_page(client, admin, standard, etapa="appealed")
    assert f'name="r{application.pk}-person"' in page and "Daniela Ñahui" in page


# --- 3. The way in is in the header ------------------------------------------------------------------------


def test_header_links_signed_in_people_to_competencies(client, candidate):
    link = f'<a href="{reverse("competency:home")}">Competencias</a>'
    assert link not in client.get("/").content.decode()
    client.force_login(candidate)
    assert link in client.get("/").content.decode()


# --- 4. The candidate hears when an evaluator is assigned --------------------------------------------------


def test_the_candidate_is_told_when_an_evaluator_is_assigned(
    client, standard, admin, evaluator, candidate, django_capture_on_commit_callbacks, mailoutbox
):
    from courses.cohorts.models import Notification

    candidate.email = "yolimar.rodriguez@example.org"
    candidate.save(update_fields=["email"])
    application = services.application_create(candidate=candidate, standard=standard, experience="Limpio casas.")
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    (notice,) = Notification.objects.filter(user=candidate)
    assert "Ya tienes evaluador o evaluadora para Limpieza y desinfección de ambientes" in notice.title
    assert notice.url == reverse("competency:application_detail", args=[application.pk])
    assert "Patricia" not in notice.title + notice.body  # no more than the page says
    assert any(candidate.email in m.to for m in mailoutbox)
    client.force_login(candidate)
    assert client.get(notice.url).status_code == 200

    # Re-assigning the same person tells nobody twice; a different evaluator is news again.
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    assert Notification.objects.filter(user=candidate).count() == 1
    other = evaluator_of(standard.certifying_body, first_name="Óscar", last_name="Núñez")
    services.evaluator_assign(application=application, evaluator=other, actor=admin)
    assert Notification.objects.filter(user=candidate).count() == 2


# --- 5. The candidate sees the documents they sent ---------------------------------------------------------


def test_the_candidate_sees_and_downloads_their_own_documents(client, standard, candidate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = services.application_create(
        candidate=candidate,
        standard=standard,
        experience="Limpieza en un hostal de Barranco.",
        documents=[
            SimpleUploadedFile("constancia-señora-Muñoz.pdf", b"%PDF-1.4 constancia", content_type="application/pdf"),
            SimpleUploadedFile("carné.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"),
        ],
    )
    constancia, carne = application.documents.order_by("id")
    client.force_login(candidate)
    page = client.get(reverse("competency:application_detail", args=[application.pk])).content.decode()
    assert "Documentos que enviaste" in page
    for doc in (constancia, carne):
        assert reverse("competency:document_download", args=[doc.pk]) in page
    assert "constancia-señora-Muñoz.pdf" in page and "carné.png" in page
    response = client.get(reverse("competency:document_download", args=[constancia.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == (
        b"%PDF-1.4 constancia"
    )
    # Somebody else neither sees the list nor gets the file.
    client.force_login(UserFactory(first_name="Álvaro"))
    assert client.get(reverse("competency:application_detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("competency:document_download", args=[constancia.pk])).status_code == 403


def test_no_documents_no_empty_section(client, application, candidate):
    client.force_login(candidate)
    page = client.get(reverse("competency:application_detail", args=[application.pk])).content.decode()
    assert "Documentos que enviaste" not in page


# --- 6. An iPhone HEIC photo is refused with a way forward -------------------------------------------------

HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("IMG_0042.HEIC", HEIC),
        ("foto de la vitrina.jpg", HEIC),  # renamed, still HEIC inside
        ("IMG_0043.heif", b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00" + b"\x00" * 64),
        ("limpieza-baño.heic", b"no es una imagen"),
    ],
    ids=["heic", "heic-renamed-jpg", "heif", "heic-by-name"],
)
def test_a_heic_photo_is_refused_with_how_to_send_it(application, candidate, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certification.competency.models import Evidence

    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            application=application,
            unit=application.units.first(),
            actor=candidate,
            title="Baño desinfectado",
            upload=SimpleUploadedFile(name, data, content_type="image/heic"),
        )
    message = " ".join(refused.value.messages)
    assert "HEIC del iPhone" in message and "JPG" in message and "Fototeca" in message
    assert not Evidence.objects.exists()


def test_other_files_keep_the_plain_message(application, candidate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            application=application,
            unit=application.units.first(),
            actor=candidate,
            title="Página",
            upload=SimpleUploadedFile("página.html", b"<html>hola</html>", content_type="text/html"),
        )
    assert refused.value.messages == ["Solo se aceptan fotos (JPG, PNG, WebP) o documentos PDF."]


def test_the_apply_page_shows_the_heic_hint(client, standard, candidate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(candidate)
    response = client.post(
        reverse("competency:apply", args=[standard.pk]),
        {
            "experience_years": 3,
            "experience": "Tres años limpiando oficinas en Miraflores.",
            "documents": [SimpleUploadedFile("constancia.HEIC", HEIC, content_type="image/heic")],
        },
    )
    assert response.status_code == 200
    assert "Las fotos HEIC del iPhone no se aceptan" in response.content.decode()
