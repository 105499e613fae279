"""Certificate throughput: issuing (sign + QR + PDF + share image) and the verification endpoint.

Run: ``.venv/bin/python benchmarks/certificates.py [--count 1000] [--requests 500]``. It sets Django up by
itself against a throwaway SQLite database, key folder and media folder (nothing of yours is touched) and
prints:

* certificates issued per second for a batch of ``--count`` (each one signed with Ed25519, rendered to an
  A4 PDF and a PNG with the QR, stored through Django storage), plus the signing-only rate;
* requests per second of the public verification page and of the JSON API, each as a ratio to a bare Django
  view (same middleware stack, same in-process test client) measured in the same run.
"""

from __future__ import annotations

import os
import sys

# benchmarks/http.py is named like the standard library's ``http`` package, and a script's own folder comes first
# on the path: take it out before anything imports ``http.client`` (Django, urllib).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import statistics
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.test"
    os.environ["RUTA_TEST_PRIVATE_ROOT"] = str(workdir / "private")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["RUTA_SIGNING_KEYS_DIR"] = str(workdir / "keys")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import django
    from django.conf import settings

    django.setup()
    settings.MEDIA_ROOT = workdir / "media"
    settings.RUTA_VERIFY_RATE = "1000000/s"
    settings.RUTA_SIGNING_KEYS_DIR = str(workdir / "keys")
    settings.RUTA_SIGNING_KEYS_AUTOGENERATE = True
    settings.ALLOWED_HOSTS = ["*"]

    from django.http import HttpResponse
    from django.urls import include, path

    def bare(request):
        return HttpResponse("ok")

    urls = types.ModuleType("benchmark_urls")
    urls.urlpatterns = [path("benchmark/bare", bare), path("", include("lms.urls"))]
    sys.modules["benchmark_urls"] = urls
    settings.ROOT_URLCONF = "benchmark_urls"

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="certificates to issue (default 1000)")
    parser.add_argument("--requests", type=int, default=500, help="requests per endpoint (default 500)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ruta-bench-") as tmp:
        setup(Path(tmp))
        from django.test import Client
        from django.urls import reverse

        from certification import signing
        from certification.models import Certificate, CertificateProgramme
        from certification.rendering import qr_version
        from certification.services import certificate_issue, certificate_qr_url
        from lms.accounts.models import Institution, User

        institution = Institution.objects.create(
            name="Organización Internacional del Trabajo", acronym="OIT", slug="oit", type="international"
        )
        programme = CertificateProgramme.objects.create(
            name="IMESUN GIN",
            slug="imesun-gin",
            title="Inicie y Mejore su Negocio — Genere su Idea de Negocio (IMESUN-GIN)",
            hours=40,
            issuer=institution,
            validity_months=24,
        )
        first_names = ["María José", "José Gregorio", "Yolimar", "Rosa Elena", "Begoña", "Ñusta"]
        last_names = ["Hernández Núñez", "Rodríguez Pérez", "Quispe Mamani", "Muñoz Peña", "Ibáñez Ríos"]
        users = User.objects.bulk_create(
            User(
                username=f"bench{i}",
                first_name=first_names[i % len(first_names)],
                last_name=last_names[i % len(last_names)],
            )
            for i in range(args.count)
        )
        signing.keyring()  # key generation is not part of the measurement

        started, cpu_started = time.perf_counter(), time.process_time()
        for user in users:
            certificate_issue(
                holder=user,
                programme=programme,
                source_key=f"bench:{user.pk}",
                trainer_name="Carmen Salazar Ríos",
            )
        issue_seconds = time.perf_counter() - started
        issue_cpu_seconds = time.process_time() - cpu_started
        certificates = list(Certificate.objects.all())
        assert len(certificates) == args.count and all(c.pdf for c in certificates), "every PDF rendered"
        pdf_sizes = [c.pdf.size for c in certificates[:50]]
        versions = [qr_version(certificate_qr_url(certificate=c)) for c in certificates[:50]]

        pair = signing.keyring().active
        payload = b'{"a":"IMESUN","c":"0123456789ABCDEF","n":"Jos\xc3\xa9"}'
        started = time.perf_counter()
        for _ in range(args.count):
            signing.sign(payload, pair)
        sign_seconds = time.perf_counter() - started

        client = Client()
        codes = [c.code for c in certificates]

        def measure(url_for) -> float:
            for i in range(20):  # warm-up
                client.get(url_for(i))
            started = time.perf_counter()
            for i in range(args.requests):
                response = client.get(url_for(i))
                assert response.status_code == 200, response.status_code
            return rate(args.requests, time.perf_counter() - started)

        bare_rps = measure(lambda i: "/benchmark/bare")
        page_rps = measure(lambda i: reverse("certification:verify", args=[codes[i % len(codes)]]))
        api_rps = measure(lambda i: f"/api/v1/certificates/{codes[i % len(codes)]}")

        # The same with an in-memory cache, standing in for Redis (the rate limit's counter is the main cost
        # of the database cache on SQLite).
        from asgiref.local import Local
        from django.core.cache import caches

        caches.settings = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        caches._connections = Local(caches.thread_critical)
        bare_mem_rps = measure(lambda i: "/benchmark/bare")
        page_mem_rps = measure(lambda i: reverse("certification:verify", args=[codes[i % len(codes)]]))
        api_mem_rps = measure(lambda i: f"/api/v1/certificates/{codes[i % len(codes)]}")

        print(f"Certificates issued: {args.count} (sign + QR + A4 PDF + PNG, stored)")
        print(f"  issued per second:            {rate(args.count, issue_seconds):8.1f}  (wall clock)")
        print(f"  issued per CPU-second:        {rate(args.count, issue_cpu_seconds):8.1f}  (this process's CPU time)")
        print(f"  Ed25519 signatures per second: {rate(args.count, sign_seconds):8.1f}")
        print(f"  PDF size: median {statistics.median(pdf_sizes) / 1024:.1f} KB, max {max(pdf_sizes) / 1024:.1f} KB")
        print(f"  QR version: max {max(versions)} (error correction M)")
        print(f"Verification ({args.requests} requests each, in-process test client, SQLite, DB cache):")
        print(f"  bare Django view:             {bare_rps:8.1f} req/s (baseline)")
        print(f"  verification page:            {page_rps:8.1f} req/s  ratio {page_rps / bare_rps:.2f}")
        print(f"  JSON API:                     {api_rps:8.1f} req/s  ratio {api_rps / bare_rps:.2f}")
        print("Verification with an in-memory cache (as with Redis):")
        print(f"  bare Django view:             {bare_mem_rps:8.1f} req/s (baseline)")
        print(f"  verification page:            {page_mem_rps:8.1f} req/s  ratio {page_mem_rps / bare_mem_rps:.2f}")
        print(f"  JSON API:                     {api_mem_rps:8.1f} req/s  ratio {api_mem_rps / bare_mem_rps:.2f}")


if __name__ == "__main__":
    main()
