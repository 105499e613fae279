"""Public verification (page, JSON API, short-code form), downloads, JWKS, the offline verifier, and the
holder's «Mis certificados». Views parse, call a selector or service, and shape the output; no rules here.
"""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from lms.files import harden
from lms.pagecache import anonymous_cache
from lms.ratelimit import rate_limit

from . import selectors, services
from .codes import code_normalize

NOINDEX = "noindex, nofollow"


def verify_rate() -> str:
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


rate_limited = rate_limit("certification-verify", verify_rate)
# What anonymous employers are answered is kept in the shared cache until any certificate changes (a revocation
# shows on the next request); the same rate limit applies to cached answers (lms/pagecache.py).
public_answer = anonymous_cache("certificates", timeout=300, ratelimit=("certification-verify", verify_rate))


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


JSON_TYPES = ("application/ld+json", "application/vc+ld+json", "application/json")


def _wants_json(request) -> bool:
    """Content negotiation for the ids in credentials: JSON for machines that ask for it, the page for people."""
    return request.get_preferred_type(["text/html", *JSON_TYPES]) in JSON_TYPES


def _ld_json(document, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        status=status,
        content_type="application/ld+json; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    return response


@require_GET
@public_answer
@rate_limited
def verify(request, code: str):
    if limited := _limited(request):
        return limited
    if _wants_json(request):
        return _credential_by_id(request, code)
    verification = selectors.certificate_verification_get(code=code)
    if verification.found and verification.code != code:
        return redirect("certification:verify", code=verification.code)
    # No share buttons here: this page is the employer's; sharing belongs to the holder's «Mis certificados».
    context = {"v": verification, "certificate": verification.certificate}
    if verification.certificate is not None and verification.status != "invalid" and not verification.holder_erased:
        # The QR's payload travels in the URL fragment, which never reaches the server: verifier.js compares it
        # with this record (the public fields shown below) and warns when they disagree.
        context["qr_record"] = {
            "fields": services.certificate_public_fields(certificate=verification.certificate),
            "signature": verification.certificate.signature,
        }
        context["qr_text"] = _qr_text()
    status = 404 if verification.status == "not_found" else 200
    response = _noindex(render(request, "certification/verify.html", context, status=status))
    response["Vary"] = "Accept"
    return response


def _credential_by_id(request, code: str) -> HttpResponse:
    """The credential id resolved by a machine: the signed credential while it may be downloaded; otherwise its
    status (410) — a copy already in a wallet learns it from the status list."""
    from .openbadges import credential_signed

    verification = selectors.certificate_verification_get(code=code)
    if verification.certificate is None or verification.status == "invalid":
        return _noindex(_ld_json({"code": verification.code, "status": verification.status}, status=404))
    if not verification.downloadable:
        return _noindex(_ld_json(selectors.certificate_public_data(verification=verification), status=410))
    return _noindex(_ld_json(credential_signed(certificate=verification.certificate)))


@require_GET
def issuer(request, slug: str):
    institution = selectors.issuer_get(slug=slug)
    if institution is None:
        raise Http404
    profile = services.issuer_profile_get(institution=institution)
    if _wants_json(request):
        response = _ld_json(profile)
        response["Cache-Control"] = "public, max-age=300"
        return response
    keys = [
        {"id": method["id"], "kid": method["id"].rsplit("#", 1)[-1], "multibase": method["publicKeyMultibase"]}
        for method in profile["verificationMethod"]
    ]
    response = render(request, "certification/issuer.html", {"institution": institution, "keys": keys})
    response["Vary"] = "Accept"
    return response


@require_GET
def achievement(request, slug: str, variant: str = ""):
    """An Achievement's page (for a person) or JSON-LD (for a machine): the programme's own, or a claim of it."""
    from .openbadges import OB_CONTEXT, VC_CONTEXT, achievement_build

    programme = selectors.achievement_programme_get(slug=slug)
    if programme is None:
        raise Http404
    name, units = "", []
    if variant:
        claim = selectors.achievement_claim_get(programme=programme, variant=variant)
        if claim is None:
            raise Http404
        name, units = claim
    document = achievement_build(programme=programme, name=name, units=units)
    if _wants_json(request):
        response = _ld_json({"@context": [VC_CONTEXT, OB_CONTEXT], **document})
        response["Cache-Control"] = "public, max-age=300"
        return response
    context = {"programme": programme, "name": document["name"], "units": units}
    response = render(request, "certification/achievement.html", context)
    response["Vary"] = "Accept"
    return response


@require_GET
def status_list(request, slug: str, purpose: str, number: int):
    from .statuslist import PURPOSES

    institution = selectors.issuer_get(slug=slug)
    if institution is None or purpose not in PURPOSES:
        raise Http404
    document = services.status_list_get(institution=institution, purpose=purpose, number=number)
    if document is None:
        raise Http404
    response = _ld_json(document)
    response["Content-Type"] = "application/vc+ld+json; charset=utf-8"
    # Verifiers must see a revocation at once: revalidate every time (the ETag makes that a 304 when unchanged).
    response["Cache-Control"] = "no-cache"
    response["ETag"] = '"' + document["proof"][0]["proofValue"][:40] + '"'
    if request.headers.get("If-None-Match") == response["ETag"]:
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = response["ETag"]
        not_modified["Cache-Control"] = "no-cache"
        return not_modified
    return response


@require_GET
@public_answer
@rate_limited
def api_certificate(request, code: str):
    if getattr(request, "limited", False):
        response = JsonResponse({"error": _("Demasiadas consultas. Espera un minuto.")}, status=429)
        response["Retry-After"] = "60"
        return _noindex(response)
    verification = selectors.certificate_verification_get(code=code)
    data = selectors.certificate_public_data(verification=verification)
    qr = request.GET.get("qr", "")
    if qr and (check := selectors.certificate_qr_check(verification=verification, qr=qr)) is not None:
        data["qr"] = {
            "matches": check.matches,
            "readable": check.readable,
            "differing": [selectors.API_FIELD_NAMES[key] for key in check.differing],
        }
        if not check.matches:
            data["qr"]["message"] = _qr_text()["mismatch"] if check.readable else _qr_text()["unreadable"]
    status = 404 if verification.status == "not_found" else 200
    return _noindex(JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False}))


