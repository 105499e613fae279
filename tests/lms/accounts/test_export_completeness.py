"""«Descargar todos tus datos» holds every row stored about the person; deleting the account leaves no text they
typed or received.

Every model with a foreign key (or one-to-one) to the user must be either covered by a named section of the export
or listed below, with the reason, as rows that are not personal data of the person the key points to. A new model
that points at users fails this test until someone decides which it is.
"""

import json
import uuid

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

pytestmark = pytest.mark.django_db

#: "<app_label>.<Model>.<field>" → the export section that holds the rows.
COVERED = {
    "accounts.Profile.user": "profile",
    "accounts.ConsentRecord.user": "consents",
    "accounts.Membership.user": "memberships",
    "accounts.HelperPasswordReset.target": "password_resets_by_helper",
    "account.EmailAddress.user": "account",  # account.email_addresses
    "content.Submission.user": "activity_submissions",
    "content.KeptAnswer.user": "kept_answers",
    "content.XBlockState.user": "activity_state",
    "packages.ScormAttempt.user": "scorm_attempts",
    "courses.Enrollment.user": "enrollments",  # each with its lesson_progress
    "cohorts.CohortMember.user": "cohorts",
    "cohorts.CohortTrainer.user": "cohorts_as_trainer",
    "cohorts.Attendance.user": "attendance",
    "cohorts.Notification.user": "notifications",
    "cohorts.CohortInvitation.user": "cohort_invitations",
    "certification.Certificate.holder": "certificates",
    "certification.CertificateNotice.user": "certificate_notices",
    "trainers.MasterTrainer.user": "master_trainer",
    "trainers.TrainerPath.trainer": "trainer_paths",  # with the observations and events about the path
    "competency.Application.candidate": "competency_applications",  # with units, tests, evidence, appeal
    "competency.Evidence.uploaded_by": "competency_applications",  # the candidate uploads it to their application
}

#: Rows where the user is the actor — the one who created, marked, graded, reviewed, uploaded, decided or exported —
#: not the person the row is about. They record someone's work on others' records (audit trails, authorship) and
#: stay with the record; the learner-side row holds what concerns the learner (e.g. reviewer_feedback).
ACTOR_ROWS = {
    "accounts.User.created_by",
    "accounts.ConsentRecord.recorded_by",
    "accounts.HelperPasswordReset.actor",
    "content.Submission.grader",
    "cohorts.Cohort.created_by",
    "cohorts.Attendance.marked_by",
    "cohorts.Announcement.author",  # sent to a whole cohort; the text is the trainer's, not about one learner
    "cohorts.RosterImport.created_by",
    "cohorts.CohortInvitation.invited_by",
    "imports.PackageImport.uploaded_by",
    "certification.CertificateEvent.actor",
    "certification.BulkIssueJob.created_by",
    "trainers.TrainerPath.supervisor",
    "trainers.PracticeObservation.observer",
    "trainers.PathEvent.actor",
    "competency.Application.evaluator",
    "competency.Application.validator",
    "competency.ObservationRecord.evaluator",
    "competency.RubricScore.evaluator",
    "competency.UnitResult.decided_by",
    "competency.Appeal.reviewer",
    "competency.AuditEvent.actor",
    # A declaration by an evaluator that they may not assess a candidate: the evaluator's row, and the candidate's
    # side is erased on deletion (competency.services.candidate_data_erase).
    "competency.ConflictOfInterest.evaluator",
    "competency.ConflictOfInterest.candidate",
    "reports.ExportAudit.user",
    "reports.RowExportRequest.requester",
    "reports.RowExportRequest.decided_by",
    "admin.LogEntry.user",
    "wagtailcore.ModelLogEntry.user",
    "wagtailcore.PageLogEntry.user",
    "wagtailcore.Revision.user",
    "wagtailcore.WorkflowState.requested_by",
    "wagtailcore.TaskState.finished_by",
    "wagtailcore.Comment.resolved_by",
    "wagtaildocs.Document.uploaded_by_user",
    "wagtailimages.Image.uploaded_by_user",
    "wagtailcore.UploadedFile.uploaded_by_user",
}

