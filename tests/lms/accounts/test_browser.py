"""Account pages on a phone: sign-up without e-mail, then every "Mi cuenta" page passes axe and fits 360 px."""

import pytest

from lms.accounts.models import Role, User
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _sign_up(page, first_name, last_name, phone):
    page.goto("/accounts/signup/")
    # Labels carry Django's ":" suffix; every field is reachable by its label (axe checks that), so ids suffice.
    page.get_by_label("Nombres").fill(first_name)
    page.get_by_label("Apellidos").fill(last_name)
    page.get_by_label("Número de celular").fill(phone)
    page.locator("#id_password1").fill("Caminante-2026")
    page.locator("#id_password2").fill("Caminante-2026")
    page.get_by_label("Acepto las condiciones de uso").check()
    page.get_by_role("button", name="Crear mi cuenta").click()
    page.wait_for_load_state()


def _log_out(page):
    page.get_by_role("button", name="Salir").click()
    page.wait_for_load_state()


def _log_in(page, typed):
    page.get_by_role("link", name="Entrar").first.click()
    page.wait_for_load_state()
    page.get_by_label("Número de celular, correo o usuario").fill(typed)
    page.locator("#id_password").fill("Caminante-2026")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("country", "first", "last", "typed", "stored", "other_formats"),
    [
        ("ec", "Dayana", "Muñoz Guzmán", "099 123 4567", "+593991234567", ["+593 99 123 4567", "0991234567"]),
        ("pe", "Ángela", "Quispe Ñahui", "987 654 321", "+51987654321", ["+51 987 654 321", "987654321"]),
    ],
)
def test_sign_up_with_a_phone_log_out_and_back_in_typing_it_every_way(
    phone_page, screenshot, axe_check, country, first, last, typed, stored, other_formats
):
    page = phone_page
    page.goto("/accounts/signup/")
    assert page.locator("#id_username").count() == 0  # nobody is asked to invent a username
    _sign_up(page, first, last, typed)
    # the same answer whether or not the number already had an account: nobody learns who is registered
    assert page.get_by_role("heading", name="Ahora entra a Ruta").is_visible()
    user = User.objects.get(phone=stored)
    assert user.printed_name == f"{first} {last}"
    assert user.email == ""
    axe_check(page)
    _fits(page)
    screenshot(page, f"signup-done-{country}-360")
    for number, login in enumerate([typed, *other_formats]):
        if number:
            _log_out(page)
        _log_in(page, login)
        assert page.url.endswith("/aprender/mis-cursos/"), (login, page.url)
        assert page.get_by_role("link", name="Mi cuenta").count() >= 1
    screenshot(page, f"login-mis-cursos-{country}-360")


def test_sign_up_by_phone_and_visit_my_account_pages(phone_page, screenshot, axe_check):
    page = phone_page
    page.goto("/accounts/signup/")
    assert page.locator("html").get_attribute("lang") == "es"
    axe_check(page)
    _fits(page)
    screenshot(page, "signup-360")
    _sign_up(page, "Yolimar", "Rodríguez", "987 654 321")
    assert User.objects.get(first_name="Yolimar").phone == "+51987654321"
    _log_in(page, "987 654 321")

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
    page.get_by_label("Número de celular, correo o usuario").fill(trainer.username)
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
