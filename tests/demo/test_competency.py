"""The demo seeder: three standards, candidates at every stage, idempotent."""

import io

import pytest
from django.core.management.color import no_style

from certification.competency import selectors
from certification.competency.models import Application, CompetencyStandard
from certification.models import Certificate
from lms.demo import competency, people
from lms.demo.context import DemoContext

pytestmark = pytest.mark.django_db


def run():
    ctx = DemoContext(stdout=io.StringIO(), style=no_style())
    people.seed(ctx)
    competency.seed(ctx)
    return ctx


def test_seed_is_idempotent_and_covers_every_stage():
    ctx = run()
    counts = (CompetencyStandard.objects.count(), Application.objects.count(), Certificate.objects.count())
    run()
    assert (CompetencyStandard.objects.count(), Application.objects.count(), Certificate.objects.count()) == counts

    titles = set(CompetencyStandard.objects.values_list("title", flat=True))
    assert titles == {"Ventas y atención al cliente", "Limpieza y desinfección de ambientes", "Desarrollo web junior"}
    assert CompetencyStandard.objects.get(code="RUTA-VEN").certifying_body == ctx.institutions["unmsm"]
    assert CompetencyStandard.objects.get(code="RUTA-LIM").certifying_body == ctx.institutions["khipu"]
    assert CompetencyStandard.objects.get(code="RUTA-DWJ").certifying_body == ctx.institutions["silabuz"]
    assert CompetencyStandard.objects.get(code="RUTA-DWJ").units.filter(is_socioemotional=True).count() == 2

    for code in ("RUTA-VEN", "RUTA-LIM", "RUTA-DWJ"):
        statuses = set(Application.objects.filter(standard__code=code).values_list("status", flat=True))
        assert statuses == {"applied", "assigned", "scheduled", "submitted", "decided", "appealed"}, code

    evaluadora = ctx.users["evaluator"]
    assert selectors.applications_for_evaluator(user=evaluadora).filter(evaluator=evaluadora).count() >= 10
    assert Certificate.objects.filter(programme__kind="competency_standard").exists()
    partial = Application.objects.get(candidate__username="dayana.perez", previous=None)
    assert not selectors.gap_report(application=partial).complete
