"""Account pages on a phone: sign-up without e-mail, then every "Mi cuenta" page passes axe and fits 360 px."""

import pytest

from lms.accounts.models import Role, User
from tests.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_sign_up_by_phone_and_visit_my_account_pages(phone_page, screenshot, axe_check):
    page = phone_page
    page.goto("/accounts/signup/")
    assert page.locator("html").get_attribute("lang") == "es"
    axe_check(page)
    _fits(page)
    screenshot(page, "signup-360")
    # Labels carry Django's ":" suffix; every field is reachable by its label (axe checks that), so ids suffice.
    page.locator("#id_username").fill("yolimar")
    page.locator("#id_password1").fill("Caminante-2026")
    page.locator("#id_password2").fill("Caminante-2026")
    page.get_by_label("Número de celular (opcional)").fill("987 654 321")
    page.get_by_label("Nombres (opcional)").fill("Yolimar")
    page.get_by_label("Acepto las condiciones de uso").check()
    page.get_by_role("button", name="Crear mi cuenta").click()
    page.wait_for_load_state()
    assert User.objects.get(username="yolimar").phone == "+51987654321"

    for path, name in [
        ("/cuenta/", "my-account"),
        ("/cuenta/perfil/", "profile"),
        ("/cuenta/consentimientos/", "consent"),
        ("/cuenta/celular/", "phone"),
        ("/cuenta/eliminar/", "delete-account"),
        ("/accounts/password/change/", "password-change"),
    ]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "es", path
        axe_check(page)
        _fits(page)
        screenshot(page, f"account-{name}-360")


def test_password_reset_and_helper_pages(phone_page, screenshot, axe_check):
    page = phone_page
    page.goto("/accounts/password/reset/")
    axe_check(page)
    _fits(page)
    screenshot(page, "password-reset-360")

    ngo = InstitutionFactory()
    trainer = MembershipFactory(institution=ngo, role=Role.TRAINER, user=UserFactory(username="facilitadora")).user
    participant = UserFactory(username="rosa", first_name="Rosa", last_name="Quispe", created_by_institution=ngo)
    MembershipFactory(institution=ngo, role=Role.PARTICIPANT, user=participant)
    page.goto("/accounts/login/")
    page.get_by_label("Usuario, correo o número de celular").fill(trainer.username)
    page.locator("#id_password").fill("clave-segura-123")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()
    page.goto("/cuenta/ayudar/?q=rosa")
    axe_check(page)
    _fits(page)
    page.get_by_role("link", name="Rosa Quispe").click()
    page.get_by_role("button", name="Crear contraseña temporal").click()
    page.wait_for_load_state()
    password = page.locator(".temporary-password").inner_text()
    axe_check(page)
    screenshot(page, "helper-reset-done-360")
    participant.refresh_from_db()
    assert participant.check_password(password)
