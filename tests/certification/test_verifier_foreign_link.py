"""Audit fix: the offline verifier checks a link's signed data wherever the link points, but a genuine
certificate pasted behind another site's address (a phishing QR) is never shown as a plain «Válido»."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, url):
    # The result of the link checked before stays on the page until the new one is drawn (the check is async): wait
    # for a new result, not for the old one.
    page.evaluate("document.getElementById('verifier-result').replaceChildren()")
    page.fill("#verifier-url", url)
    page.get_by_role("button", name="Verificar").click()
    page.wait_for_selector("#verifier-result [data-status]")
    result = page.locator("#verifier-result")
    return result.locator("[data-status]").get_attribute("data-status"), result.inner_text()


def test_a_genuine_certificate_behind_another_sites_link_is_flagged(phone_page, live_server, screenshot, axe_check):
    from certification.services import certificate_qr_url
    from tests.certification.factories import holder, issue
    from tests.courses.test_browser import ensure_site

    ensure_site()
    certificate = issue(user=holder(first_name="Yolimar", last_name="Rodríguez Pérez", phone="+51987111222"))
    genuine = certificate_qr_url(certificate=certificate)  # on the issuer's site (RUTA_BASE_URL), not this server
    assert genuine.startswith("https://ruta.example.org/certificados/v/")
    page = phone_page
    page.goto(reverse("certification:offline_verifier"))
    page.wait_for_function("() => document.getElementById('verifier-cache').textContent.length > 0")

    # The issuer's own link and this site's: plainly valid, no warning.
    this_site = live_server.url + urlsplit(genuine).path + "#" + urlsplit(genuine).fragment
    for url in (genuine, this_site):
        status, text = _check(page, url)
        assert status == "valid", url
        assert "no es de este sitio" not in text
        assert page.locator("#verifier-result [data-origin]").count() == 0

    # The same signed data behind evil.example: the data checks out, but the page warns and says so.
    phishing = genuine.replace("https://ruta.example.org", "https://evil.example")
    status, text = _check(page, phishing)
    assert status == "valid_foreign"
    assert "Válido" not in text
    assert "Este enlace no es de este sitio: lleva a evil.example" in text
    assert "Yolimar Rodríguez Pérez" in text
    assert page.locator("#verifier-result [data-origin=foreign]").is_visible()
    axe_check(page)
    screenshot(page, "certificados-verificador-enlace-ajeno")
