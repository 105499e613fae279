"""The cohort and trainer demo seeders tell the intended story and are idempotent."""

import io

import pytest
from django.core.management.color import no_style
from django.db.models import Count

from certification.trainers.models import TrainerPath
from courses.cohorts.models import Cohort, CohortMember, LiveSession
from courses.cohorts.selectors import cohort_summary
from lms.accounts.models import Profile
from lms.demo.context import DemoContext

pytestmark = pytest.mark.django_db


def run_seeders():
    from lms.demo import catalogue, cohorts, people, trainers

    ctx = DemoContext(stdout=io.StringIO(), style=no_style())
    for module in (people, catalogue, cohorts, trainers):
        module.seed(ctx)
    return ctx


def test_demo_story_and_idempotence():
    ctx = run_seeders()
    counts = (
        Cohort.objects.count(),
        CohortMember.objects.count(),
        LiveSession.objects.count(),
        TrainerPath.objects.count(),
    )
    demo = ctx.objects["cohort_demo"]
    assert demo.trainer_links.get(lead=True).user.username == "facilitadora"
    summary = cohort_summary(cohort=demo)
    assert summary.members >= 20 and summary.pending >= 3 and summary.stuck >= 3 and summary.completed >= 5
    assert demo.sessions.filter(attendance__status="present").exists()
    certified = TrainerPath.objects.filter(state="certified", track__slug="imesun-gin")
    assert certified.count() == 31
    sexes = dict(
        Profile.objects.filter(user__trainer_paths__in=certified)
        .values("sex")
        .annotate(n=Count("id"))
        .values_list("sex", "n")
    )
    assert sexes == {"F": 20, "M": 11}
    assert TrainerPath.objects.filter(state="recommended").exists()
    assert all(p.certificate_id for p in certified)

    run_seeders()
    assert counts == (
        Cohort.objects.count(),
        CohortMember.objects.count(),
        LiveSession.objects.count(),
        TrainerPath.objects.count(),
    )


def test_every_demo_track_can_enrol_a_trainee_in_a_training_group():
    # A track's training groups are those of its training course, or of courses of its methodology: a track whose
    # methodology no demo course uses would leave its trainees «En formación» with nowhere to enrol.
    from certification.trainers.models import TrainerTrack
    from certification.trainers.selectors import training_cohorts

    run_seeders()
    for track in TrainerTrack.objects.all():
        assert training_cohorts(track=track).exists(), track.slug
