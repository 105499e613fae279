"""What "a strict Content-Security-Policy" means for one HTML response, shared by the CSP tests.

``policy_problems(response)`` parses the header and the page: the header must be Ruta's strict policy (or the
admin's documented variant), and the page must contain nothing that policy would block — every inline
``<script>``/``<style>`` carries this response's nonce, no ``on*=`` handler, no ``style=""`` attribute, no
``javascript:`` link. So a failure names the template to fix, before any browser has to find it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.conf import settings

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template", "text/x-template"}


def parse_policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


class _PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline_scripts: list[str | None] = []  # the nonce of each executable inline script
        self.styles: list[str | None] = []
        self.handlers: list[str] = []
        self.style_attrs: list[str] = []
        self.js_links: list[str] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in list(values.items())[:4])}>"[:160]
        for name in values:
            if name.startswith("on"):
                self.handlers.append(where)
            if name == "style":
                self.style_attrs.append(where)
        for name in ("href", "src", "action", "formaction"):
            if values.get(name, "").strip().lower().startswith("javascript:"):
                self.js_links.append(where)
        if tag == "script":
            kind = values.get("type", "").strip().lower()
            executable = kind in ("", "text/javascript", "module", "application/javascript")
            self._in_script = values if executable and "src" not in values else None
        elif tag == "style":
            self.styles.append(values.get("nonce"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script is not None:
            self.inline_scripts.append(self._in_script.get("nonce"))
            self._in_script = None


def policy_problems(path: str, response) -> list[str]:
    """Everything that keeps this HTML response from being strictly protected (empty when it is)."""
    header = response.get("Content-Security-Policy")
    if not header:
        return [f"{path}: no Content-Security-Policy header"]
    policy = parse_policy(header)
    problems: list[str] = []
    admin = path.startswith(ADMIN_PREFIXES)

    def need(directive: str, expected: list[str]) -> None:
        if sorted(policy.get(directive, [])) != sorted(expected):
            problems.append(f"{path}: {directive} is {policy.get(directive)!r}, expected {expected!r}")

    need("object-src", ["'none'"])
    need("base-uri", ["'none'"])
    need("form-action", ["'self'"])
    need("default-src", ["'self'"])
    need("frame-ancestors", ["'self'"] if admin else ["'none'"])
    need("report-uri", [settings.RUTA_CSP_REPORT_URL])
    need("report-to", [settings.RUTA_CSP_REPORT_GROUP])
    if settings.RUTA_CSP_REPORT_GROUP not in response.get("Reporting-Endpoints", ""):
        problems.append(f"{path}: no Reporting-Endpoints header for report-to")
    for directive in ("script-src", "style-src", "default-src", "connect-src", "frame-src", "img-src"):
        for source in policy.get(directive, []):
            if source in ("*", "http:", "https:", "data:", "'unsafe-eval'", "'unsafe-hashes'", "'strict-dynamic'"):
                problems.append(f"{path}: {directive} allows {source}")
    if admin:
        return problems  # the admin's relaxed script/style sources are documented in themes/README.md

    nonces = {s[len("'nonce-") : -1] for s in policy.get("script-src", []) if s.startswith("'nonce-")}
    style_nonces = {s[len("'nonce-") : -1] for s in policy.get("style-src", []) if s.startswith("'nonce-")}
    for directive in ("script-src", "style-src"):
        extra = [s for s in policy.get(directive, []) if s != "'self'" and not s.startswith("'nonce-")]
        if extra:
            problems.append(f"{path}: {directive} allows {extra}")
    if "style-src-attr" in policy or "script-src-attr" in policy:
        problems.append(f"{path}: *-src-attr directives loosen the policy")

    scan = _PageScan()
    scan.feed(response.content.decode(response.charset or "utf-8", "replace"))
    problems += [f"{path}: inline script without this response's nonce" for n in scan.inline_scripts if n not in nonces]
    problems += [f"{path}: <style> without this response's nonce" for n in scan.styles if n not in style_nonces]
    problems += [f"{path}: inline event handler {w}" for w in scan.handlers]
    problems += [f"{path}: style attribute {w}" for w in scan.style_attrs]
    problems += [f"{path}: javascript: URL {w}" for w in scan.js_links]
    return problems


_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"'#]+)""", re.IGNORECASE)


def links(response) -> list[str]:
    """Same-origin paths linked from an HTML response (fragments dropped)."""
    html = response.content.decode(response.charset or "utf-8", "replace")
    found = []
    for href in _HREF.findall(html):
        href = href.strip().replace("&amp;", "&")
        if href.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE):
            if href.startswith(("http://testserver/", "http://localhost/")):
                href = "/" + href.split("/", 3)[3]
            else:
                continue
        if href.startswith("/"):
            found.append(href)
    return found
