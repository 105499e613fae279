"""Public verification (page, JSON API, short-code form), downloads, JWKS, the offline verifier, and the
holder's «Mis certificados». Views parse, call a selector or service, and shape the output; no rules here.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from lms.files import harden

from . import selectors, services
from .codes import code_normalize

NOINDEX = "noindex, nofollow"


def verify_rate(group, request) -> str:
    return settings.RUTA_VERIFY_RATE


def _limited(request) -> HttpResponse | None:
    if getattr(request, "limited", False):
        response = render(request, "certification/429.html", status=429)
        response["Retry-After"] = "60"
        response["X-Robots-Tag"] = NOINDEX
        return response
    return None


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = NOINDEX
    return response


rate_limited = ratelimit(group="certification-verify", key="ip", rate=verify_rate, block=False)


@require_GET
@rate_limited
def verify_form(request):
    if limited := _limited(request):
        return limited
    typed = request.GET.get("codigo", "").strip()
    error = ""
    if typed:
        code = code_normalize(typed)
        if code is not None:
            return redirect("certification:verify", code=code)
        error = _(
            "Ese código no es válido. Revisa que tenga 16 caracteres más el carácter de control "
            "(por ejemplo 7K3M-Q9XD-2HBW-R4TE-J)."
        )
    return _noindex(render(request, "certification/verify_form.html", {"typed": typed, "error": error}))


@require_GET
@rate_limited
def verify(request, code: str):
    if limited := _limited(request):
        return limited
    verification = selectors.certificate_verification_get(code=code)
    if verification.found and verification.code != code:
        return redirect("certification:verify", code=verification.code)
    context = {"v": verification, "certificate": verification.certificate}
    if verification.certificate is not None and verification.status in ("valid", "expired"):
        context["share"] = selectors.certificate_share_links(certificate=verification.certificate)
    status = 404 if verification.status == "not_found" else 200
    return _noindex(render(request, "certification/verify.html", context, status=status))


@require_GET
@rate_limited
def api_certificate(request, code: str):
    if getattr(request, "limited", False):
        response = JsonResponse({"error": _("Demasiadas consultas. Espera un minuto.")}, status=429)
        response["Retry-After"] = "60"
        return _noindex(response)
    verification = selectors.certificate_verification_get(code=code)
    data = selectors.certificate_public_data(verification=verification)
    status = 404 if verification.status == "not_found" else 200
    return _noindex(JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False}))


def _downloadable(code: str):
    verification = selectors.certificate_verification_get(code=code)
    if verification.certificate is None or verification.status == "invalid":
        raise Http404
    return verification.certificate


@require_GET
@rate_limited
def pdf(request, code: str):
    if limited := _limited(request):
        return limited
    certificate = services.certificate_render_if_missing(certificate=_downloadable(code))
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"certificado-{certificate.code}.pdf",
        content_type="application/pdf",
    )
    return _noindex(harden(response))


@require_GET
@rate_limited
def image(request, code: str):
    if limited := _limited(request):
        return limited
    certificate = services.certificate_render_if_missing(certificate=_downloadable(code))
    response = FileResponse(certificate.image.open("rb"), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="certificado-{certificate.code}.png"'
    return _noindex(harden(response))


@require_GET
@rate_limited
def credential(request, code: str):
    if limited := _limited(request):
        return limited
    from .openbadges import credential_signed

    document = credential_signed(certificate=_downloadable(code))
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/ld+json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="credencial-{code}.json"'
    return _noindex(response)


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request):
    response = JsonResponse(services.jwks_get())
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@cache_control(public=True, max_age=300)
def revocations(request):
    return _noindex(JsonResponse(selectors.revocation_list_get()))


@login_required
def my_certificates(request):
    certificates = [
        {"certificate": c, "share": selectors.certificate_share_links(certificate=c)}
        for c in selectors.certificates_for_holder(user=request.user)
    ]
    notices = selectors.notices_for_holder(user=request.user)
    return render(request, "certification/my_certificates.html", {"items": certificates, "notices": notices})


def _verifier_text() -> dict:
    return {
        "cache": _("Claves públicas guardadas: %(keys)s · Lista de revocados del %(date)s"),
        "status": {
            "valid": _("Válido"),
            "expired": _("Vencido"),
            "revoked": _("Revocado"),
            "replaced": _("Reemplazado"),
            "invalid": _("Falsificado o alterado"),
            "unknown_key": _("No se puede comprobar"),
            "malformed": _("Enlace no reconocido"),
        },
        "explain": {
            "valid": _("La firma digital es auténtica y el certificado está vigente."),
            "expired": _("La firma es auténtica, pero el certificado ya venció."),
            "revoked": _("La institución emisora revocó este certificado."),
            "replaced": _("Este certificado fue reemplazado por otro; pide a la persona el certificado nuevo."),
            "invalid": _("La firma no coincide con los datos: no aceptes este certificado."),
            "unknown_key": _("La clave que lo firmó no está guardada. Conéctate a internet y vuelve a intentarlo."),
            "malformed": _("Esto no parece un enlace de certificado de Ruta. Revisa que lo hayas copiado completo."),
        },
        "labels": {
            "n": _("Otorgado a"),
            "a": _("Logro"),
            "h": _("Horas"),
            "u": _("Unidades de competencia"),
            "t": _("Facilitador·a"),
            "i": _("Emitido por"),
            "d": _("Fecha de emisión"),
            "e": _("Vence el"),
            "c": _("Código"),
        },
    }


@require_GET
def offline_verifier(request):
    return _noindex(render(request, "certification/offline_verifier.html", {"verifier_text": _verifier_text()}))


@require_GET
def offline_manifest(request):
    manifest = {
        "name": _("Verificador de certificados Ruta"),
        "short_name": _("Verificador"),
        "start_url": reverse("certification:offline_verifier"),
        "scope": "/certificados/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0B5394",
        "lang": "es",
        "icons": [
            {"src": static("certification/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("certification/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@require_GET
def service_worker(request):
    data_urls = [reverse("jwks"), reverse("certification:revocations")]
    precache = [
        reverse("certification:offline_verifier"),
        static("certification/verifier.js"),
        static("themes/css/ruta.css"),
        *data_urls,
    ]
    response = render(
        request,
        "certification/sw.js",
        {"precache_json": json.dumps(precache), "data_json": json.dumps(data_urls)},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/certificados/"
    response["Cache-Control"] = "no-cache"
    return response
