"""``python manage.py private_files_move [--dry-run]``: move uploads stored before the private storage existed
out of MEDIA_ROOT (see ``courses.imports.private_files``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from courses.imports.private_files import private_files_move


class Command(BaseCommand):
    help = (
        "Mueve al almacenamiento privado los archivos subidos antes de que existiera (paquetes, evidencias, "
        "listas importadas, certificados) y corrige los enlaces a medios de lecciones importadas."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Solo muestra qué movería")

    def handle(self, *args, **options):
        report = private_files_move(dry_run=options["dry_run"])
        verb = "Se moverían" if options["dry_run"] else "Movidos"
        self.stdout.write(
            f"{verb}: {len(report.moved)} archivos; páginas corregidas: {report.pages}; "
            f"revisiones corregidas: {report.revisions}"
        )
        for name in report.missing:
            self.stderr.write(f"No está en MEDIA_ROOT ni en el almacenamiento privado: {name}")
