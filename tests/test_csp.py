"""The Content-Security-Policy header (lms/csp.py, settings CONTENT_SECURITY_POLICY) and the report endpoint."""

from __future__ import annotations

import json
import logging
import zipfile

import pytest
from django.urls import reverse

from content.packages.archive import open_archive
from content.packages.services import content_package_store
from content.packages.views import SANDBOX_CSP, file_token
from tests.csp_checks import parse_policy, policy_problems

pytestmark = pytest.mark.django_db

REPORT_URL = "/csp-report/"


def _csp_log(caplog) -> list[dict]:
    return [json.loads(r.getMessage().split(" ", 2)[2]) for r in caplog.records if r.name == "ruta.csp"]


def test_home_page_sends_a_strict_policy_and_takes_the_theme_colours_from_a_stylesheet(client):
    response = client.get("/")
    assert policy_problems("/", response) == []
    policy = parse_policy(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    page = response.content.decode()
    # No inline style or script at all (so a cached public page needs no per-response nonce).
    assert "<style" not in page and "<script>" not in page and "nonce=" not in page
    assert '<link rel="stylesheet" href="/tema/colores.css?p=%230B5394&amp;a=%23B45309">' in page
    assert response["Reporting-Endpoints"] == 'csp="/csp-report/"'
    assert reverse("csp_report") == REPORT_URL


def test_error_pages_are_covered_too(client):
    response = client.get("/no-existe-esta-pagina/")
    assert response.status_code == 404
    assert policy_problems("/no-existe-esta-pagina/", response) == []


def test_admin_gets_the_documented_looser_script_and_style_sources_and_nothing_else(client):
    response = client.get("/admin/login/")
    policy = parse_policy(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.fixture
def package(tmp_path):
    path = tmp_path / "sco.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("index.html", "<html><head><title>SCO</title></head><body>hola</body></html>")
    with open_archive(path) as archive:
        return content_package_store(archive=archive, engine="scorm12", title="SCO")


def test_package_files_keep_their_sandbox_policy_untouched(client, package):
    response = client.get(reverse("packages:package_file", args=[package.uuid, file_token(package), "index.html"]))
    assert response["Content-Security-Policy"] == SANDBOX_CSP
    assert "Reporting-Endpoints" not in response


def test_a_report_uri_report_is_logged_without_query_fragment_or_policy(client, caplog):
    body = {
        "csp-report": {
            "document-uri": "https://ruta.example/accounts/password/reset/key/x?token=secreto#frag",
            "referrer": "https://ruta.example/cuenta/?dni=12345678",
            "violated-directive": "script-src-elem",
            "effective-directive": "script-src-elem",
            "original-policy": "default-src 'self'; script-src 'self' 'nonce-abc'",
            "blocked-uri": "inline",
            "line-number": 12,
            "source-file": "https://ruta.example/cursos/?q=privado",
            "script-sample": "alert(1)\n\nFORGED LOG LINE",
            "disposition": "enforce",
        }
    }
    with caplog.at_level(logging.WARNING, logger="ruta.csp"):
        response = client.post(REPORT_URL, json.dumps(body), content_type="application/csp-report")
    assert response.status_code == 204
    [logged] = _csp_log(caplog)
    assert logged["directive"] == "script-src-elem" and logged["blocked"] == "inline" and logged["line"] == 12
    assert logged["document"] == "https://ruta.example/accounts/password/reset/key/x"
    assert logged["source"] == "https://ruta.example/cursos/"
    text = caplog.records[-1].getMessage()
    assert "secreto" not in text and "12345678" not in text and "nonce-abc" not in text and "\n" not in text


def test_a_reporting_api_batch_logs_only_its_csp_violations(client, caplog):
    body = [
        {
            "type": "csp-violation",
            "url": "https://ruta.example/",
            "body": {
                "documentURL": "https://ruta.example/cursos/",
                "blockedURL": "https://evil.example/x.js?c=1",
                "effectiveDirective": "script-src-elem",
                "disposition": "enforce",
                "lineNumber": 3,
            },
        },
        {
            "type": "csp-violation",
            "body": {
                "documentURL": "https://ruta.example/",
                "blockedURL": "inline",
                "effectiveDirective": "style-src-attr",
                "disposition": "report",
            },
        },
        {"type": "deprecation", "body": {"id": "x"}},
    ]
    with caplog.at_level(logging.WARNING, logger="ruta.csp"):
        response = client.post(REPORT_URL, json.dumps(body), content_type="application/reports+json")
    assert response.status_code == 204
    logged = _csp_log(caplog)
    assert [r["directive"] for r in logged] == ["script-src-elem", "style-src-attr"]
    assert logged[0]["blocked"] == "https://evil.example/x.js"
    assert logged[1]["disposition"] == "report"


def test_oversized_malformed_and_get_requests_are_refused_and_not_logged(client, caplog, settings):
    big = json.dumps({"csp-report": {"script-sample": "x" * (settings.RUTA_CSP_REPORT_MAX_BYTES + 1)}})
    with caplog.at_level(logging.WARNING, logger="ruta.csp"):
        assert client.post(REPORT_URL, big, content_type="application/csp-report").status_code == 413
        assert client.post(REPORT_URL, "{nope", content_type="application/csp-report").status_code == 400
        assert client.post(REPORT_URL, "[1, 2]", content_type="application/reports+json").status_code == 400
        assert client.get(REPORT_URL).status_code == 405
    assert _csp_log(caplog) == []


def test_reports_are_rate_limited_per_address(client, caplog, settings):
    settings.RUTA_CSP_REPORT_RATE = "3/m"
    body = json.dumps({"csp-report": {"effective-directive": "img-src", "blocked-uri": "https://x.example/a.png"}})
    with caplog.at_level(logging.WARNING, logger="ruta.csp"):
        codes = [client.post(REPORT_URL, body, content_type="application/csp-report").status_code for _ in range(5)]
    assert codes == [204, 204, 204, 429, 429]
    assert len(_csp_log(caplog)) == 3


def test_a_wagtail_preview_keeps_the_strict_page_policy_but_the_admin_may_frame_it(rf):
    from tests.courses.factories import build_course

    course = build_course(title="Seguridad y salud en el trabajo")
    response = course.make_preview_request()
    policy = parse_policy(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_policy_built_once_is_the_one_django_csp_builds_and_follows_the_settings(client, settings):
    """The policy's text is kept per process (lms/csp.py): it is exactly django-csp's, for the page and for the
    report-only header alike, and a change of the settings shows on the next response."""
    import copy

    from csp.utils import build_policy

    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    first = client.get("/")
    second = client.get("/")
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"] == build_policy()
    assert second["Content-Security-Policy-Report-Only"] == build_policy(report_only=True) == "default-src 'self'"

    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"] = [*policy["DIRECTIVES"].get("img-src", []), "https://imagenes.example.org"]
    settings.CONTENT_SECURITY_POLICY = policy
    changed = client.get("/")["Content-Security-Policy"]
    assert "https://imagenes.example.org" in changed and changed == build_policy()