#: Editorial work in the Wagtail admin, which only staff reach (a learner has none of these rows): page authorship
#: and locks, the editor's own comments, subscriptions, drafts in progress, API tokens and admin preferences. They
#: are the staff member's working records, not data about a learner; they are not in the export (see the report).
#: Every page type (ours, and test-only ones) inherits Page.owner and Page.locked_by: see _staff_page_keys.
STAFF_ADMIN_ROWS = {
    "wagtailcore.Comment.user",
    "wagtailcore.CommentReply.user",
    "wagtailcore.PageSubscription.user",
    "wagtailcore.APIToken.user",
    "wagtailadmin.EditingSession.user",
    "wagtailadmin.FormState.user",
    "wagtailusers.UserProfile.user",
}


def _user_keys():
    user_model = get_user_model()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey | models.OneToOneField) and field.related_model is user_model:
                yield f"{model._meta.label}.{field.name}", model, field


def _staff_page_keys():
    from wagtail.models import Page

    return {
        key for key, model, field in _user_keys() if issubclass(model, Page) and field.name in ("owner", "locked_by")
    }


def test_every_foreign_key_to_the_user_is_exported_or_explained():
    keys = {key for key, _model, _field in _user_keys()}
    unclassified = keys - set(COVERED) - ACTOR_ROWS - STAFF_ADMIN_ROWS - _staff_page_keys()
    assert not unclassified, f"add these to the export (COVERED) or explain why not: {sorted(unclassified)}"
    assert not (set(COVERED) & (ACTOR_ROWS | STAFF_ADMIN_ROWS))
    stale = (set(COVERED) | ACTOR_ROWS | STAFF_ADMIN_ROWS) - keys
    assert not stale, f"these no longer exist: {sorted(stale)}"


def kept_answer(learner, lesson, text: str):
    """An answer sent offline to an activity removed meanwhile, kept as typed."""
    from content.models import KeptAnswer

    return KeptAnswer.objects.create(
        user=learner,
        page_id=lesson.pk,
        page_title=lesson.title,
        path=lesson.url,
        usage_id=str(uuid.uuid4()),
        submission_id=uuid.uuid4(),
        answer={"text": text},
        reason=KeptAnswer.Reason.ACTIVITY_REMOVED,
    )


@pytest.fixture
def learner_everywhere(settings):
    """A learner with no e-mail, an Ecuadorian phone and rows in every learner-side table."""
    from content.models import XBlockState
    from content.packages.models import ContentPackage, ScormAttempt
    from courses.cohorts.models import Attendance, CohortInvitation, Notification
    from courses.models import Enrollment, LessonProgress
    from courses.services import enrollment_create
    from tests.courses.cohorts.factories import (
        LiveSessionFactory,
        cohort_with_free_text,
        free_text_answer,
        member_of,
        trainer_of,
    )
    from tests.lms.accounts.factories import ProfileFactory, UserFactory

    cohort, lesson, usage_id = cohort_with_free_text(name="GIN Guayaquil Norte")
    learner = member_of(
        cohort, UserFactory(first_name="Yessenia", last_name="Chávez Núñez", phone="+593991234567", email="")
    )
    ProfileFactory(user=learner)
    trainer = trainer_of(cohort)
    enrollment = enrollment_create(user=learner, course=cohort.course)
    free_text_answer(learner, lesson, usage_id, text="Vendo arepas; mi esposo no tiene papeles aún.")
    LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    Enrollment.objects.filter(pk=enrollment.pk).update(score=40)
    session = LiveSessionFactory(cohort=cohort, title="Costos y precios")
    Attendance.objects.create(session=session, user=learner, status=Attendance.Status.PRESENT, marked_by=trainer)
    Notification.objects.create(user=learner, title="Aviso", body="Yessenia, tu cita en migraciones es el lunes.")
    CohortInvitation.objects.create(
        cohort=cohort, user=learner, invited_by=trainer, typed_name="Yessenia Chávez", typed_contact="+593991234567"
    )
    XBlockState.objects.create(
        user=learner,
        scope="user_state",
        block_scope_id=usage_id,
        field_name="draft",
        value="borrador: trabajo de noche",
    )
    kept_answer(learner, lesson, "Trabajo sin permiso en un mercado de Guayaquil.")
    package = ContentPackage.objects.create(engine="scorm12", title="Paquete SCORM", storage_prefix="p/")
    ScormAttempt.objects.create(
        package=package,
        user=learner,
        usage_id="sco-1",
        page=lesson,
        cmi={"core": {"student_name": "Chávez Núñez, Yessenia"}, "comments": "me cuesta leer"},
        suspend_data="respuesta: vivo en Guayaquil",
        location="p3",
        interactions=[{"id": "q1", "student_response": "mi hija está enferma"}],
    )
    return learner


