"""Shared fixtures. Factories live in ``tests/<app>/factories.py``; small SCORM/H5P/OLX packages are built by
``tests/fixtures/packages.py``; conformance tests against the shared corpus are marked ``corpus``."""

import os

import pytest
from django.core.management import call_command

from tests.corpus import CORPUS, SKIP_REASON, corpus_present


def pytest_configure(config):
    config.addinivalue_line("markers", "corpus: conformance test against the shared corpus (../shared/corpus)")
    if os.environ.get("RUTA_REQUIRE_CORPUS") == "1" and not corpus_present():
        raise pytest.UsageError(
            f"RUTA_REQUIRE_CORPUS=1 but the shared corpus is missing at {CORPUS}: the corpus conformance tests "
            "must run here (put shared/ beside the repository or set RUTA_CORPUS)."
        )


def pytest_report_header(config):
    return f"shared corpus: {CORPUS} ({'present' if corpus_present() else 'absent: corpus tests are skipped'})"


def pytest_collection_modifyitems(config, items):
    if corpus_present():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.get_closest_marker("corpus") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _eager_tasks_unless_worker(request):
    """Unit tests run Celery tasks in-process, also in CI's PostgreSQL + Redis run; only tests marked
    ``worker`` send them to the real worker that .ci/run starts (DESIGN.md: tasks eager in unit tests)."""
    from lms.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("worker") is None or previous
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _signal_gate(request):
    """Browser tests that cut the phone's signal also make the live server unreachable meanwhile
    (``tests.browser_helpers.signal``); every test starts and ends with the signal up, and ends only when the live
    server has answered every request its pages left on their way."""
    from tests.browser_helpers import NO_SIGNAL, gate_live_server, wait_for_live_server_idle

    NO_SIGNAL.clear()
    live = "live_server" in request.fixturenames
    if live:
        gate_live_server(request.getfixturevalue("live_server"))
    yield
    NO_SIGNAL.clear()
    if live:
        # The test's pages are closed by now; the database is flushed after this, never under a request.
        wait_for_live_server_idle()


@pytest.fixture(autouse=True)
def _cache_table(db):
    """The database cache table (the default cache without Redis) exists in every test database."""
    call_command("createcachetable", verbosity=0)
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    # A test that made a content type inside its rolled-back transaction (e.g. the admin listing every page type)
    # would leave its id in the manager's process-wide cache: start every test from the database's own rows.
    ContentType.objects.clear_cache()

    cache.clear()  # also the themes cached by an earlier test, which may name rows rolled back since
    from lms.pagecache import forget_local

    forget_local()  # and what this process keeps beside it
    _ensure_wagtail_site()


def _ensure_wagtail_site():
    """Wagtail's migrations create the tree root and a default site; a transactional test's flush removes them.

    Recreate them so every test starts from what a freshly migrated database holds.
    """
    from wagtail.models import Locale, Page, Site

    if Site.objects.filter(is_default_site=True).exists():
        return
    Locale.objects.get_or_create(language_code="es")
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.get_children().first() or root.add_child(instance=Page(title="Inicio", slug="inicio"))
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Ruta")


@pytest.fixture
def private_root(settings, tmp_path):
    """The private storage (packages, evidence, rosters, certificates) in a fresh folder for this test."""
    root = tmp_path / "private"
    private = settings.STORAGES.get("private", {"BACKEND": "django.core.files.storage.FileSystemStorage"})
    options = {**private.get("OPTIONS", {}), "location": str(root)}
    settings.STORAGES = {**settings.STORAGES, "private": {**private, "OPTIONS": options}}
    return root


@pytest.fixture
def user(db):
    from tests.lms.accounts.factories import UserFactory

    return UserFactory()


# --- Browser journeys (headless Debian Chromium through Playwright; never a downloaded browser) ---

ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parent.parent / "test-artifacts"

# Every browser context reports Content-Security-Policy violations here; a journey with any of them fails
# (themes/README.md: the policy is enforced in the journeys, never switched off for them).
_CSP_VIOLATIONS: list[str] = []
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  try {
    window.__rutaCspViolation([e.effectiveDirective, e.blockedURI, e.documentURI, e.sourceFile + ":" + e.lineNumber,
                               e.sample].join(" | "));
  } catch (err) { /* the binding is gone while the context closes */ }
}, true);
"""


def _watch_csp(context):
    """A securitypolicyviolation listener in every frame (init script) plus Chromium's console messages, which
    also catch what happens with JavaScript off and the policy's own syntax errors."""
    context.expose_binding("__rutaCspViolation", lambda source, text: _CSP_VIOLATIONS.append(f"event: {text}"))
    context.add_init_script(_CSP_LISTENER)

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            _CSP_VIOLATIONS.append(f"console: {message.text[:400]}")

    context.on("console", on_console)
    return context


@pytest.fixture
def csp_violations():
    """The violations the browser reported so far in this test; a test that provokes one on purpose clears it."""
    return _CSP_VIOLATIONS


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Fails any test that drove a browser (phone_page, desktop_page or its own context) into a CSP violation."""
    if "browser" not in request.fixturenames:
        yield
        return
    _CSP_VIOLATIONS.clear()
    yield
    found = list(dict.fromkeys(_CSP_VIOLATIONS))
    _CSP_VIOLATIONS.clear()
    if found:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(found[:20]), pytrace=False)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session. Fails (never skips) when Chromium is missing."""
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM is still used synchronously.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.fail("Debian's chromium is not installed: run `make system-deps`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        new_context = browser.new_context
        browser.new_context = lambda *args, **kwargs: _watch_csp(new_context(*args, **kwargs))
        yield browser
        browser.close()


def close_context(context):
    """Close a test's browser context once its pages have left: a package still loading in a frame (its launch page
    asks "resume where you left off?") can open a dialog while the context closes, and Chromium then never finishes
    closing it (seen with the SCORM golf course: the test ended while its frame loaded again)."""
    from contextlib import suppress

    from playwright.sync_api import Error as PlaywrightError

    for page in list(context.pages):
        with suppress(PlaywrightError):  # a page that cannot leave is closed as it is
            page.goto("about:blank", timeout=10_000)
    context.close()


def new_phone_page(browser, **options):
    """A page in a fresh 360×740 phone-sized context of ``browser``, Spanish locale (``options`` go to the context)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-PE", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def phone_page(browser, live_server):
    """A page in a fresh 360×740 phone-sized context, Spanish locale, pointed at the live server."""
    page = new_phone_page(browser, base_url=live_server.url, accept_downloads=True)
    yield page
    close_context(page.context)


@pytest.fixture
def desktop_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    close_context(context)


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves test-artifacts/screenshots/name.png (full page)."""

    def take(page, name: str):
        folder = ARTIFACTS / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_check():
    """``axe_check(page)`` runs axe-core (bundled with axe-playwright-python) and fails on serious/critical."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        assert not bad, "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in bad
        )
        return results

    return check


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Tables for the test-only models of the collected test packages (tests/content's activity pages). They are
    registered as soon as their package is collected, so any page deletion in any test cascades into them: they must
    exist for the whole session, whichever test asks for the database first."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    with django_db_blocker.unblock():
        existing = set(connection.introspection.table_names())
        models = [model for model in apps.get_models() if model.__module__.startswith("tests.")]
        with connection.schema_editor() as editor:
            for model in models:
                if model._meta.db_table not in existing:  # --reuse-db keeps them
                    editor.create_model(model)
        for model in models:
            ContentType.objects.get_for_model(model)  # committed, so the manager's cache stays valid
