"""Two web processes and two workers share no local state (run by ``deploy/scale_check.sh``).

``python deploy/scale_check.py http://A http://B``: both serve the same PostgreSQL, Redis and S3-compatible
storage. A session started on A works on B; a SCORM package uploaded through A's admin is imported by a worker
and its files are served by B's package file URL; a certificate PDF rendered by a worker is served, the same
bytes, by both. Neither web process keeps a file on its own disk.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke import PARTICIPANT, Browser, Failed, check, expect  # noqa: E402

ADMIN = ("admin", "ruta-demo-2026")
BOUNDARY = "ruta-scale-check-boundary"
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="escala-{tag}" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Prueba de escala {tag}</title>
    <item identifier="i1" identifierref="r1"><title>Lección única</title></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>"""


def login(browser: Browser, username: str, password: str) -> None:
    form = browser.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    expect(token is not None, "no CSRF token on the login form")
    response = browser.post(
        "/accounts/login/", [("csrfmiddlewaretoken", token.group(1)), ("login", username), ("password", password)]
    )
    expect(response.status == 302, f"login as {username} answered {response.status}")


def on(browser: Browser, base: str) -> Browser:
    """The same visitor (same cookies) talking to another web process."""
    other = Browser(base)
    other.cookies = browser.cookies
    return other


def multipart(fields: dict[str, str], file_field: str, filename: str, data: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        "Content-Type: application/zip\r\n\r\n".encode() + data + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def main(base_a: str, base_b: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.storage import default_storage

    from lms.files import private_storage

    expect(default_storage.__class__.__name__ == "S3Storage", f"default storage is {default_storage.__class__}")
    private = private_storage()  # packages, PDFs, evidence: a private bucket or prefix, never under MEDIA_URL
    expect(private.__class__.__name__ == "S3Storage", f"private storage is {private.__class__}")

    learner_a = Browser(base_a)

    def session():
        login(learner_a, *PARTICIPANT)
        learner_b = on(learner_a, base_b)
        mine = learner_b.get("/aprender/mis-cursos/")
        expect(mine.status == 200, f"B answered {mine.status} to A's session (redirected to log in?)")
        expect("Mis cursos" in mine.text or "mis-cursos" in mine.text, "B does not know the participant")

    check("a session started on web A works on web B", session)

    def package():
        from content.packages.models import ContentPackage

        admin_a = Browser(base_a)
        login(admin_a, *ADMIN)
        page = admin_a.get("/admin/importar-paquetes/")
        expect(page.status == 200, f"import page answered {page.status}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        tag = uuid.uuid4().hex[:8]
        marker = f"Contenido servido desde S3 {tag}"
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("imsmanifest.xml", MANIFEST.format(tag=tag))
            zf.writestr("index.html", f"<!DOCTYPE html><html><head><title>x</title></head><body>{marker}</body></html>")
        body = multipart({"csrfmiddlewaretoken": token}, "file", f"escala-{tag}.zip", archive.getvalue())
        headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Origin": base_a}
        response = admin_a.request("POST", "/admin/importar-paquetes/", body=body, headers=headers)
        expect(response.status == 302, f"upload answered {response.status}: {response.text[:300]}")
        detail = response.headers["Location"]
        confirm = admin_a.post(detail.rstrip("/") + "/importar/", [("csrfmiddlewaretoken", token)])
        expect(confirm.status == 302, f"confirm answered {confirm.status}")
        status_url = detail.rstrip("/") + "/estado/"
        deadline = time.monotonic() + 120
        state: dict = {}
        while time.monotonic() < deadline:
            reply = on(admin_a, base_b).get(status_url)  # progress read through B
            if reply.status == 200:
                state = json.loads(reply.body)
                if state.get("finished"):
                    break
            time.sleep(1)
        expect(state.get("status") == "done", f"the import did not finish: {state}")
        package = ContentPackage.objects.filter(storage_prefix__isnull=False).order_by("-pk").first()
        expect(package is not None and private.exists(package.storage_name("index.html")), "not in S3")
        opened = on(admin_a, base_b).get(f"/paquetes/{package.uuid}/abrir/index.html")
        expect(opened.status == 302, f"B's package link answered {opened.status}")
        served = Browser(base_b).get(opened.headers["Location"])
        expect(served.status == 200 and marker in served.text, f"B served {served.status} without the content")

    check("a package uploaded through A is imported by a worker and its files play through B", package)

    def pdf():
        from certification.models import Certificate, CertificateEvent
        from certification.tasks import certificate_render_pdf_task

        mine = learner_a.get("/certificados/mis-certificados/")
        code = re.findall(r'href="/certificados/v/(\w+)/pdf"', mine.text)[0]
        certificate = Certificate.objects.get(code=code)
        rendered = CertificateEvent.objects.filter(certificate=certificate, action=CertificateEvent.Action.RENDERED)
        before = rendered.count()
        certificate_render_pdf_task.delay(certificate.pk)
        deadline = time.monotonic() + 90
        while rendered.count() == before and time.monotonic() < deadline:
            time.sleep(0.5)
        expect(rendered.count() == before + 1, "no worker rendered the PDF")
        bodies = []
        for base in (base_a, base_b):
            response = on(learner_a, base).get(f"/certificados/v/{code}/pdf")
            expect(response.status == 200 and response.body.startswith(b"%PDF-"), f"{base} answered {response.status}")
            bodies.append(response.body)
        expect(bodies[0] == bodies[1], "A and B served different PDFs")
        expect(rendered.count() == before + 1, "a web process rendered the PDF itself instead of serving the worker's")

    check("a PDF rendered by a worker is served by either web process", pdf)

    def no_local_files():
        for root in os.environ.get("SCALE_MEDIA_ROOTS", "").split():
            files = [p for p in Path(root).rglob("*") if p.is_file()]
            expect(not files, f"files on a web host's own disk: {files[:5]}")
        expect(settings.STORAGES["private"]["OPTIONS"]["bucket_name"], "no private bucket")

    check("no web or worker process wrote to its own disk", no_local_files)
    print("scale check: all checks passed")


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except Failed as failure:
        print(f"FAIL {failure}", file=sys.stderr)
        sys.exit(1)