def _download(client, user):
    client.force_login(user)
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content) if response.streaming else response.content)


def test_export_has_a_non_empty_section_for_every_row_about_the_learner(client, learner_everywhere):
    learner = learner_everywhere
    export = _download(client, learner)
    missing = []
    for key, model, field in _user_keys():
        if key in COVERED and model._default_manager.filter(**{field.name: learner}).exists():
            section = export.get(COVERED[key])
            if not section:
                missing.append((key, COVERED[key]))
    assert not missing, f"rows stored about the learner but not in the export: {missing}"

    enrollment = export["enrollments"][0]
    assert enrollment["course"] and enrollment["score"] == 40
    assert enrollment["lesson_progress"][0]["lesson"] == "Mi cliente ideal"
    assert export["cohorts"][0]["cohort"] == "GIN Guayaquil Norte"
    assert export["attendance"][0] == {**export["attendance"][0], "session": "Costos y precios", "status": "present"}
    assert "marked_by" not in export["attendance"][0]  # the trainer's identity is theirs
    assert export["notifications"][0]["body"] == "Yessenia, tu cita en migraciones es el lunes."
    assert export["cohort_invitations"][0]["typed_contact"] == "+593991234567"
    assert export["kept_answers"][0]["answer"] == {"text": "Trabajo sin permiso en un mercado de Guayaquil."}
    assert {"field": "draft", "value": "borrador: trabajo de noche"}.items() <= next(
        row for row in export["activity_state"] if row["field"] == "draft"
    ).items()
    assert export["scorm_attempts"][0]["suspend_data"] == "respuesta: vivo en Guayaquil"
    assert export["account"]["phone"] == "+593991234567"
    assert export["account"]["last_name"] == "Chávez Núñez"


def test_deletion_leaves_no_text_the_learner_typed_or_received(learner_everywhere):
    from content.models import KeptAnswer, Submission, XBlockState
    from content.packages.models import ScormAttempt
    from courses.cohorts.models import CohortInvitation, Notification
    from lms.accounts.services import account_delete

    learner = learner_everywhere
    assert account_delete(user_id=learner.pk)

    assert not Notification.objects.filter(user_id=learner.pk).exists()
    assert not CohortInvitation.objects.filter(user_id=learner.pk).exists()
    assert not XBlockState.objects.filter(user_id=learner.pk).exists()
    assert list(KeptAnswer.objects.filter(user_id=learner.pk).values_list("answer", flat=True)) == [{}]
    assert list(Submission.objects.filter(user_id=learner.pk).values_list("answer", flat=True)) == [{}]
    attempt = ScormAttempt.objects.get(user_id=learner.pk)
    assert (attempt.cmi, attempt.suspend_data, attempt.interactions, attempt.location) == ({}, "", [], "")
    # Nothing they typed or were sent, nor their name or phone, remains in any row that points at them.
    phrases = ("arepas", "migraciones", "Guayaquil.", "trabajo de noche", "Chávez", "Yessenia", "+593991234567")
    for key, model, field in _user_keys():
        for row in model._default_manager.filter(**{field.name: learner.pk}).values():
            text = json.dumps(row, ensure_ascii=False, default=str)
            leaked = [phrase for phrase in phrases if phrase in text]
            assert not leaked, f"{key} still holds {leaked}: {text}"


