"""An open answer from someone studying on their own reaches a reviewer of the institution that offers the course."""

import pytest
from django.urls import reverse

from content.models import Submission
from courses.models import Enrollment
from courses.services import enrollment_create
from lms.accounts.models import Membership, Role
from tests.courses.cohorts.factories import cohort_with_free_text, free_text_answer, member_of, trainer_of
from tests.lms.accounts.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    """A course offered by an NGO, a cohort of it, a learner studying alone and a reviewer of the NGO."""
    ngo = InstitutionFactory(name="Asociación Emprende Ecuador")
    cohort, lesson, usage_id = cohort_with_free_text(institution=ngo)
    course = cohort.course
    course.institution = ngo
    course.save()
    reviewer = UserFactory(first_name="Lucía", last_name="Quispe")
    Membership.objects.create(user=reviewer, institution=ngo, role=Role.TRAINER)
    alone = UserFactory(first_name="José Ángel", last_name="Mendoza", email="", phone="+593991234567")
    enrollment_create(user=alone, course=course)
    return {"ngo": ngo, "cohort": cohort, "lesson": lesson, "usage_id": usage_id, "reviewer": reviewer, "alone": alone}


def test_the_self_paced_answer_reaches_the_institution_reviewer_who_grades_it(client, setting):
    answer = free_text_answer(setting["alone"], setting["lesson"], setting["usage_id"])
    assert answer.status == Submission.Status.PENDING
    client.force_login(setting["reviewer"])
    home = client.get(reverse("cohorts:home")).content.decode()
    assert "Estudio autónomo: respuestas por revisar" in home and '<span class="badge warn">1</span>' in home
    queue = client.get(reverse("cohorts:self_paced_list")).content.decode()
    assert "José Ángel Mendoza" in queue
    url = reverse("cohorts:self_paced_grade", args=[answer.pk])
    page = client.get(url).content.decode()
    assert "Mujeres de mi barrio" in page and "Claridad" in page
    form = client.get(url).context["form"]
    field = next(iter(form.criteria))
    best = list(field.field.choices)[-1][0]  # "Logrado"
    response = client.post(url, {field.name: best, "feedback": "¡Muy bien descrito!"})
    assert response.status_code == 302 and response["Location"] == reverse("cohorts:self_paced_list")
    answer.refresh_from_db()
    assert answer.status == Submission.Status.GRADED and answer.passed
    enrollment = Enrollment.objects.get(user=setting["alone"])
    assert enrollment.completed_at is not None and enrollment.score == 100
    assert "José Ángel" not in client.get(reverse("cohorts:self_paced_list")).content.decode()  # off the queue


def test_cohort_members_stay_with_their_trainer_and_others_cannot_review(client, setting):
    member = member_of(setting["cohort"], UserFactory(first_name="Rosa", last_name="Huamán"))
    enrollment_create(user=member, course=setting["cohort"].course)
    in_cohort = free_text_answer(member, setting["lesson"], setting["usage_id"])
    alone = free_text_answer(setting["alone"], setting["lesson"], setting["usage_id"])
    client.force_login(setting["reviewer"])
    queue = client.get(reverse("cohorts:self_paced_list")).content.decode()
    assert "Rosa Huamán" not in queue  # the cohort's trainer grades her, in the cohort's queue
    assert client.get(reverse("cohorts:self_paced_grade", args=[in_cohort.pk])).status_code == 404

    outsider = UserFactory()
    Membership.objects.create(user=outsider, institution=InstitutionFactory(), role=Role.TRAINER)
    client.force_login(outsider)
    assert "José Ángel" not in client.get(reverse("cohorts:self_paced_list")).content.decode()
    assert client.get(reverse("cohorts:self_paced_grade", args=[alone.pk])).status_code == 404
    client.force_login(setting["alone"])  # a participant has no queue and cannot grade themself
    assert client.get(reverse("cohorts:self_paced_list")).status_code == 404
    assert client.get(reverse("cohorts:self_paced_grade", args=[alone.pk])).status_code == 404


def test_the_cohort_trainer_still_grades_members_in_the_cohort_queue(client, setting):
    trainer = trainer_of(setting["cohort"])
    member = member_of(setting["cohort"])
    enrollment_create(user=member, course=setting["cohort"].course)
    answer = free_text_answer(member, setting["lesson"], setting["usage_id"])
    client.force_login(trainer)
    url = reverse("cohorts:grade", args=[setting["cohort"].pk, answer.pk])
    assert client.get(url).status_code == 200
