"""Competency pages: what candidates, evaluators and body staff see and may do."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certification.competency import selectors, services
from certification.competency.models import Application, Evidence, ObservationRecord
from tests.lms.accounts.factories import UserFactory
from tests.query_counting import assert_max_data_queries

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def standard():
    return make_standard(units=2, criteria=3, questions=4, title="Ventas y atención al cliente")


@pytest.fixture
def admin(standard):
    return body_admin_of(standard.certifying_body)


@pytest.fixture
def evaluator(standard):
    return evaluator_of(standard.certifying_body, first_name="Patricia", last_name="Gómez")


@pytest.fixture
def candidate():
    return UserFactory(first_name="Yolimar", last_name="Rodríguez")


@pytest.fixture
def application(standard, candidate, admin, evaluator):
    application = services.application_create(candidate=candidate, standard=standard, experience="Vendo ropa.")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Gamarra"
    )
    return application


def test_candidate_applies_with_an_optional_document(client, standard, candidate):
    client.force_login(candidate)
    page = client.get(reverse("competency:home"))
    assert "Ventas y atención al cliente" in page.content.decode()
    response = client.post(
        reverse("competency:apply", args=[standard.pk]),
        {
            "experience_years": 4,
            "experience": "Cuatro años en una bodega.",
            "documents": [SimpleUploadedFile("carta.pdf", b"%PDF-1.4 carta", content_type="application/pdf")],
            f"self_{standard.units.first().code}": "con_ayuda",
        },
    )
    application = Application.objects.get(candidate=candidate)
    assert response.status_code == 302 and response.url == reverse(
        "competency:application_detail", args=[application.pk]
    )
    assert application.documents.get().content_type == "application/pdf"
    assert application.self_assessment == {standard.units.first().code: "con_ayuda"}
    page = client.get(response.url)
    assert "Postulación recibida" in page.content.decode()


def test_candidate_cannot_open_someone_elses_application(client, application):
    client.force_login(UserFactory())
    assert client.get(reverse("competency:application_detail", args=[application.pk])).status_code == 404


def test_candidate_takes_the_knowledge_test(client, application, candidate):
    unit = application.units.first()
    client.force_login(candidate)
    page = client.get(reverse("competency:knowledge_test", args=[application.pk, unit.pk]))
    assert page.status_code == 200
    attempt = application.knowledge_attempts.get()
    assert page.content.decode().count("<fieldset>") == len(attempt.question_ids) == 3
    assert "correct" not in page.content.decode()
    data = {"attempt": attempt.pk} | {f"q{q}": "0" for q in attempt.question_ids}
    result = client.post(reverse("competency:knowledge_test", args=[application.pk, unit.pk]), data)
    assert "Obtuviste 100 %" in result.content.decode()


def test_evaluator_sees_only_assigned_candidates(client, application, standard, admin, evaluator):
    other = services.application_create(candidate=UserFactory(first_name="Otra"), standard=standard, experience="x")
    services.evaluator_assign(application=other, evaluator=evaluator_of(standard.certifying_body), actor=admin)
    client.force_login(evaluator)
    home = client.get(reverse("competency:evaluator_home")).content.decode()
    assert "Yolimar" in home and "Otra" not in home
    assert client.get(reverse("competency:assessment", args=[application.pk])).status_code == 200
    assert client.get(reverse("competency:assessment", args=[other.pk])).status_code == 403
    assert client.get(reverse("competency:observation", args=[other.pk, other.units.first().pk])).status_code == 403


def test_evaluator_page_never_shows_sensitive_profile_data(client, application, candidate, evaluator):
    from lms.accounts.models import Profile

    Profile.objects.create(user=candidate, migratory_status="irregular", nationality="VE", id_document_type="ptp")
    client.force_login(evaluator)
    html = client.get(reverse("competency:assessment", args=[application.pk])).content.decode()
    for hidden in ("irregular", "Situación irregular", "PTP", "Venezuela"):
        assert hidden not in html


def test_assessment_page_query_count(client, application, evaluator):
    client.force_login(evaluator)
    with assert_max_data_queries(40):
        assert client.get(reverse("competency:assessment", args=[application.pk])).status_code == 200


def test_observation_json_retry_is_idempotent(client, application, evaluator):
    unit = application.units.first()
    client.force_login(evaluator)
    sid = str(uuid.uuid4())
    data = {"submission_id": sid, "notes": "Atendió a tres clientes."} | {
        f"mark_{c.pk}": "met" for c in unit.criteria.all()
    }
    url = reverse("competency:observation", args=[application.pk, unit.pk])
    first = client.post(url, data, HTTP_ACCEPT="application/json")
    again = client.post(url, data, HTTP_ACCEPT="application/json")
    assert first.status_code == 201 and first.json()["created"] is True
    assert again.status_code == 200 and again.json()["created"] is False
    assert ObservationRecord.objects.filter(submission_id=sid).count() == 1
    bad = client.post(url, {"submission_id": str(uuid.uuid4())}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and "criterio" in bad.json()["error"]


def test_observation_plain_form_without_javascript(client, application, evaluator):
    unit = application.units.first()
    client.force_login(evaluator)
    url = reverse("competency:observation", args=[application.pk, unit.pk])
    page = client.get(url).content.decode()
    assert 'name="submission_id"' in page and "data-offline-form" in page
    data = {"submission_id": str(uuid.uuid4())} | {f"mark_{c.pk}": "not_observed" for c in unit.criteria.all()}
    response = client.post(url, data, follow=True)
    assert "Lista de cotejo guardada" in response.content.decode()


def test_a_recorded_unit_shows_its_checklist_instead_of_a_blank_form(client, application, evaluator):
    unit = application.units.first()
    criteria = list(unit.criteria.all())
    client.force_login(evaluator)
    url = reverse("competency:observation", args=[application.pk, unit.pk])
    data = {"submission_id": str(uuid.uuid4()), "corrects": "", "notes": "Atendió en la caja."} | {
        f"mark_{c.pk}": "met" for c in criteria
    }
    client.post(url, data)
    page = client.get(url).content.decode()
    assert "Lista de cotejo registrada" in page and "Atendió en la caja." in page
    assert page.count("<strong>Cumple</strong>") == len(criteria)
    assert "Guardar lista de cotejo" not in page and 'name="submission_id"' not in page
    assert "Corregir la lista de cotejo" in page
    correcting = client.get(url + "?corregir=1").content.decode()
    record = ObservationRecord.objects.get()
    assert f'name="corrects" value="{record.submission_id}"' in correcting
    assert "Guardar lista de cotejo" in correcting


def test_a_second_blank_form_is_refused_and_a_correction_replaces(client, application, evaluator):
    unit = application.units.first()
    marks = {f"mark_{c.pk}": "met" for c in unit.criteria.all()}
    client.force_login(evaluator)
    url = reverse("competency:observation", args=[application.pk, unit.pk])
    first = {"submission_id": str(uuid.uuid4()), "corrects": ""} | marks
    assert client.post(url, first, HTTP_ACCEPT="application/json").status_code == 201

    # The same blank form sent again with a fresh id (another tap, a stale copy) does not make a second record.
    second = client.post(url, first | {"submission_id": str(uuid.uuid4())}, HTTP_ACCEPT="application/json")
    assert second.status_code == 400 and "ya tiene una lista de cotejo" in second.json()["error"]
    assert client.post(url, first, HTTP_ACCEPT="application/json").status_code == 200  # a retry stays idempotent
    assert ObservationRecord.objects.count() == 1

    fix = {"submission_id": str(uuid.uuid4()), "corrects": first["submission_id"]} | marks
    fix[f"mark_{unit.criteria.first().pk}"] = "not_met"
    assert client.post(url, fix, HTTP_ACCEPT="application/json").status_code == 201
    summary = {item.unit.pk: item for item in selectors.assessment_summary(application=application)}
    assert str(summary[unit.pk].observation.submission_id) == fix["submission_id"]
    stale = client.post(url, fix | {"submission_id": str(uuid.uuid4())}, HTTP_ACCEPT="application/json")
    assert stale.status_code == 400 and ObservationRecord.objects.count() == 2


def test_assessment_page_keeps_every_unit_for_offline_work(client, application, evaluator):
    client.force_login(evaluator)
    page = client.get(reverse("competency:assessment", args=[application.pk])).content.decode()
    for unit in application.units.all():
        assert reverse("competency:observation", args=[application.pk, unit.pk]) in page.split('data-keep="')[1]
    worker = client.get(reverse("competency:evaluator_service_worker"))
    assert worker["Content-Type"].startswith("text/javascript")
    assert "no-cache" in worker["Cache-Control"]
    assert b"networkFirst" in worker.content


def test_evidence_download_is_an_attachment_and_private(client, application, candidate, evaluator):
    evidence = services.evidence_add(
        application=application,
        unit=application.units.first(),
        actor=candidate,
        title="Exhibidor",
        upload=SimpleUploadedFile("exhibidor.png", PNG, content_type="image/png"),
    )
    url = reverse("competency:evidence_download", args=[evidence.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(evaluator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_candidate_uploads_link_evidence_through_the_page(client, application, candidate):
    client.force_login(candidate)
    unit = application.units.first()
    client.post(
        reverse("competency:candidate_evidence", args=[application.pk]),
        {"unit": unit.pk, "title": "Mi tienda en línea", "url": "https://tienda.example.org"},
    )
    assert Evidence.objects.get().kind == "link"


def test_full_journey_through_pages(client, application, standard, candidate, evaluator):
    client.force_login(evaluator)
    for unit in application.units.all():
        client.post(
            reverse("competency:observation", args=[application.pk, unit.pk]),
            {"submission_id": str(uuid.uuid4())} | {f"mark_{c.pk}": "met" for c in unit.criteria.all()},
        )
        client.post(reverse("competency:verdict", args=[application.pk, unit.pk]), {"verdict": "competent"})
    client.post(reverse("competency:submit", args=[application.pk]), {"overall_feedback": "Muy buen trato."})
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    # The assessor cannot validate; another evaluator of the body can.
    assert (
        client.post(reverse("competency:validate", args=[application.pk]), {"decision": "approve"}).status_code == 403
    )
    bystander = evaluator_of(standard.certifying_body)
    client.force_login(bystander)
    assert "Resultados por validar" not in client.get(reverse("competency:evaluator_home")).content.decode()
    assert client.get(reverse("competency:validate", args=[application.pk])).status_code == 403

    validator = evaluator_of(standard.certifying_body)
    services.validator_assign(
        application=application, validator=validator, actor=body_admin_of(standard.certifying_body)
    )
    client.force_login(validator)
    assert "Resultados por validar" in client.get(reverse("competency:evaluator_home")).content.decode()
    client.post(reverse("competency:validate", args=[application.pk]), {"decision": "approve"})
    application.refresh_from_db()
    assert application.status == Application.Status.DECIDED and application.result == "competent"

    client.force_login(candidate)
    page = client.get(reverse("competency:application_detail", args=[application.pk])).content.decode()
    assert "Tu certificado" in page and "Ver y verificar el certificado" in page
    assert "¡Lograste todas las unidades de la norma!" in page


def test_body_assigns_and_reports(client, standard, admin, candidate):
    application = services.application_create(candidate=candidate, standard=standard, experience="x")
    evaluator = evaluator_of(standard.certifying_body)
    client.force_login(admin)
    page = client.get(reverse("competency:body_home", args=[standard.certifying_body.slug])).content.decode()
    assert evaluator.printed_name in page
    client.post(
        reverse("competency:body_assign", args=[standard.certifying_body.slug, application.pk]),
        {f"a{application.pk}-person": evaluator.pk},
    )
    application.refresh_from_db()
    assert application.evaluator == evaluator

    report = client.get(reverse("competency:body_report", args=[standard.certifying_body.slug]))
    assert "Postulantes por etapa" in report.content.decode()
    csv = client.get(reverse("competency:body_report_csv", args=[standard.certifying_body.slug]))
    assert csv["Content-Type"].startswith("text/csv")
    assert "Evaluador o evaluadora asignada,1" in csv.content.decode("utf-8-sig")


def test_body_pages_are_for_the_bodys_staff_only(client, standard, evaluator):
    client.force_login(evaluator)
    assert client.get(reverse("competency:body_home", args=[standard.certifying_body.slug])).status_code == 403
    assert client.get(reverse("competency:body_report_csv", args=[standard.certifying_body.slug])).status_code == 403


def test_evaluator_declares_a_conflict(client, evaluator, candidate):
    client.force_login(evaluator)
    client.post(reverse("competency:conflicts"), {"person": candidate.username, "reason": "Es mi prima."})
    assert evaluator.coi_declared.get().candidate == candidate


def test_admin_pages_render_and_published_standards_are_read_only(admin_client, standard):
    page = admin_client.get(reverse("admin:competency_competencystandard_change", args=[standard.pk]))
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()  # published: read-only
    unit = standard.units.first()
    assert admin_client.get(reverse("admin:competency_competencyunit_change", args=[unit.pk])).status_code == 200
    admin_client.post(
        reverse("admin:competency_competencystandard_changelist"),
        {"action": "new_version", "_selected_action": [standard.pk]},
    )
    draft = standard.__class__.objects.get(code=standard.code, version=2)
    page = admin_client.get(reverse("admin:competency_competencystandard_change", args=[draft.pk]))
    assert 'name="title"' in page.content.decode()


def test_body_assigns_a_validator_through_the_page(client, application, standard, admin):
    validator = evaluator_of(standard.certifying_body)
    client.force_login(admin)
    client.post(
        reverse("competency:body_assign_validator", args=[standard.certifying_body.slug, application.pk]),
        {f"v{application.pk}-person": validator.pk},
    )
    application.refresh_from_db()
    assert application.validator == validator
    assert application.audit.filter(action="validator_assigned").exists()


def test_candidate_page_query_count(client, application, candidate):
    client.force_login(candidate)
    with assert_max_data_queries(30):
        assert client.get(reverse("competency:application_detail", args=[application.pk])).status_code == 200


def test_body_page_query_count_does_not_grow_with_applications(client, standard, admin):
    for _ in range(3):
        evaluator_of(standard.certifying_body)
    for _ in range(8):
        services.application_create(candidate=UserFactory(), standard=standard, experience="x")
    client.force_login(admin)
    # 25 + 2: on a cold cache the page also fills the shared theme cache (DatabaseCache: count, savepoint, insert).
    with assert_max_data_queries(27):
        page = client.get(reverse("competency:body_home", args=[standard.certifying_body.slug]))
    assert page.status_code == 200 and page.content.decode().count("Asignar</button>") == 8


def _decide_partial(application, evaluator, admin, standard):
    first, second = application.units.all()
    services.unit_verdict_record(application=application, unit=first, evaluator=evaluator, verdict="competent")
    services.unit_verdict_record(
        application=application, unit=second, evaluator=evaluator, verdict="not_yet", feedback="Practica el cierre."
    )
    services.assessment_submit(application=application, evaluator=evaluator)
    validator = evaluator_of(standard.certifying_body)
    services.validator_assign(application=application, validator=validator, actor=admin)
    services.assessment_validate(application=application, validator=validator, approve=True)
    return first, second


def test_appeal_through_the_pages(client, application, standard, candidate, admin, evaluator):
    from certification.models import Certificate

    first, second = _decide_partial(application, evaluator, admin, standard)
    client.force_login(candidate)
    page = client.get(reverse("competency:application_detail", args=[application.pk])).content.decode()
    assert "Lo que te falta" in page and "Practica el cierre." in page and "Apelar el resultado" in page
    client.post(reverse("competency:appeal", args=[application.pk]), {"reason": "No hubo clientes ese día."})
    page = client.get(reverse("competency:application_detail", args=[application.pk])).content.decode()
    assert "Tu apelación" in page and "Apelar el resultado" not in page

    reviewer = evaluator_of(standard.certifying_body, first_name="Daniela")
    client.force_login(admin)
    client.post(
        reverse("competency:body_assign_appeal", args=[standard.certifying_body.slug, application.pk]),
        {f"r{application.pk}-person": reviewer.pk},
    )
    client.force_login(reviewer)
    assert "Apelaciones por resolver" in client.get(reverse("competency:evaluator_home")).content.decode()
    url = reverse("competency:appeal_review", args=[application.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"response": "Revisé las evidencias: cumple.", f"unit_{second.pk}": "on"})
    application.refresh_from_db()
    assert application.result == "competent" and application.appeal.outcome == "upheld"
    assert len(Certificate.objects.filter(holder=candidate).order_by("-id").first().competency_units) == 2

    client.force_login(evaluator_of(standard.certifying_body))
    assert client.get(url).status_code == 403


def test_audit_trail_is_for_the_assessment_team_only(client, application, candidate, evaluator, admin, standard):
    url = reverse("competency:audit_trail", args=[application.pk])
    client.force_login(candidate)
    assert client.get(url).status_code == 403
    client.force_login(evaluator_of(standard.certifying_body))
    assert client.get(url).status_code == 403
    for person in (evaluator, admin):
        client.force_login(person)
        page = client.get(url).content.decode()
        assert "Asignó evaluador o evaluadora" in page and "Programó la evaluación" in page


def test_evaluator_pages_query_counts(client, application, evaluator, candidate):
    client.force_login(evaluator)
    with assert_max_data_queries(20):
        assert client.get(reverse("competency:evaluator_home")).status_code == 200
    unit = application.units.first()
    with assert_max_data_queries(20):
        assert client.get(reverse("competency:observation", args=[application.pk, unit.pk])).status_code == 200
    client.force_login(candidate)
    with assert_max_data_queries(25):
        assert client.get(reverse("competency:knowledge_test", args=[application.pk, unit.pk])).status_code == 200


def test_verdict_and_rubric_accept_json_retries(client, application, evaluator):
    from certification.competency.models import RubricScore, UnitResult

    unit = application.units.first()
    client.force_login(evaluator)
    url = reverse("competency:verdict", args=[application.pk, unit.pk])
    for _ in range(2):
        response = client.post(url, {"verdict": "competent"}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200 and response.json() == {"ok": True}
    assert UnitResult.objects.filter(application=application, unit=unit).count() == 1
    bad = client.post(url, {"verdict": "not_yet"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and "Explica" in bad.json()["error"]

    url = reverse("competency:rubric", args=[application.pk, unit.pk])
    levels = {f"level_{c.pk}": "2" for c in unit.rubric.all()}
    for _ in range(2):
        assert client.post(url, levels, HTTP_ACCEPT="application/json").json() == {"ok": True}
    assert RubricScore.objects.get(application=application, unit=unit).percent == 100


def test_evaluator_photo_shows_inline_only_when_asked_and_documents_stay_private(client, application, evaluator):
    client.force_login(evaluator)
    unit = application.units.first()
    client.post(
        reverse("competency:evaluator_evidence", args=[application.pk]),
        {
            "unit": unit.pk,
            "title": "Piso del consultorio",
            "upload": SimpleUploadedFile("piso.jpg", b"\xff\xd8\xff\xe0" + b"0" * 32),
        },
    )
    photo = Evidence.objects.get(kind="photo")
    url = reverse("competency:evidence_download", args=[photo.pk])
    assert client.get(url + "?ver=1")["Content-Disposition"].startswith("inline")
    assert client.get(url)["Content-Disposition"].startswith("attachment")

    from certification.competency.models import ApplicationDocument

    document = ApplicationDocument.objects.create(
        application=application, original_name="carta.pdf", content_type="application/pdf", size=9
    )
    document.file.save("x.pdf", SimpleUploadedFile("x.pdf", b"%PDF-1.4 x"))
    doc_url = reverse("competency:document_download", args=[document.pk])
    assert client.get(doc_url)["Content-Disposition"].startswith("attachment")
    client.force_login(UserFactory())
    assert client.get(doc_url).status_code == 403
