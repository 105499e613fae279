"""Public verification page, short-code form, JSON API, JWKS, downloads, rate limit and the holder's pages."""

import re

import pytest
from django.urls import reverse

from certification.codes import code_display, code_generate
from certification.services import certificate_reissue, certificate_revoke
from tests.certification.factories import holder, issue
from tests.lms.accounts.factories import ProfileFactory
from tests.query_counting import assert_max_data_queries

pytestmark = pytest.mark.django_db


def _private_person():
    person = holder(first_name="Yolimar", last_name="Rodríguez Pérez", email="yoli@example.org", phone="+51987111222")
    ProfileFactory(user=person, nationality="VE", migratory_status="in_process", id_document_type="cpp", city="Lima")
    return person


def test_verify_page_shows_only_public_fields_and_is_not_indexed(client):
    certificate = issue(user=_private_person(), trainer_name="Carmen Salazar Ríos")
    with assert_max_data_queries(12):
        response = client.get(reverse("certification:verify", args=[certificate.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex">' in html
    assert 'data-status="valid"' in html and "Válido" in html
    assert "Yolimar Rodríguez Pérez" in html and "Carmen Salazar Ríos" in html
    assert "Organización Internacional del Trabajo" in html and certificate.display_code in html
    visible = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)  # a random token may hold "VE"
    assert not re.search(r"\bVE\b", visible)  # the nationality code as a word (codes and signatures may hold "VE")
    for private in ("Venezuela", "in_process", "trámite", "cpp", "yoli@example.org", "987111222", "Lima"):
        assert private not in visible.replace("Organización", "")


def test_unknown_code_is_not_found(client):
    response = client.get(reverse("certification:verify", args=[code_generate()]))
    assert response.status_code == 404
    assert 'data-status="not_found"' in response.content.decode()


def test_revoked_shows_the_date_but_not_the_reason(client, user):
    certificate = issue()
    certificate_revoke(certificate=certificate, actor=user, reason="Documento adulterado")
    html = client.get(reverse("certification:verify", args=[certificate.code])).content.decode()
    assert 'data-status="revoked"' in html and "Revocado" in html
    assert "Documento adulterado" not in html
    assert "Descargar PDF" not in html


def test_replaced_certificate_links_the_new_one(client, user):
    old = issue()
    new = certificate_reissue(certificate=old, actor=user, reason="Corrección de nombre")
    html = client.get(reverse("certification:verify", args=[old.code])).content.decode()
    assert "Reemplazado" in html
    assert reverse("certification:verify", args=[new.code]) in html


def test_short_code_form_redirects_and_rejects_typos(client):
    certificate = issue()
    shown = certificate.display_code.lower()
    response = client.get(reverse("certification:verify_form"), {"codigo": shown})
    assert response.status_code == 302
    assert response["Location"] == reverse("certification:verify", args=[certificate.code])
    typo = ("2" if shown[0] != "2" else "3") + shown[1:]
    response = client.get(reverse("certification:verify_form"), {"codigo": typo})
    assert response.status_code == 200
    assert "Ese código no es válido" in response.content.decode()
    assert client.get(reverse("certification:verify_form")).status_code == 200


def test_display_code_in_the_url_redirects_to_the_canonical_page(client):
    certificate = issue()
    response = client.get(reverse("certification:verify", args=[code_display(certificate.code)]))
    assert response.status_code == 302


def test_json_api_returns_the_same_public_data(client):
    certificate = issue(user=_private_person())
    response = client.get(f"/api/v1/certificates/{certificate.code}")
    data = response.json()
    assert response.status_code == 200 and response["X-Robots-Tag"].startswith("noindex")
    assert data["status"] == "valid"
    assert data["holder_name"] == "Yolimar Rodríguez Pérez"
    assert data["issuer"] == "Organización Internacional del Trabajo"
    assert data["kid"] == certificate.kid
    assert "nationality" not in data and "email" not in data and "phone" not in data
    assert client.get(f"/api/v1/certificates/{code_generate()}").json()["status"] == "not_found"


def test_rate_limit_per_ip_with_a_spanish_429(client, settings):
    settings.RUTA_VERIFY_RATE = "5/m"
    certificate = issue()
    url = reverse("certification:verify", args=[certificate.code])
    statuses = [client.get(url, REMOTE_ADDR="10.0.0.1").status_code for _ in range(5)]
    assert statuses == [200] * 5
    response = client.get(url, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "Demasiadas consultas" in response.content.decode()
    assert client.get(f"/api/v1/certificates/{certificate.code}", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_jwks_publishes_the_active_okp_key(client):
    certificate = issue()
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519" and keys[0]["kid"] == certificate.kid
    assert "d" not in keys[0]


def test_anyone_with_the_code_downloads_the_pdf_even_before_the_task_ran(client):
    certificate = issue()  # on_commit callbacks do not run in this test: nothing rendered yet
    response = client.get(reverse("certification:pdf", args=[certificate.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    image = client.get(reverse("certification:image", args=[certificate.code]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_share_links_for_linkedin_and_whatsapp_are_on_my_certificates_only(client):
    certificate = issue()
    client.force_login(certificate.holder)
    mine = client.get(reverse("certification:my_certificates")).content.decode()
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in mine
    assert "certId=" + certificate.display_code in mine  # letters, digits and hyphens only: never escaped
    assert "https://wa.me/?text=" in mine
    # The employer's verification page (even opened by the holder) offers no share buttons.
    for viewer in (client, client.__class__()):
        html = viewer.get(reverse("certification:verify", args=[certificate.code])).content.decode()
        assert "linkedin.com" not in html and "wa.me" not in html
        assert "Agregar a LinkedIn" not in html and "Compartir por WhatsApp" not in html


def test_my_certificates_lists_only_mine_and_needs_login(client):
    mine = issue(user=holder(username="titular"))
    other = issue(user=holder(username="otra"))
    url = reverse("certification:my_certificates")
    assert client.get(url).status_code == 302
    client.force_login(mine.holder)
    html = client.get(url).content.decode()
    assert mine.display_code in html and other.display_code not in html


def test_dashboard_include_lists_the_users_certificates():
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    certificate = issue()
    request = RequestFactory().get("/")
    request.user = certificate.holder
    html = render_to_string(
        "certification/includes/dashboard_certificates.html", {"request": request, "user": certificate.holder}
    )
    assert certificate.achievement in html
    assert reverse("certification:pdf", args=[certificate.code]) in html


def test_offline_verifier_page_manifest_and_service_worker(client):
    page = client.get(reverse("certification:offline_verifier"))
    assert page.status_code == 200 and 'rel="manifest"' in page.content.decode()
    manifest = client.get(reverse("certification:offline_manifest")).json()
    assert manifest["scope"] == "/certificados/" and manifest["display"] == "standalone"
    worker = client.get(reverse("certification:service_worker"))
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/certificados/"
    assert "/.well-known/jwks.json" in worker.content.decode()


def test_revocation_list_tells_a_verifier_holding_a_code_its_status_but_names_no_code_and_no_person(client, user):
    from django.utils import timezone

    from certification.models import CertificateProgramme
    from certification.offline import offline_verify
    from certification.services import certificate_qr_url, certificate_suspend, jwks_get
    from tests.certification.factories import ProgrammeFactory, holder

    revoked = issue(user=holder(first_name="Carmen", last_name="Salazar Ríos"))
    certificate_revoke(certificate=revoked, actor=user, reason="x")
    old = issue(user=holder(first_name="Ysbelia", last_name="Colmenares"))
    new = certificate_reissue(certificate=old, actor=user, reason="nombre")
    trainers = ProgrammeFactory(kind=CertificateProgramme.Kind.TRAINER_QUALIFICATION)
    suspended = issue(programme=trainers, user=holder(first_name="Percy", last_name="Escobar Gamarra"))
    certificate_suspend(certificate=suspended, actor=user, reason="Queja en revisión")
    current = issue()
    response = client.get(reverse("certification:revocations"))
    text = response.content.decode()
    # Anyone may fetch it: it must not hand out the codes that open each person's record (nor the new code).
    for certificate in (revoked, old, new, suspended, current):
        assert certificate.code not in text and certificate.display_code not in text
    data = response.json()
    assert len(data["revoked"]) == len(data["suspended"]) == len(data["replaced"]) == 1
    # A verifier holding a QR still learns each one's status, offline, from this list.
    jwks, today = jwks_get(), timezone.localdate()
    for certificate, status in ((revoked, "revoked"), (suspended, "suspended"), (current, "valid")):
        assert offline_verify(certificate_qr_url(certificate=certificate), jwks, data, today)["status"] == status
    old.refresh_from_db()
    assert offline_verify(certificate_qr_url(certificate=old), jwks, data, today)["status"] == "replaced"


def test_in_app_expiry_notice_shows_on_my_certificates(client):
    import datetime

    from certification.services import certificate_expiry_reminders_send
    from tests.certification.factories import ProgrammeFactory

    certificate = issue(programme=ProgrammeFactory(validity_months=1), issued_on=datetime.date(2026, 1, 10))
    certificate_expiry_reminders_send(today=datetime.date(2026, 2, 1))
    client.force_login(certificate.holder)
    assert "vence el 10/02/2026" in client.get(reverse("certification:my_certificates")).content.decode()


def test_the_data_export_includes_the_persons_certificates():
    from lms.accounts.signals import user_data_requested

    certificate = issue()
    sections = {}
    for _receiver, section in user_data_requested.send(sender=type(certificate.holder), user=certificate.holder):
        if isinstance(section, dict):
            sections.update(section)
    assert sections["certificates"][0]["code"] == certificate.code


def test_the_courses_dashboard_lists_my_certificates(client):
    certificate = issue()
    client.force_login(certificate.holder)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "Mis certificados" in html
    assert reverse("certification:verify", args=[certificate.code]) in html


def test_a_revoked_certificate_is_never_downloaded_as_a_clean_file(client, user):
    certificate = issue()
    client.get(reverse("certification:pdf", args=[certificate.code]))  # rendered and stored while still valid
    certificate_revoke(certificate=certificate, actor=user, reason="Documento adulterado")
    for name in ("certification:pdf", "certification:image", "certification:credential"):
        response = client.get(reverse(name, args=[certificate.code]))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 410, name
        assert not body.startswith((b"%PDF", b"\x89PNG", b"{"))
        html = body.decode()
        assert "revocó este certificado el" in html and "no se puede descargar" in html
        assert "Documento adulterado" not in html
        assert response["X-Robots-Tag"].startswith("noindex")
    api = client.get(f"/api/v1/certificates/{certificate.code}").json()
    assert api["status"] == "revoked" and "pdf_url" not in api and "credential_url" not in api
    # The holder's own pages show the status and offer no download either.
    client.force_login(certificate.holder)
    mine = client.get(reverse("certification:my_certificates")).content.decode()
    assert "Revocado" in mine
    assert reverse("certification:pdf", args=[certificate.code]) not in mine
    dashboard = client.get(reverse("courses:dashboard")).content.decode()
    assert reverse("certification:pdf", args=[certificate.code]) not in dashboard


def test_a_replaced_certificate_points_to_the_new_one_instead_of_downloading(client, user):
    old = issue()
    new = certificate_reissue(certificate=old, actor=user, reason="Corrección de nombre")
    response = client.get(reverse("certification:pdf", args=[old.code]))
    assert response.status_code == 410
    assert reverse("certification:verify", args=[new.code]) in response.content.decode()
    assert client.get(reverse("certification:pdf", args=[new.code])).status_code == 200


def test_an_expired_certificate_still_downloads_since_it_prints_its_expiry_date(client):
    import datetime

    from tests.certification.factories import ProgrammeFactory

    certificate = issue(programme=ProgrammeFactory(validity_months=12), issued_on=datetime.date(2020, 3, 2))
    response = client.get(reverse("certification:pdf", args=[certificate.code]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(certificate.holder)
    mine = client.get(reverse("certification:my_certificates")).content.decode()
    assert "Vencido" in mine and reverse("certification:pdf", args=[certificate.code]) in mine


def _qr_url_with(certificate, **changes):
    from certification import signing
    from certification.services import certificate_public_fields, certificate_verify_url

    fields = {**certificate_public_fields(certificate=certificate), **changes}
    fragment = signing.qr_fragment(fields, signing.b64url_decode(certificate.signature))
    return f"{certificate_verify_url(certificate=certificate)}#{fragment}"


def test_the_api_reports_a_qr_whose_signed_fields_disagree_with_the_record(client):
    from certification.services import certificate_qr_url

    certificate = issue(user=holder(first_name="Ñusta", last_name="Quispe Huamán"))
    api = f"/api/v1/certificates/{certificate.code}"
    genuine = client.get(api, {"qr": certificate_qr_url(certificate=certificate)}).json()
    assert genuine["status"] == "valid" and genuine["qr"] == {"matches": True, "readable": True, "differing": []}
    forged = client.get(api, {"qr": _qr_url_with(certificate, n="Ñusta Quispe Huamán de Ríos", h=400)}).json()
    assert forged["status"] == "valid"  # the record itself is fine: it is the paper that lies
    assert forged["qr"]["matches"] is False
    assert forged["qr"]["message"] == "Los datos del código no coinciden con el registro"
    assert forged["qr"]["differing"] == ["holder_name", "hours"]
    fragment_only = _qr_url_with(certificate, a="Diplomado en Finanzas").split("#")[1]
    assert client.get(api, {"qr": fragment_only}).json()["qr"]["differing"] == ["achievement"]
    garbage = client.get(api, {"qr": "bm90LWRlZmxhdGU.AAAA"}).json()["qr"]
    assert garbage["matches"] is False and garbage["readable"] is False
    assert "qr" not in client.get(api).json()


def test_the_verification_page_hands_its_record_to_the_qr_check():
    import json

    from django.test import Client

    from certification.services import certificate_public_fields

    certificate = issue()
    html = Client().get(reverse("certification:verify", args=[certificate.code])).content.decode()
    record = json.loads(re.search(r'<script id="qr-record" type="application/json">(.*?)</script>', html).group(1))
    assert record == {
        "fields": certificate_public_fields(certificate=certificate),
        "signature": certificate.signature,
    }
    text = json.loads(re.search(r'<script id="qr-text" type="application/json">(.*?)</script>', html).group(1))
    assert text["mismatch"] == "Los datos del código no coinciden con el registro"  # the warning, for verifier.js
