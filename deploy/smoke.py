"""Smoke test of a running production stack over real HTTP (run by ``deploy/smoke_stack.sh`` in CI).

``python deploy/smoke.py http://127.0.0.1:18010`` against a stack started with ``make serve`` and seeded with
``seed_demo``. It walks what people do: the home page and catalogue; a demo participant logs in through the
login form (with its CSRF token), opens a lesson (its CSS and JS load with far-future cache headers) and answers
an activity through the lesson's own form handler (the XHR path); the verification page, the JSON API and the
admin login page answer; a certificate PDF is re-rendered by the Celery worker (never by the web process) and
downloaded by its holder. Exits non-zero on the first failure. Standard library only, plus Django's ORM (with
the stack's own environment) for the one step that needs to know the worker did the work.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

PARTICIPANT = ("participante", "ruta-demo-2026")
FAR_FUTURE = 365 * 24 * 60 * 60


class Failed(Exception):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, url: str):
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One visitor: keeps cookies (all of them: production marks them Secure, and this runs over loopback)."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        url = urljoin(self.base + "/", path)
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        sent = {"User-Agent": "ruta-smoke/1", "Accept-Language": "es", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=sent)
        raw = connection.getresponse()
        data = raw.read()
        for header in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if 'expires=Thu, 01 Jan 1970' in header or "Max-Age=0" in header:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        connection.close()
        return Response(raw.status, raw.headers, data, url)

    def get(self, path: str, **headers) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: list[tuple[str, str]], **headers) -> Response:
        body = urlencode(fields).encode()
        sent = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.base, "Referer": self.base + path}
        sent.update(headers)
        return self.request("POST", path, body=body, headers=sent)


class Page(HTMLParser):
    """Links, assets and forms of an HTML page."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[str] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.styles.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "form":
            self._form = {"attrs": a, "inputs": []}
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select") and self._form is not None:
            self._form["inputs"].append({"tag": tag, **a})

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def check(name: str, step) -> None:
    started = time.monotonic()
    step()
    print(f"ok   {name} ({time.monotonic() - started:.1f} s)")


def wait_healthy(browser: Browser, seconds: int = 120) -> None:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            response = browser.get("/healthz")
            last = f"{response.status} {response.text}"
            if response.status == 200 and json.loads(response.body)["checks"]["broker"].get("mode") == "broker":
                return
        except OSError as error:
            last = str(error)
        time.sleep(1)
    raise Failed(f"/healthz never became healthy with a real broker: {last}")


