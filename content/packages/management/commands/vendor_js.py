"""Copy the browser players (scorm-again, h5p-standalone) from node_modules into a git-ignored static folder.

Run after ``npm ci``: ``python manage.py vendor_js``. The files land in ``content/packages/static/vendor/`` and
are served as ``{% static "vendor/..." %}``.

A minified file that names its source map (``//# sourceMappingURL=x.map``) gets that map copied beside it:
production's manifest storage (whitenoise) rewrites every reference to a hashed name and refuses to collect a
file whose reference points nowhere. Learners never download a map; it only serves a developer's debugger.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

FILES = {
    "scorm-again": ["dist/scorm12.min.js", "dist/scorm2004.min.js"],
    "h5p-standalone": ["dist/main.bundle.js", "dist/frame.bundle.js", "dist/styles", "dist/fonts", "dist/images"],
}
LICENCES = ["LICENSE", "LICENSE.md", "dist/main.bundle.js.LICENSE.txt"]


class Command(BaseCommand):
    help = "Copia scorm-again y h5p-standalone desde node_modules a los archivos estáticos."

    def add_arguments(self, parser):
        parser.add_argument("--node-modules", default=str(Path(settings.BASE_DIR) / "node_modules"))

    def handle(self, *args, **options):
        source = Path(options["node_modules"])
        target = Path(__file__).resolve().parents[2] / "static" / "vendor"
        copied = 0
        for package, paths in FILES.items():
            root = source / package
            if not root.is_dir():
                raise CommandError(f"Falta node_modules/{package}: ejecute «npm ci --ignore-scripts» primero.")
            dest = target / package
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            for rel in [*paths, *LICENCES]:
                src = root / rel
                if not src.exists():
                    if rel in LICENCES:
                        continue
                    raise CommandError(f"Falta {src}")
                out = dest / Path(rel).name
                if src.is_dir():
                    shutil.copytree(src, out)
                else:
                    shutil.copy2(src, out)
                    source_map = src.with_name(src.name + ".map")
                    if source_map.is_file():
                        shutil.copy2(source_map, dest / source_map.name)
                        copied += 1
                copied += 1
        self.stdout.write(self.style.SUCCESS(f"{copied} archivos o carpetas copiados a {target}"))
