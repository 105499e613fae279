import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_is_in_spanish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="es"' in response.text
    assert "Aprende a tu ritmo" in response.text


def test_language_switch_turns_the_site_english_and_back(client):
    response = client.get(reverse("language"), {"language": "en", "next": "/"}, follow=True)
    assert 'lang="en"' in response.text
    assert "Learn at your own pace" in response.text
    assert "Cambiar idioma" in client.get("/").text or "Español" in client.get("/").text
    response = client.get(reverse("language"), {"language": "es", "next": "/"}, follow=True)
    assert "Aprende a tu ritmo" in response.text


def test_language_switch_refuses_other_sites_and_unknown_languages(client):
    response = client.get(reverse("language"), {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "django_language" not in response.cookies
    assert 'lang="es"' in client.get("/").text


def test_theme_colours_stylesheet_echoes_only_colours(client):
    response = client.get(reverse("theme_colours"), {"p": "#123456", "a": "red;}body{display:none"})
    assert response["Content-Type"].startswith("text/css")
    assert response.text == ":root{--primary:#123456;--accent:#B45309}"
    assert "immutable" in response["Cache-Control"]


def test_every_page_offers_the_language_switch(client):
    for url in ["/", reverse("account_login"), reverse("account_signup"), "/no-existe/"]:
        response = client.get(url)
        assert 'name="language"' in response.text, url


def test_not_found_page_is_in_spanish(client):
    response = client.get("/esta-pagina-no-existe/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.text


def test_error_pages_render(client, rf):
    from themes import views

    request = rf.get("/")
    request.user = None
    for view, code in [(views.bad_request, 400), (views.permission_denied, 403)]:
        assert view(request).status_code == code


def test_healthz_reports_database_cache_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
