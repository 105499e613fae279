"""``python manage.py seed_demo``: a realistic, idempotent Spanish demo (DOMAIN.md §7).

The steps live in ``lms.demo`` (see its README), each a ``seed(ctx: DemoContext) -> None``; they run in this
order, each in its own transaction, so a later step may use what an earlier one made. Running the command twice
changes nothing: every step uses get-or-create on natural keys.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from lms.demo import catalogue, certificates, cohorts, competency, ecuador, people, reports, trainers
from lms.demo.context import DemoContext

STEPS = (
    people.seed,
    catalogue.seed,
    cohorts.seed,
    ecuador.seed,
    certificates.seed,
    trainers.seed,
    competency.seed,
    reports.seed,
)


class Command(BaseCommand):
    help = "Create (or refresh) the demo institutions, people, courses, cohorts and certificates."

    def handle(self, *args, **options):
        call_command("createcachetable", verbosity=0)
        ctx = DemoContext(stdout=self.stdout, style=self.style)
        # Demo people get no real e-mail (welcome and notice messages would flood the console).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._seed(ctx)
        ctx.print_summary()

    def _seed(self, ctx: DemoContext) -> None:
        for step in STEPS:
            with transaction.atomic():
                step(ctx)
