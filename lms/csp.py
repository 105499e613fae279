"""Ruta's Content-Security-Policy: the middleware that sends it and the endpoint that hears about violations.

The policy itself is ``CONTENT_SECURITY_POLICY`` in ``lms/settings/base.py`` (django-csp 4); the reasons are in
``themes/README.md``. This module adds two things django-csp does not do:

- the Wagtail/Django admin (``RUTA_CSP_ADMIN_PREFIXES``) gets ``RUTA_CSP_ADMIN_REPLACE`` instead of the strict
  script/style sources, because Wagtail still writes inline scripts and style attributes; a page rendered for
  Wagtail's preview keeps its strict policy but may be framed by the admin (``frame-ancestors 'self'``);
- a ``Reporting-Endpoints`` header naming the report endpoint, so browsers that speak the Reporting API
  (``report-to``) and those that only know ``report-uri`` both report to ``/csp-report/``.

The endpoint keeps nothing: each violation is reduced to a few short, known fields (no query strings, no
fragments, no policy text) and logged on ``ruta.csp``; per-IP rate limit and a body size cap keep a flood out
of the logs. Responses that already carry a policy (package files, the H5P frame, evidence downloads) keep
theirs: django-csp never overwrites an existing header.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

logger = logging.getLogger("ruta.csp")

MAX_REPORTS_PER_REQUEST = 20
_FIELD_MAX = 200
_KEYWORDS = {"inline", "eval", "wasm-eval", "data", "blob", "self", "trusted-types-policy", "trusted-types-sink"}
_DIRECTIVE = re.compile(r"[a-z-]{1,40}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


#: policy text by (report only, the view's config/update/replace): without a nonce the text depends on nothing else
#: than these and the settings, so it is built once per process instead of on every response (a kept public page is
#: served in well under a millisecond, and building both policies cost about a third of that)
_POLICIES: dict[str, str] = {}
_POLICIES_MAX = 256


@receiver(setting_changed, dispatch_uid="lms.csp.settings_changed")
def _forget_policies(**kwargs: Any) -> None:
    _POLICIES.clear()


def _policy(parts: PolicyParts, *, report_only: bool) -> str:
    if parts.nonce is not None:
        return build_policy(
            config=parts.config, update=parts.update, replace=parts.replace, nonce=parts.nonce, report_only=report_only
        )
    key = repr((report_only, parts.config, parts.update, parts.replace))
    policy = _POLICIES.get(key)
    if policy is None:
        policy = build_policy(config=parts.config, update=parts.update, replace=parts.replace, report_only=report_only)
        if len(_POLICIES) < _POLICIES_MAX:
            _POLICIES[key] = policy
    return policy


class RutaCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's relaxed script/style sources and a Reporting-Endpoints header."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and parts.replace is None
            and request.path_info.startswith(tuple(settings.RUTA_CSP_ADMIN_PREFIXES))
        ):
            parts.replace = settings.RUTA_CSP_ADMIN_REPLACE
        elif not report_only and parts.replace is None and getattr(request, "is_dummy", False):
            # Wagtail's preview runs the page's own request through this middleware: the page's strict policy,
            # except that the admin's preview panel may frame it.
            parts.replace = {"frame-ancestors": ["'self'"]}
        origin = getattr(settings, "RUTA_PACKAGE_ORIGIN", "")
        if origin and parts.config is None:
            # Package players and the offline download helper are frames on the package origin (content/packages).
            parts.update = {**(parts.update or {}), "frame-src": [origin]}
        return parts

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        """django-csp's own steps (its ``process_response``), with each policy's text built once per process."""
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # Django's debug pages
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
            text = _policy(parts, report_only=report_only)
            if not text or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = text
        if getattr(request, "_csp_nonce", None) is None:
            # The header is written: a nonce asked for from now on could not be in it (django-csp raises then).
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        policy = response.get("Content-Security-Policy", "")
        if "report-to" in policy and "Reporting-Endpoints" not in response:
            response["Reporting-Endpoints"] = f'{settings.RUTA_CSP_REPORT_GROUP}="{settings.RUTA_CSP_REPORT_URL}"'
        return response


def _text(value: Any, limit: int = _FIELD_MAX) -> str:
    return _CONTROL.sub(" ", str(value))[:limit] if value not in (None, "") else ""


def _url(value: Any) -> str:
    """A URL without its query and fragment (reset keys, tokens, a certificate's QR payload live there)."""
    text = _text(value, 2048).strip()
    if not text or text in _KEYWORDS:
        return text
    try:
        parts = urlsplit(text)
    except ValueError:
        return "?"
    if parts.scheme in ("data", "blob"):
        return parts.scheme
    if not parts.scheme:
        return _text(parts.path)
    return _text(f"{parts.scheme}://{parts.netloc}{parts.path}")


def _int(value: Any) -> int | None:
    try:
        return max(0, min(int(value), 10_000_000))
    except (TypeError, ValueError):
        return None


def _directive(value: Any) -> str:
    first = _text(value, 100).strip().split(" ", 1)[0].lower()
    return first if _DIRECTIVE.fullmatch(first) else "?"


def _summary(body: dict[str, Any], *, legacy: bool) -> dict[str, Any]:
    """The few fields worth keeping from one violation, whatever the browser sent besides."""

    def pick(new: str, old: str) -> Any:
        return body.get(old if legacy else new)

    return {
        "directive": _directive(pick("effectiveDirective", "effective-directive") or body.get("violated-directive")),
        "blocked": _url(pick("blockedURL", "blocked-uri")),
        "document": _url(pick("documentURL", "document-uri")),
        "source": _url(pick("sourceFile", "source-file")),
        "line": _int(pick("lineNumber", "line-number")),
        "column": _int(pick("columnNumber", "column-number")),
        "sample": _text(pick("sample", "script-sample"), 80),
        "disposition": "report" if pick("disposition", "disposition") == "report" else "enforce",
    }


def parse_reports(payload: Any) -> list[dict[str, Any]]:
    """Summaries of the CSP violations in a ``report-uri`` body (one ``csp-report`` object) or a Reporting API
    body (a list of reports, of which only ``csp-violation`` ones count); anything else gives nothing."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [_summary(payload["csp-report"], legacy=True)]
    if isinstance(payload, list):
        return [
            _summary(item["body"], legacy=False)
            for item in payload[:MAX_REPORTS_PER_REQUEST]
            if isinstance(item, dict) and item.get("type") == "csp-violation" and isinstance(item.get("body"), dict)
        ]
    return []


def _report_rate(group: str, request: HttpRequest) -> str:
    return settings.RUTA_CSP_REPORT_RATE


@csrf_exempt  # browsers send reports without cookies or tokens; the view changes nothing
@require_POST
@ratelimit(group="csp-report", key="ip", rate=_report_rate, block=False)
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log the violations a browser reports (``report-uri`` JSON or Reporting API ``report-to``); store nothing."""
    if getattr(request, "limited", False):
        return HttpResponse(status=429)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.RUTA_CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        return HttpResponse(status=400)
    reports = parse_reports(payload)
    if not reports:
        return HttpResponse(status=400)
    for report in reports:
        logger.warning("CSP violation %s", json.dumps(report, ensure_ascii=True, sort_keys=True))
    return HttpResponse(status=204)
