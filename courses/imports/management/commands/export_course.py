"""``python manage.py export_course PAGE_ID FILE``: write a course as a Ruta package (zip) with its provenance."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.imports.services import course_export
from courses.models import CoursePage


class Command(BaseCommand):
    help = "Exporta un curso como paquete Ruta (.zip), con su procedencia."

    def add_arguments(self, parser):
        parser.add_argument("course_id", type=int)
        parser.add_argument("file")
        parser.add_argument("--adapted-by", default="", help="Institución que adaptó esta versión")
        parser.add_argument("--change-note", default="", help="Qué cambió respecto del original")
        parser.add_argument("--package-version", dest="package_version", default="", help="Versión de esta adaptación")

    def handle(self, *args, **options):
        course = CoursePage.objects.filter(pk=options["course_id"]).first()
        if course is None:
            raise CommandError(f"No existe el curso {options['course_id']}")
        data, skipped = course_export(
            course=course,
            adapted_by=options["adapted_by"],
            change_note=options["change_note"],
            version=options["package_version"],
        )
        Path(options["file"]).write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Paquete Ruta escrito en {options['file']} ({len(data)} bytes)."))
        for kind in skipped:
            self.stdout.write(f"  no incluido: {kind}")