class DownloadRefused(Exception):
    def __init__(self, verification: selectors.Verification):
        self.verification = verification


def _downloadable(code: str):
    verification = selectors.certificate_verification_get(code=code)
    if verification.certificate is None or verification.status == "invalid":
        raise Http404
    if not verification.downloadable:
        raise DownloadRefused(verification)
    return verification.certificate


def refuse_unless_downloadable(view):
    """A revoked or replaced certificate's file gets a Spanish «no se puede descargar» page (410), never the file."""

    @wraps(view)
    def wrapper(request, code: str):
        try:
            return view(request, code)
        except DownloadRefused as refused:
            verification = refused.verification
            context = {"v": verification, "certificate": verification.certificate}
            return _noindex(render(request, "certification/download_refused.html", context, status=410))

    return wrapper


@require_GET
@rate_limited
@refuse_unless_downloadable
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
@refuse_unless_downloadable
def image(request, code: str):
    if limited := _limited(request):
        return limited
    certificate = services.certificate_render_if_missing(certificate=_downloadable(code))
    response = FileResponse(certificate.image.open("rb"), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="certificado-{certificate.code}.png"'
    return _noindex(harden(response))


@require_GET
@rate_limited
@refuse_unless_downloadable
def credential(request, code: str):
    if limited := _limited(request):
        return limited
    from .openbadges import credential_signed

    certificate = _downloadable(code)
    document = credential_signed(certificate=certificate)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/ld+json; charset=utf-8"
    )
    # The stored code, never the address's text (which may hold any character the lookup normalised away).
    response["Content-Disposition"] = f'attachment; filename="credencial-{certificate.code}.json"'
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


@require_GET
@rate_limited
@cache_control(public=True, max_age=300)
def verification_index(request):
    if getattr(request, "limited", False):
        response = JsonResponse({"error": _("Demasiadas consultas. Espera un minuto.")}, status=429)
        response["Retry-After"] = "60"
        return _noindex(response)
    return _noindex(JsonResponse(services.verification_index_get(), json_dumps_params={"ensure_ascii": False}))


@login_required
def my_certificates(request):
    from .forms import HolderDidForm

    certificates = [
        {
            "certificate": c,
            "share": selectors.certificate_share_links(certificate=c),
            "did_form": HolderDidForm(initial={"did": c.holder_did}, prefix=c.code),
        }
        for c in selectors.certificates_for_holder(user=request.user)
    ]
    notices = selectors.notices_for_holder(user=request.user)
    return render(request, "certification/my_certificates.html", {"items": certificates, "notices": notices})


def _own_certificate(request, code: str):
    """The signed-in holder's certificate with this code, or 404 (someone else's is not even acknowledged)."""
    certificate = selectors.certificates_for_holder(user=request.user).filter(code=code).first()
    if certificate is None:
        raise Http404
    return certificate


