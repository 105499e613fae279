"""``python manage.py import_package FILE [--into PAGE_ID]``: inspect and import a package as a draft course.

Exit status 0 with a summary when imported; non-zero with the reason when refused or failed.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Page

from courses.imports.models import PackageImport
from courses.imports.services import package_import_create, package_import_run


class Command(BaseCommand):
    help = "Importa un paquete (SCORM, H5P, Open edX, paquete Ruta) como curso en borrador."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Ruta del paquete (.zip, .h5p, .tar.gz)")
        parser.add_argument("--into", type=int, default=None, help="Id de la página (programa, curso o módulo)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No existe el archivo {path}")
        target = None
        if options["into"]:
            target = Page.objects.filter(pk=options["into"]).first()
            if target is None:
                raise CommandError(f"No existe la página {options['into']}")
        record = package_import_create(file=path, target_page=target)
        self.stdout.write(f"Formato: {record.format_label or '?'} · {record.title or path.name}")
        for finding in record.report.get("findings", []):
            self.stdout.write(f"  [{finding['level']}] {finding['message']}")
        if record.status == PackageImport.Status.REFUSED:
            raise CommandError(f"Paquete rechazado: {record.error}")
        record = package_import_run(package_import=record)
        if record.status != PackageImport.Status.DONE:
            raise CommandError(f"La importación falló: {record.error}")
        s = record.summary
        self.stdout.write(
            self.style.SUCCESS(
                f"Importado como borrador (página {record.course_page_id}): {s['modules']} módulos, "
                f"{s['lessons']} lecciones, {s['activities']} actividades, {s['players']} contenidos interactivos, "
                f"{s['media']} archivos."
            )
        )
        for skipped in s.get("skipped", []):
            self.stdout.write(f"  omitido: {skipped}")
