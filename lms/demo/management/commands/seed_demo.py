"""``python manage.py seed_demo``: a realistic, idempotent Spanish demo (DOMAIN.md §7).

Each app seeds its own part in a ``demo.py`` module exposing ``seed(ctx: DemoContext) -> None``;
they run in layer order, so a later seeder may use what an earlier one made. Running the command
twice changes nothing: every seeder uses get-or-create on natural keys.
"""

from __future__ import annotations

import importlib
import importlib.util

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from lms.demo.context import DemoContext

SEEDERS = [
    "lms.accounts.demo",
    "content.demo",
    "courses.demo",
    "courses.cohorts.demo",
    "certification.demo",
    "certification.trainers.demo",
    "certification.competency.demo",
    "lms.reports.demo",
]


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
        for name in SEEDERS:
            try:
                if importlib.util.find_spec(name) is None:
                    continue
            except ModuleNotFoundError:  # the app holding that seeder does not exist (yet)
                continue
            module = importlib.import_module(name)
            with transaction.atomic():
                module.seed(ctx)