@login_required
@require_POST
def holder_did(request, code: str):
    from django.contrib import messages

    from .forms import HolderDidForm

    certificate = _own_certificate(request, code)
    form = HolderDidForm(request.POST, prefix=certificate.code)
    if form.is_valid():
        services.certificate_holder_did_set(certificate=certificate, user=request.user, did=form.cleaned_data["did"])
        messages.success(request, _("Listo: tu credencial digital queda vinculada a tu billetera."))
    else:
        messages.error(request, "; ".join(form.errors.get("did", [])))
    return redirect("certification:my_certificates")


@login_required
@require_POST
def wallet_offer_new(request, code: str):
    """A new one-time offer of the holder's credential to a wallet, shown as a QR and a link."""
    from django.contrib import messages

    from .exchange import OfferRefused, wallet_offer_create

    certificate = _own_certificate(request, code)
    try:
        offer = wallet_offer_create(certificate=certificate, user=request.user)
    except OfferRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("certification:my_certificates")
    return redirect("certification:wallet_offer", code=certificate.code, pk=offer.pk)


@login_required
@require_GET
def wallet_offer(request, code: str, pk: int):
    import qrcode
    import qrcode.image.svg
    from django.utils import timezone

    from .exchange import app_link, deep_link, exchange_url
    from .models import WalletOffer

    offer = (
        WalletOffer.objects.select_related("certificate")
        .filter(pk=pk, certificate__code=code, certificate__holder=request.user)
        .first()
    )
    if offer is None:
        raise Http404
    link = deep_link(offer)
    qr_svg = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).to_string(encoding="unicode")
    response = render(
        request,
        "certification/wallet_offer.html",
        {
            "offer": offer,
            "certificate": offer.certificate,
            "deep_link": link,
            "app_link": app_link(offer),
            "exchange_url": exchange_url(offer),
            "qr_svg": qr_svg,
            "expired": offer.expires_at <= timezone.now(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


WALLET_EXCHANGE_MAX_BYTES = 64 * 1024


@csrf_exempt
@ratelimit(group="wallet-exchange", key="ip", rate="30/m", block=False)
def wallet_exchange(request, token: str):
    """The wallet's side of an offer (VC-API exchange; Learner Credential Wallet's request link): JSON in, JSON out."""
    from .exchange import ExchangeError, wallet_exchange_answer

    def answer(payload: dict, status: int = 200) -> JsonResponse:
        response = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "no-store"
        return _noindex(response)

    if getattr(request, "limited", False):
        response = answer({"error": _("Demasiadas consultas. Espera un minuto.")}, status=429)
        response["Retry-After"] = "60"
        return response
    if request.method == "GET":  # a VC-API interaction URL: which protocols this exchange speaks
        from .models import WalletOffer

        if not WalletOffer.objects.filter(token=token, used_at__isnull=True).exists():
            return answer({"error": _("Esta oferta no existe.")}, status=404)
        return answer({"protocols": {"vcapi": exchange_url_for(token)}})
    if request.method != "POST":
        return answer({"error": _("Usa POST.")}, status=405)
    if len(request.body) > WALLET_EXCHANGE_MAX_BYTES:  # a DID authentication is a few kilobytes
        return answer({"error": _("La billetera envió demasiados datos.")}, status=413)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested thousands deep: built to break parsers
        return answer({"error": _("La billetera no envió JSON.")}, status=400)
    try:
        return answer(wallet_exchange_answer(token=token, body=body))
    except ExchangeError as refusal:
        return answer({"error": refusal.message}, status=refusal.status)


def exchange_url_for(token: str) -> str:
    return settings.RUTA_BASE_URL + reverse("certification:wallet_exchange", args=[token])


def _qr_text() -> dict:
    return {
        "mismatch": _("Los datos del código no coinciden con el registro"),
        "mismatch_explain": _(
            "El código QR que escaneaste dice otra cosa que el registro de la institución. No te fíes del papel o "
            "la imagen: lo que vale es lo que ves en esta página."
        ),
        "unreadable": _("El enlace del código QR está incompleto o dañado"),
        "unreadable_explain": _("No se pudo comparar con el registro. Los datos de esta página son los del registro."),
        "in_code": _("en el código: %(value)s"),
        "labels": _verifier_text()["labels"] | {"k": _("Clave de firma"), "v": _("Versión"), "s": _("Firma digital")},
    }


def _verifier_text() -> dict:
    return {
        "cache": _("Claves públicas guardadas: %(keys)s · Lista de revocados del %(date)s"),
        "cache_index": _("Registro de %(count)s certificados del %(date)s (%(age)s)"),
        "age_today": _("de hoy"),
        "age_yesterday": _("de ayer"),
        "age_days": _("de hace %(days)s días"),
        "index_old": _("Tu copia tiene más de un mes: conéctate a internet para actualizarla."),
        "status_old": _(
            "Tu lista de revocados y suspendidos tiene más de una semana: conéctate a internet para actualizarla."
        ),
        "no_index_info": _("Sin registro de certificados: abre esta página con internet para guardarlo."),
        "no_qr_reader": _(
            "Este navegador no puede leer códigos QR desde aquí. Escanea el QR con la app de cámara de tu celular: "
            "se abrirá el enlace y, si ya abriste este verificador con internet, se comprobará aunque no tengas "
            "conexión. O escribe arriba el código corto impreso debajo del QR."
        ),
        "foreign": _("Este enlace no es de este sitio: lleva a %(host)s"),
        "foreign_explain": _(
            "Alguien copió los datos de un certificado en un enlace de otro sitio. No abras ese enlace ni confíes "
            "en lo que muestre; compara el nombre con el documento de la persona."
        ),
        "camera": _("Escanear con la cámara"),
        "camera_denied": _("No se pudo usar la cámara. Revisa el permiso o lee el QR desde una foto."),
        "photo": _("Leer el QR de una foto"),
        "photo_none": _("No se encontró un código QR en esa foto. Prueba con una foto más cercana y nítida."),
        "status": {
            "valid": _("Válido"),
            "expired": _("Vencido"),
            "revoked": _("Revocado"),
            "suspended": _("Suspendido"),
            "replaced": _("Reemplazado"),
            "valid_foreign": _("Firma auténtica, enlace ajeno"),
            "invalid": _("Falsificado o alterado"),
            "unknown_key": _("No se puede comprobar"),
            "malformed": _("Enlace no reconocido"),
            "not_found": _("No encontrado"),
            "bad_code": _("Código no válido"),
            "no_index": _("Sin registro guardado"),
        },
        "explain": {
            "valid": _("La firma digital es auténtica y el certificado está vigente."),
            "expired": _("La firma es auténtica, pero el certificado ya venció."),
            "revoked": _("La institución emisora revocó este certificado."),
            "suspended": _(
                "La institución emisora suspendió este certificado: mientras dure la suspensión no es válido."
            ),
            "replaced": _("Este certificado fue reemplazado por otro; pide a la persona el certificado nuevo."),
            "valid_foreign": _(
                "Los datos firmados son de un certificado vigente, pero el enlace no es de este sitio: confírmalo "
                "escribiendo aquí el código corto impreso, no en la página a la que lleva ese enlace."
            ),
            "invalid": _("La firma no coincide con los datos: no aceptes este certificado."),
            "unknown_key": _("La clave que lo firmó no está guardada. Conéctate a internet y vuelve a intentarlo."),
            "malformed": _("Esto no parece un enlace de certificado de Ruta. Revisa que lo hayas copiado completo."),
            "not_found": _(
                "Ningún certificado de tu copia del registro tiene ese código. Revisa que lo hayas escrito bien; si el "
                "certificado es muy reciente, conéctate a internet y vuelve a intentarlo."
            ),
            "bad_code": _(
                "Ese código no es válido. Revisa que tenga 16 caracteres más el carácter de control "
                "(por ejemplo 7K3M-Q9XD-2HBW-R4TE-7)."
            ),
            "no_index": _(
                "Para verificar códigos cortos sin internet, abre esta página una vez con conexión: guarda el registro."
            ),
        },
        "labels": {
            "n": _("Otorgado a"),
            "a": _("Logro"),
            "h": _("Horas"),
            "u": _("Unidades de competencia"),
            # The signed link does not say what kind of certificate it is: a course's facilitator or, on a trainer's
            # certificate, the master trainer who supervised.
            "t": _("Facilitador·a o supervisor·a"),
            "i": _("Emitido por"),
            "d": _("Fecha de emisión"),
            "e": _("Vence el"),
            "c": _("Código"),
        },
    }


@require_GET
def offline_verifier(request):
    from urllib.parse import urlsplit

    base = urlsplit(settings.RUTA_BASE_URL)
    context = {"verifier_text": _verifier_text(), "verify_origin": f"{base.scheme}://{base.netloc}".lower()}
    return _noindex(render(request, "certification/offline_verifier.html", context))


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
    data_urls = [reverse("jwks"), reverse("certification:revocations"), reverse("certification:verification_index")]
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
