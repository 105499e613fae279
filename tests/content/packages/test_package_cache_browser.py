"""Data cost on a prepaid phone: a learner who comes back to a lesson does not download its package again.

Real corpus packages (H5P Drag and Drop, Question Set; the SCORM 1.2 golf course) played twice in a 360×740
Chromium context by the same learner, counting what the live server sent. A second render within the token's window
gives the same package file addresses (content/packages/views.py), so:

- with a package origin (README's recommended set-up, here two hosts of one site), the browser's HTTP cache serves
  every package file: the second visit costs the lesson page and a bodiless 304 for the H5P frame / SCORM launch page;
- on Ruta's own host, the frame is sandboxed without ``allow-same-origin``: its documents have an opaque origin, and
  Chromium's cache is never used for what an opaque origin loads (its network isolation key is transient), so the
  files inside travel again whatever their headers. The addresses are still stable and the frame itself is a 304.

The figures are printed with ``-s`` and recorded in content/packages/README.md («Data cost of a second visit»).
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.test import Client

from content.packages.archive import open_archive
from content.packages.services import content_package_store
from tests.conftest import close_context, new_phone_page
from tests.corpus import CORPUS, corpus
from tests.lms.accounts.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.content.packages.player_urls"),
    corpus,
]

PACKAGE_FILE = re.compile(r"/paquetes/[0-9a-f-]{36}/[^/]+/(archivos|h5p)/")


@dataclass
class Served:
    """What the server sent (the live server's WSGI application wrapped): what a phone pays for."""

    hits: list[tuple[str, int, int]] = field(default_factory=list)  # (path, status, body bytes as sent, gzipped)

    def package(self) -> list[tuple[str, int, int]]:
        return [hit for hit in self.hits if PACKAGE_FILE.search(hit[0])]

    def summary(self) -> str:
        package = self.package()
        return (
            f"{len(self.hits)} requests / {sum(h[2] for h in self.hits) / 1024:.0f} KB in all; "
            f"package files {len(package)} / {sum(h[2] for h in package) / 1024:.0f} KB"
        )


@contextmanager
def _served(live_server):
    served = Served()
    httpd = live_server.thread.httpd
    application = httpd.get_app()

    def counting(environ, start_response):
        status = []

        def starting(code, headers, exc_info=None):
            status.append(int(code.split()[0]))
            return start_response(code, headers, exc_info)

        body = application(environ, starting)
        size = 0
        try:
            for chunk in body:
                size += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
            served.hits.append((environ.get("PATH_INFO", ""), status[0] if status else 0, size))

    httpd.set_app(counting)
    try:
        yield served
    finally:
        httpd.set_app(application)


def _visit(page, live_server, url: str, ready) -> Served:
    with _served(live_server) as served:
        page.goto(url)
        ready(page)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)
    return served


def _package(relative: str, engine: str):
    with open_archive(CORPUS / relative) as archive:
        return content_package_store(archive=archive, engine=engine, title=relative.rsplit("/", 1)[-1])


def _h5p_ready(page):
    page.frame_locator("iframe.package-activity__frame").locator(".h5p-content").first.wait_for(timeout=20_000)


def _scorm_ready(page):
    page.frame_locator("iframe.package-activity__frame").locator("body").first.wait_for(timeout=20_000)


CASES = [
    ("h5p/H5P.DragQuestion.h5p", "h5p", "h5p.json", _h5p_ready),
    ("h5p/H5P.QuestionSet.h5p", "h5p", "h5p.json", _h5p_ready),
    ("scorm12/golf_RuntimeBasicCalls_SCORM12.zip", "scorm12", "shared/launchpage.html", _scorm_ready),
]


@pytest.fixture(params=["package-origin", "ruta-host"])
def origin(request, settings, live_server):
    """Ruta's origin, with packages on a package origin of the same site (as README recommends), or on Ruta's host."""
    port = live_server.url.rsplit(":", 1)[1]
    if request.param == "ruta-host":
        return live_server.url
    ruta, packages = f"http://ruta.sitio.localhost:{port}", f"http://paquetes.sitio.localhost:{port}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".sitio.localhost"]
    settings.RUTA_BASE_URL = ruta
    settings.RUTA_PACKAGE_ORIGIN = packages
    return ruta


@pytest.mark.parametrize(("relative", "engine", "launch", "ready"), CASES, ids=["drag", "question-set", "golf"])
def test_a_second_visit_downloads_no_package_file_again(browser, live_server, origin, relative, engine, launch, ready):
    from content.packages.views import TOKEN_WINDOW, token_window_start

    left = token_window_start() + TOKEN_WINDOW - time.time()
    if left < 90:  # both visits inside one token window: wait for the next one to begin
        time.sleep(left + 1)
    package = _package(relative, engine)
    learner = UserFactory(first_name="Yésica", last_name="Ñañez")
    client = Client()
    client.force_login(learner)
    page = new_phone_page(browser)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": origin}])
    try:
        url = f"{origin}/prueba-paquete/{package.uuid}/?launch={launch}"
        first = _visit(page, live_server, url, ready)
        page.goto("about:blank")
        page.wait_for_timeout(1500)  # a later visit: a token signed with the current second would differ
        second = _visit(page, live_server, url, ready)
    finally:
        close_context(page.context)
    print(f"\n{origin} {relative}\n  first visit:  {first.summary()}\n  second visit: {second.summary()}")
    assert first.package(), "the first visit loads the package"
    # The same addresses: a second render for the same learner within the window signs the same token.
    assert {path for path, _status, _size in second.package()} <= {path for path, _status, _size in first.package()}
    # The H5P frame and the SCORM launch page (Ruta writes into them) are asked again, and come back empty.
    opened = "/h5p/" if engine == "h5p" else f"/archivos/{launch}"
    launched = [hit for hit in second.package() if hit[0].endswith(opened)]
    assert launched and all(status == 304 and size == 0 for _path, status, size in launched), launched
    if origin != live_server.url:
        # On the package origin the frame has a real origin, and the browser's cache serves the package's files.
        again = [(path, status, size) for path, status, size in second.package() if status != 304]
        assert again == [], f"package files downloaded again on the second visit: {again}"
