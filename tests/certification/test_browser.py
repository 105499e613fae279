"""Browser journeys (headless Chromium): the JS offline verifier on the shared vectors, and the employer's
check of a learner's certificate from the QR in the downloaded PDF, before and after revocation.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VECTORS = json.loads((Path(__file__).parent / "vectors" / "offline.json").read_text(encoding="utf-8"))


def test_javascript_offline_verifier_matches_the_shared_vectors(phone_page, screenshot, axe_check):
    page = phone_page
    page.goto(reverse("certification:offline_verifier"))
    page.wait_for_function("() => window.RutaVerifier !== undefined")
    outcomes = page.evaluate(
        """async (data) => {
            const out = {};
            for (const v of data.vectors) {
                out[v.name] = (await RutaVerifier.verifyUrl(v.url, data.jwks, data.revocations, data.today)).status;
            }
            return out;
        }""",
        VECTORS,
    )
    assert outcomes == {v["name"]: v["expected"] for v in VECTORS["vectors"]}
    unknown = [v for v in VECTORS["vectors"] if v["expected"] == "unknown_key"]
    assert unknown and page.evaluate(
        """async (data) => Promise.all(data.vectors.map(
            async (v) => (await RutaVerifier.verifyUrl(v.url, data.jwks, data.revocations, data.today)).fields
        ))""",
        {**VECTORS, "vectors": unknown},
    ) == [None] * len(unknown)
    # The page itself: paste a vector's URL (camera-less fallback). Its key is not one of Ruta's, and the page
    # has just fetched Ruta's list of every key that ever signed: a forgery, and none of its text is shown.
    page.fill("#verifier-url", VECTORS["vectors"][0]["url"])
    page.get_by_role("button", name="Verificar").click()
    page.wait_for_selector("#verifier-result [data-status]")
    assert page.locator("#verifier-result [data-status]").get_attribute("data-status") == "invalid"
    assert "José Gregorio" not in page.locator("#verifier-result").inner_text()
    axe_check(page)
    screenshot(page, "certificados-verificador-offline")


def _run(tool, *args):
    executable = shutil.which(tool)
    assert executable, f"{tool} is missing: run `make system-deps`"
    return subprocess.run([executable, *args], capture_output=True, text=True).stdout  # noqa: S603


def test_employer_scans_the_qr_of_a_learners_pdf_and_sees_valid_then_revoked(
    browser, phone_page, live_server, settings, screenshot, axe_check, tmp_path
):
    from certification.models import Certificate
    from certification.services import certificate_revoke
    from courses.services import enrollment_create, progress_record
    from tests.certification.factories import ProgrammeFactory, holder
    from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory
    from tests.courses.test_browser import ensure_site

    ensure_site()
    settings.RUTA_BASE_URL = live_server.url
    course = CoursePageFactory(title="Educación financiera", open_enrollment=True)
    lesson = LessonPageFactory(parent=ModulePageFactory(parent=course))
    ProgrammeFactory(course=course, title="Educación financiera para emprendedoras y emprendedores")
    learner = holder(first_name="Begoña", last_name="Ñáñez Quispe", username="begona")
    enrollment_create(user=learner, course=course)
    progress_record(user=learner, lesson_id=lesson.pk, viewed=True)  # the only lesson: the course is completed
    certificate = Certificate.objects.get(holder=learner)

    # The learner downloads the PDF from «Mis certificados».
    client = Client()
    client.force_login(learner)
    page = phone_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(reverse("certification:my_certificates"))
    assert "Educación financiera para emprendedoras y emprendedores" in page.content()
    axe_check(page)
    screenshot(page, "certificados-mis-certificados")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar PDF").first.click()
    pdf_path = tmp_path / "certificado.pdf"
    download_info.value.save_as(pdf_path)
    assert "Begoña Ñáñez Quispe" in _run("pdftotext", str(pdf_path), "-")
    _run("pdftoppm", "-r", "150", "-png", str(pdf_path), str(tmp_path / "page"))
    scanned = _run(
        "zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(next(tmp_path.glob("page*.png")))
    ).strip()
    assert scanned.startswith(f"{live_server.url}/certificados/v/{certificate.code}#")

    # The employer opens the scanned URL in a fresh browser (no session).
    employer = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-PE")
    try:
        employer_page = employer.new_page()
        employer_page.goto(scanned)
        assert employer_page.locator("[data-status]").first.inner_text().endswith("Válido")
        assert "Begoña Ñáñez Quispe" in employer_page.content()
        axe_check(employer_page)
        screenshot(employer_page, "certificados-verificacion-valido")
        # Visiting once online installs the offline verifier: the same link then verifies with no network.
        employer_page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        employer_page.reload()
        employer_page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        employer.set_offline(True)
        employer_page.goto("about:blank")
        employer_page.goto(scanned)
        employer_page.wait_for_selector("#verifier-result [data-status]")
        assert employer_page.locator("#verifier-result [data-status]").get_attribute("data-status") == "valid"
        employer.set_offline(False)
        certificate_revoke(certificate=certificate, actor=None, reason="Prueba de revocación")
        employer_page.reload()
        assert "Revocado" in employer_page.locator("[data-status]").first.inner_text()
        assert "Prueba de revocación" not in employer_page.content()
        screenshot(employer_page, "certificados-verificacion-revocado")
    finally:
        employer.close()


def test_installed_verifier_checks_a_scanned_link_with_no_network(browser, live_server, settings, screenshot):
    from tests.certification.factories import holder, issue
    from tests.courses.test_browser import ensure_site

    ensure_site()
    settings.RUTA_BASE_URL = live_server.url
    certificate = issue(user=holder(first_name="Ñusta", last_name="Quispe Huamán"))
    from certification.services import certificate_qr_url

    qr_url = certificate_qr_url(certificate=certificate)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-PE")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}{reverse('certification:offline_verifier')}")
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_function("() => document.getElementById('verifier-cache').textContent.length > 0")
        page.reload()  # now controlled by the service worker, caches filled
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        page.goto(qr_url)
        page.wait_for_selector("#verifier-result [data-status]")
        assert page.locator("#verifier-result [data-status]").get_attribute("data-status") == "valid"
        assert "Ñusta Quispe Huamán" in page.locator("#verifier-result").inner_text()
        assert certificate.display_code in page.locator("#verifier-result").inner_text()
        screenshot(page, "certificados-verificador-sin-conexion")
        tampered = qr_url.replace(
            certificate.code, certificate.code[:-1] + ("0" if certificate.code[-1] != "0" else "1")
        )
        page.goto(tampered)
        page.wait_for_selector("#verifier-result [data-status]")
        assert page.locator("#verifier-result [data-status]").get_attribute("data-status") == "invalid"
        # A link signed with a key this phone does not hold (it cannot ask Ruta now): «cannot check», and none
        # of the forger's text.
        forged = next(v for v in VECTORS["vectors"] if v["name"] == "signed by a key that is not Ruta's")
        page.goto(live_server.url + forged["url"].removeprefix("https://ruta.example.org"))
        page.wait_for_selector("#verifier-result [data-status]")
        assert page.locator("#verifier-result [data-status]").get_attribute("data-status") == "unknown_key"
        assert "José Gregorio" not in page.locator("#verifier-result").inner_text()
    finally:
        context.close()


def test_employer_is_warned_when_the_scanned_qr_disagrees_with_the_record(
    phone_page, live_server, settings, screenshot
):
    from certification import signing
    from certification.services import certificate_public_fields, certificate_qr_url
    from tests.certification.factories import holder, issue
    from tests.courses.test_browser import ensure_site

    ensure_site()
    settings.RUTA_BASE_URL = live_server.url
    certificate = issue(user=holder(first_name="Yolimar", last_name="Rodríguez Pérez"), trainer_name="Carmen Ríos")
    page = phone_page
    page.goto(certificate_qr_url(certificate=certificate))
    page.wait_for_function("() => window.RutaVerifier !== undefined")
    page.wait_for_timeout(300)
    assert page.locator("#qr-check").inner_text() == ""
    assert page.locator("[data-status]").first.inner_text().endswith("Válido")

    # Someone edited the printed name and the hours and made a new QR with the old signature.
    fields = {**certificate_public_fields(certificate=certificate), "n": "Yolimar Rodríguez", "h": 400}
    forged = (
        certificate_qr_url(certificate=certificate).split("#")[0]
        + "#"
        + signing.qr_fragment(fields, signing.b64url_decode(certificate.signature))
    )
    page.goto("about:blank")
    page.goto(forged)
    warning = page.locator("#qr-check [data-qr]")
    warning.wait_for()
    assert warning.get_attribute("data-qr") == "mismatch"
    box = page.locator("#qr-check").inner_text()
    assert "Los datos del código no coinciden con el registro" in box
    assert "Otorgado a — en el código: «Yolimar Rodríguez»" in box and "Horas — en el código: «400»" in box
    assert "Yolimar Rodríguez Pérez" in page.locator("[data-field=holder]").inner_text()  # the record
    screenshot(page, "certificados-verificacion-qr-no-coincide")


def test_offline_verifier_checks_typed_short_codes_with_no_network(
    browser, live_server, settings, screenshot, axe_check
):
    from certification.codes import code_display, code_generate
    from certification.services import certificate_revoke
    from tests.certification.factories import holder, issue
    from tests.courses.test_browser import ensure_site

    ensure_site()
    settings.RUTA_BASE_URL = live_server.url
    valid = issue(user=holder(first_name="Yolimar", last_name="Rodríguez Pérez", phone="+51987111222"))
    revoked = issue(user=holder(first_name="Ñusta", last_name="Quispe Huamán", phone="+593991234567"))
    certificate_revoke(certificate=revoked, actor=None, reason="Documento adulterado")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-PE")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}{reverse('certification:offline_verifier')}")
        page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        # A locator's expectation reads the page without evaluating a string in it (the page's policy forbids eval,
        # which a string predicate of wait_for_function may need on a page its service worker served).
        expect(page.locator("#verifier-cache")).to_contain_text("Registro de 2")
        # No BarcodeDetector in this Chromium: no dead camera button, an explanation instead.
        assert page.get_by_role("button", name="Escanear con la cámara").count() == 0
        assert "no puede leer códigos QR" in page.locator("#verifier-scan-message").inner_text()
        page.reload()  # now controlled by the service worker, caches filled
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        page.reload()  # the page, its script, the keys and the index all come from the cache
        expect(page.locator("#verifier-cache")).to_contain_text("(de hoy)")

        def verify(typed):
            page.fill("#verifier-url", typed)
            page.get_by_role("button", name="Verificar").click()
            page.wait_for_selector("#verifier-result [data-status]")
            result = page.locator("#verifier-result")
            return result.locator("[data-status]").get_attribute("data-status"), result.inner_text()

        status, text = verify(code_display(valid.code).lower())
        assert status == "valid" and "Válido" in text
        assert "Yolimar Rodríguez Pérez" in text and valid.achievement in text
        assert "Organización Internacional del Trabajo" in text and code_display(valid.code) in text
        axe_check(page)
        screenshot(page, "certificados-verificador-codigo-corto-sin-conexion")
        page.fill("#verifier-url", "")
        status, text = verify(revoked.code)
        assert status == "revoked" and "Revocado" in text and "Ñusta Quispe Huamán" in text
        assert "Documento adulterado" not in text
        status, text = verify(code_display(code_generate()))
        assert status == "not_found" and "No encontrado" in text
    finally:
        context.close()


#: A browser QR reader (the BarcodeDetector API) that reads the QR the test put in ``window.__rutaQr``.
QR_READER = """window.BarcodeDetector = class {
    static async getSupportedFormats() { return ["qr_code"]; }
    async detect(image) { return image ? [{rawValue: window.__rutaQr}] : []; }
};"""


def test_where_the_browser_reads_qr_codes_the_verifier_offers_the_camera_and_reads_a_photo(
    browser, live_server, settings, tmp_path
):
    """The other side of «no dead camera button»: a browser with a QR reader (BarcodeDetector, stood in for here
    because this Chromium has none) gets the camera button, and a photo of the certificate's QR is verified."""
    from certification.rendering import qr_image
    from certification.services import certificate_qr_url
    from tests.certification.factories import holder, issue
    from tests.courses.test_browser import ensure_site

    ensure_site()
    settings.RUTA_BASE_URL = live_server.url
    certificate = issue(user=holder(first_name="Dayana", last_name="Muñoz Guzmán", phone="+593991234567"))
    qr_url = certificate_qr_url(certificate=certificate)
    photo = tmp_path / "qr.png"
    qr_image(qr_url).save(photo)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-EC")
    context.add_init_script(f"window.__rutaQr = {json.dumps(qr_url)};")
    context.add_init_script(QR_READER)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}{reverse('certification:offline_verifier')}")
        page.get_by_role("button", name="Escanear con la cámara").wait_for()
        assert "no puede leer códigos QR" not in page.locator("#verifier-scan-message").inner_text()
        page.locator("#verifier-scan input[type=file]").set_input_files(str(photo))
        page.wait_for_selector("#verifier-result [data-status]")
        assert page.locator("#verifier-result [data-status]").get_attribute("data-status") == "valid"
        assert "Dayana Muñoz Guzmán" in page.locator("#verifier-result").inner_text()
    finally:
        context.close()