def test_the_export_reads_one_statement_per_kind_of_row_whatever_their_number(client, learner_everywhere):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.cohorts.models import Attendance, Notification
    from courses.models import LessonProgress
    from courses.services import enrollment_create
    from tests.courses.cohorts.factories import LiveSessionFactory, cohort_with_free_text, free_text_answer, member_of
    from tests.query_counting import data_queries

    def statements(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("accounts:data_export")).status_code == 200
        return len(data_queries(captured))

    learner = learner_everywhere
    before = statements(learner)
    # A second group, course, lesson, answer, session, notice and kept answer: twice the rows, the same statements.
    cohort, lesson, usage_id = cohort_with_free_text(name="GIN Quito Sur")
    member_of(cohort, learner)
    enrollment = enrollment_create(user=learner, course=cohort.course)
    LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    free_text_answer(learner, lesson, usage_id, text="Vendo empanadas en Quito.")
    session = LiveSessionFactory(cohort=cohort, title="Ventas")
    Attendance.objects.create(session=session, user=learner, status=Attendance.Status.PRESENT)
    Notification.objects.create(user=learner, title="Aviso", body="Sesión el martes.")
    kept_answer(learner, lesson, "otra respuesta")
    assert statements(learner) == before <= 30


# --- Rows reachable through a competency application -------------------------------------------------------
# The walk above follows only keys that point straight at the user. A candidate's application holds much more
# that is hers (documents, test answers, evidence, results written to her): every model whose key points at
# Application (or at one of those rows) must be in the application's export or listed, with the reason, below.

#: "<app_label>.<Model>.<field>" → the key of each ``competency_applications`` row that holds it.
THROUGH_APPLICATION = {
    "competency.ApplicationDocument.application": "documents",
    "competency.KnowledgeAttempt.application": "knowledge_tests",  # with the questions as shown and her answers
    "competency.Evidence.application": "evidence",
    "competency.UnitResult.application": "units",
    "competency.RubricScore.application": "rubric_scores",  # levels and the comment addressed to her
    "competency.ObservationRecord.application": "observations",  # the checklist's marks, not the notes
    "competency.ObservationMark.record": "observations",  # each record's "marks"
    "competency.Appeal.application": "appeal",
    "competency.AuditEvent.application": "history",  # what happened when; never who (staff identities)
}

#: Reachable rows deliberately not exported, with the reason.
THROUGH_APPLICATION_LEFT_OUT = {
    # A reassessment is another application of hers, exported as its own row.
    "competency.Application.previous": "another application of the same person, exported on its own",
}


def _keys_to(model):
    for other in apps.get_models():
        for field in other._meta.get_fields():
            if isinstance(field, models.ForeignKey | models.OneToOneField) and field.related_model is model:
                yield f"{other._meta.label}.{field.name}", other


def _through_application_keys():
    from certification.competency.models import Application

    keys = set()
    for key, model in _keys_to(Application):
        keys.add(key)
        keys |= {inner for inner, _inner_model in _keys_to(model)} if model is not Application else set()
    return keys


def test_every_row_reachable_through_an_application_is_exported_or_explained():
    keys = _through_application_keys()
    unclassified = keys - set(THROUGH_APPLICATION) - set(THROUGH_APPLICATION_LEFT_OUT)
    assert not unclassified, f"add these to the application's export or explain why not: {sorted(unclassified)}"
    stale = (set(THROUGH_APPLICATION) | set(THROUGH_APPLICATION_LEFT_OUT)) - keys
    assert not stale, f"these no longer exist: {sorted(stale)}"


