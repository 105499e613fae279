"""Every page a person reaches from the menus sends the strict Content-Security-Policy, and holds nothing it
would block (inline scripts/styles without the nonce, event handlers, style attributes).

The demo (``seed_demo``) is built once for this module inside a transaction that is rolled back at the end.
Each role starts at its menu (and the home page its README names) and follows same-origin links three clicks
deep; the admin starts from every item of Wagtail's main menu and its submenus.
"""

from __future__ import annotations

import io
import re
from collections import deque

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, RequestFactory

from lms.accounts.models import User
from tests.csp_checks import links, policy_problems

SKIP = re.compile(
    r"^/(i18n/|jsi18n/|accounts/logout|static/|media/|documents/|paquetes/.+/archivos/|csp-report/)"
    r"|\.(pdf|png|jpe?g|webp|svg|json|csv|xlsx|zip|js|webmanifest)$"
    r"|/(pdf|descargar|exportar|export|download)(/|$|\?)",
    re.IGNORECASE,
)
MAX_PAGES = 120

ROLE_STARTS = {
    "anonymous": (
        None,
        [
            "/",
            "/cursos/",
            "/certificados/verificar/",
            "/certificados/verificador/",
            "/facilitadores/registro/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
        ],
    ),
    "participant": ("participante", ["/"]),
    "trainer": ("facilitadora", ["/", "/grupos/"]),
    "evaluator": ("evaluadora", ["/", "/competencias/evaluacion/"]),
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)
        with transaction.atomic():
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
            match = re.search(r"(/certificados/v/\w+)", out.getvalue())
            yield {"certificate": match.group(1) if match else None}
            transaction.set_rollback(True)


def crawl(client: Client, starts: list[str], *, inside: tuple[str, ...] = ("/",), depth: int = 3):
    """Breadth-first over same-origin links; returns ({path: problems}, number of HTML pages checked)."""
    seen: set[str] = set()
    queue = deque((path, 0) for path in starts)
    problems: dict[str, list[str]] = {}
    checked = 0
    while queue and checked < MAX_PAGES:
        path, level = queue.popleft()
        if path in seen or SKIP.search(path.split("?", 1)[0]) or not path.startswith(inside):
            continue
        seen.add(path)
        response = client.get(path, follow=True)
        if response.redirect_chain:
            path = response.redirect_chain[-1][0].split("#", 1)[0]
            if path in seen or not path.startswith(inside):
                continue
            seen.add(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        found = policy_problems(path, response)
        if found:
            problems[path] = found
        if level < depth:
            queue.extend((link, level + 1) for link in links(response) if link not in seen)
    return problems, checked


@pytest.mark.parametrize("role", list(ROLE_STARTS))
def test_every_page_a_role_reaches_from_the_menus_sends_the_strict_policy(demo, role, db):
    username, starts = ROLE_STARTS[role]
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    if role == "anonymous" and demo["certificate"]:
        starts = [*starts, demo["certificate"]]
    problems, checked = crawl(client, starts)
    assert checked >= 6, f"only {checked} pages reached for {role}"
    assert problems == {}, "\n".join(p for found in problems.values() for p in found[:5])


def _admin_menu_urls(user) -> list[str]:
    from wagtail.admin.menu import SubmenuMenuItem, admin_menu

    request = RequestFactory().get("/admin/")
    request.user = user
    urls, menus = [], [admin_menu]
    while menus:
        for item in menus.pop().menu_items_for_request(request):
            if isinstance(item, SubmenuMenuItem):
                menus.append(item.menu)
            elif item.url.startswith("/admin/"):
                urls.append(item.url)
    return urls


def test_every_admin_page_from_the_menu_sends_the_admin_policy(demo, db):
    admin = User.objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    starts = ["/admin/", *_admin_menu_urls(admin)]
    assert len(starts) >= 8
    problems, checked = crawl(client, starts, inside=("/admin/",), depth=1)
    assert checked >= 20
    assert problems == {}, "\n".join(p for found in problems.values() for p in found[:5])