def test_holder_saves_the_credential_to_a_wallet_by_scanning_the_qr(
    phone_page, live_server, settings, screenshot, axe_check, tmp_path
):
    """«Guardar en mi billetera»: the page's QR, read by a camera (zbarimg on a screenshot), is the wallet's
    request link; the wallet (tests/certification/node/wallet.mjs) signs for it and receives the credential."""
    from certification.models import Certificate
    from tests.browser_helpers import login
    from tests.certification.factories import holder, issue
    from tests.certification.test_wallet_exchange import post_json, wallet

    settings.RUTA_BASE_URL = live_server.url
    owner = holder(first_name="Yuliana", last_name="Briceño Rojas", phone="+51987111333")
    certificate = issue(user=owner)
    page = phone_page
    login(page, live_server, owner)
    page.goto(reverse("certification:my_certificates"))
    page.get_by_text("Credencial digital para tu billetera").click()
    page.get_by_role("button", name="Guardar en mi billetera (código QR)").click()
    page.wait_for_selector('[data-offer="open"] svg')
    axe_check(page)
    screenshot(page, "certificados-billetera-qr")
    page.locator('[data-offer="open"] [role="img"]').screenshot(path=str(tmp_path / "qr.png"))
    scanned = _run("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "qr.png")).strip()
    assert scanned == page.locator("[data-deep-link]").get_attribute("href")
    assert scanned.startswith("https://lcw.app/request.html?")

    signed = wallet(deepLink=scanned, suite="Ed25519Signature2020")
    response = post_json(Client(), signed["postTo"], signed["presentation"])
    assert response.status_code == 200, response.content
    assert response.json()["credentialSubject"]["id"] == signed["did"]
    assert Certificate.objects.get(pk=certificate.pk).holder_did == signed["did"]
    page.reload()
    assert page.locator('[data-offer="used"]').is_visible()