@pytest.fixture
def candidate_everywhere(settings, tmp_path, private_root):
    """An Ecuadorian candidate with a row in every table an application reaches, some written by her evaluator."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certification.competency import services
    from certification.competency.models import (
        Appeal,
        Application,
        ApplicationDocument,
        ObservationMark,
        ObservationRecord,
        RubricScore,
        UnitResult,
    )
    from tests.certification.competency.factories import ApplicationFactory, evaluator_of, make_standard
    from tests.lms.accounts.factories import UserFactory

    settings.MEDIA_ROOT = tmp_path
    standard = make_standard(units=1, questions=3)
    unit = standard.units.get()
    candidate = UserFactory(first_name="Dayana", last_name="Pérez Núñez", phone="+593987654321", email="")
    evaluator = evaluator_of(standard.certifying_body, first_name="Óscar", last_name="Llanos")
    application = ApplicationFactory(candidate=candidate, standard=standard, experience="Vendo ropa en Gamarra.")
    document = ApplicationDocument(
        application=application, original_name="constancia-trabajo-Gamarra.pdf", content_type="application/pdf", size=9
    )
    document.file.save("constancia.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.ASSIGNED, evaluator=evaluator)
    application.refresh_from_db()
    attempt = services.knowledge_attempt_start(application=application, unit=unit, candidate=candidate)
    answers = {str(qid): "0" for qid in attempt.question_ids}  # option 0 is «Saludar» in every bank question
    services.knowledge_attempt_submit(attempt=attempt, candidate=candidate, answers=answers)
    services.evidence_add(
        application=application,
        unit=unit,
        actor=candidate,
        title="Foto de mi puesto",
        upload=SimpleUploadedFile("puesto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 10),
    )
    record = ObservationRecord.objects.create(
        application=application, unit=unit, evaluator=evaluator, notes="Nota interna: parecía nerviosa."
    )
    ObservationMark.objects.create(
        record=record, criterion=unit.criteria.first(), mark=ObservationMark.Mark.MET, note="Solo para quien valida."
    )
    RubricScore.objects.create(
        application=application,
        unit=unit,
        evaluator=evaluator,
        levels={str(c.pk): 2 for c in unit.rubric.all()},
        percent=100,
        passed=True,
        comment="Tu exhibidor está muy ordenado.",
    )
    UnitResult.objects.create(
        application=application, unit=unit, verdict="competent", feedback="Muy bien.", decided_by=evaluator
    )
    Appeal.objects.create(application=application, reason="Quiero que revisen la unidad.")
    return candidate


def test_export_holds_every_row_an_application_reaches(client, candidate_everywhere):
    from certification.competency.models import Application

    candidate = candidate_everywhere
    export = _download(client, candidate)
    [row] = export["competency_applications"]
    missing = []
    for key, section in THROUGH_APPLICATION.items():
        label, field = key.rsplit(".", 1)
        model = apps.get_model(label)
        lookup = "record__application__candidate" if field == "record" else "application__candidate"
        if model._default_manager.filter(**{lookup: candidate}).exists() and not row.get(section):
            missing.append((key, section))
    assert not missing, f"rows reached through her application but not in the export: {missing}"
    assert Application.objects.filter(candidate=candidate).exists()

    [document] = row["documents"]
    assert document["name"] == "constancia-trabajo-Gamarra.pdf"
    assert document["type"] == "application/pdf" and document["size"] == 9 and document["uploaded_at"]
    # The link downloads her file while she is signed in.
    path = document["download_url"].split("://", 1)[1].split("/", 1)[1]
    downloaded = client.get("/" + path)
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content).startswith(b"%PDF")

    [test] = row["knowledge_tests"]
    assert test["submitted_at"] and test["questions"]
    first = test["questions"][0]
    assert first["question"].endswith("¿qué haces primero?")
    assert sorted(first["choices"]) == ["Ignorar", "Saludar"] and first["answer"] == "Saludar"

    assert row["evidence"][0]["file"] == "puesto.png" and row["evidence"][0]["download_url"]
    assert row["rubric_scores"][0]["comment"] == "Tu exhibidor está muy ordenado."
    assert row["observations"][0]["marks"][0]["mark"] == "met"
    assert row["appeal"]["reason"] == "Quiero que revisen la unidad."
    # The evaluator's working notes, and who the evaluator is, are not hers to download.
    text = json.dumps(export, ensure_ascii=False)
    assert "Nota interna" not in text and "Solo para quien valida" not in text
    assert "Llanos" not in text
