"""Delete candidates' competency uploads that no application document or evidence row points to."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from certification.competency.services import competency_orphan_files_delete


class Command(BaseCommand):
    help = (
        "Delete competency uploads (documents, evidence) older than a day that no application points to; "
        "also run daily by celery beat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the files without deleting them.")

    def handle(self, *args, dry_run: bool = False, **options):
        names = competency_orphan_files_delete(dry_run=dry_run)
        for name in names:
            self.stdout.write(name)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(self.style.SUCCESS(f"{len(names)} file(s) no application points to {verb}."))