def main(base: str) -> None:
    anonymous = Browser(base)
    learner = Browser(base)
    found: dict[str, str] = {}

    check("healthz: database, cache and broker", lambda: wait_healthy(anonymous))

    def home_and_catalogue():
        for path in ("/", "/cursos/"):
            response = anonymous.get(path)
            expect(response.status == 200, f"GET {path} answered {response.status}")
            expect("<html" in response.text, f"{path} is not a page")

    check("home page and catalogue", home_and_catalogue)

    def login():
        form_page = learner.get("/accounts/login/")
        expect(form_page.status == 200, f"login page answered {form_page.status}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.text)
        expect(token is not None and "csrftoken" in learner.cookies, "the login form has no CSRF token/cookie")
        fields = [("csrfmiddlewaretoken", token.group(1)), ("login", PARTICIPANT[0]), ("password", PARTICIPANT[1])]
        response = learner.post("/accounts/login/", fields)
        expect(response.status == 302, f"login answered {response.status}: {response.text[:300]}")
        expect("sessionid" in learner.cookies, "no session cookie after logging in")
        mine = learner.get("/aprender/mis-cursos/")
        expect(mine.status == 200 and "/accounts/login/" not in mine.url, f"Mis cursos answered {mine.status}")

    check("a demo participant logs in through the login form (CSRF)", login)

    def lesson():
        # Walk from "Mis cursos" through courses and modules to a lesson with a single-answer activity.
        queue, seen = ["/aprender/mis-cursos/"], set()
        while queue and len(seen) < 60:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = learner.get(path)
            if response.status != 200:
                continue
            page = Page(response.text)
            for form in page.forms:
                if "data-activity-form" in form["attrs"] and any(i.get("type") == "radio" for i in form["inputs"]):
                    found.update(lesson=path, action=form["attrs"]["action"])
                    found["form"] = json.dumps(form["inputs"])
                    found["assets"] = json.dumps(page.styles + page.scripts)
                    return
            for link in page.links:
                if link.startswith("/cursos/") and link not in seen:
                    queue.append(link.split("#")[0])
        raise Failed(f"no lesson with a single-answer activity reachable from Mis cursos ({len(seen)} pages)")

    check("a lesson with an activity opens for the participant", lesson)

    def assets():
        assets = [a for a in json.loads(found["assets"]) if a.startswith("/static/")]
        expect(any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets), f"{assets}")
        for asset in assets:
            response = anonymous.get(asset, **{"Accept-Encoding": "gzip"})
            expect(response.status == 200, f"{asset} answered {response.status}")
            cache = response.headers.get("Cache-Control", "")
            age = re.search(r"max-age=(\d+)", cache)
            expect(age is not None and int(age.group(1)) >= FAR_FUTURE, f"{asset}: Cache-Control {cache!r}")
            expect(re.search(r"\.[0-9a-f]{12}\.(css|js)$", asset) is not None, f"{asset} has no content hash")

    check("the lesson's CSS and JS load with far-future cache headers (hashed names)", assets)

    def activity():
        inputs = json.loads(found["form"])
        fields: list[tuple[str, str]] = []
        radio_done = set()
        for field in inputs:
            name, kind = field.get("name"), field.get("type")
            if not name:
                continue
            if kind == "radio":
                if name not in radio_done:
                    fields.append((name, field.get("value", "")))
                    radio_done.add(name)
            elif kind == "hidden":
                fields.append((name, field.get("value", "")))
        fields = [(k, v) for k, v in fields if k != "submission_id"] + [("submission_id", str(uuid.uuid4()))]
        token = learner.cookies.get("csrftoken", "")
        response = learner.post(found["action"], fields, Accept="application/json", **{"X-CSRFToken": token})
        expect(response.status == 200, f"the activity answered {response.status}: {response.text[:300]}")
        data = json.loads(response.body)
        expect(data.get("ok") is True and "data-activity" in data.get("html", ""), f"unexpected answer {data}")

    check("an activity is answered through the lesson's form handler (XHR)", activity)

    def certificates():
        mine = learner.get("/certificados/mis-certificados/")
        expect(mine.status == 200, f"Mis certificados answered {mine.status}")
        codes = re.findall(r'href="/certificados/v/(\w+)/pdf"', mine.text)
        expect(bool(codes), "the participant has no certificate with a PDF link")
        found["code"] = codes[0]
        page = anonymous.get(f"/certificados/v/{codes[0]}")
        expect(page.status == 200 and codes[0] in page.text.replace("-", ""), f"verification page {page.status}")
        api = anonymous.get(f"/api/v1/certificates/{codes[0]}", Accept="application/json")
        expect(api.status == 200, f"API answered {api.status}")
        expect(json.loads(api.body).get("status") == "valid", f"API says {api.text[:200]}")

    check("verification page and API (anonymous)", certificates)

    def admin_login():
        response = anonymous.get("/admin/login/")
        expect(response.status == 200 and 'name="password"' in response.text, f"admin login {response.status}")

    check("admin login page", admin_login)

    def pdf_by_worker():
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")
        import django

        django.setup()
        from django.conf import settings

        from certification.models import Certificate, CertificateEvent
        from certification.tasks import certificate_render_pdf_task

        expect(not settings.CELERY_TASK_ALWAYS_EAGER, "tasks would run in this process, not in the worker")
        certificate = Certificate.objects.get(code=found["code"])
        rendered = CertificateEvent.objects.filter(certificate=certificate, action=CertificateEvent.Action.RENDERED)
        before = rendered.count()
        certificate_render_pdf_task.delay(certificate.pk)  # through Redis to the worker
        deadline = time.monotonic() + 90
        while rendered.count() == before and time.monotonic() < deadline:
            time.sleep(0.5)
        expect(rendered.count() == before + 1, "the worker did not re-render the PDF within 90 s")
        response = learner.get(f"/certificados/v/{found['code']}/pdf")
        expect(response.status == 200, f"PDF answered {response.status}")
        expect(response.headers.get("Content-Type") == "application/pdf", response.headers.get("Content-Type", ""))
        expect(response.body.startswith(b"%PDF-"), "not a PDF")
        expect(rendered.count() == before + 1, "the web process rendered the PDF again instead of serving the worker's")

    check("a certificate PDF rendered by the worker is downloaded by its holder", pdf_by_worker)
    print("smoke: all checks passed")


if __name__ == "__main__":
    try:
        main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
    except Failed as failure:
        print(f"FAIL {failure}", file=sys.stderr)
        sys.exit(1)
