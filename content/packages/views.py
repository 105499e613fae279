"""Serving package files in isolation, the H5P frame, and the SCORM commit endpoint.

Package files are served under a signed, expiring URL (``/paquetes/<uuid>/<token>/archivos/<path>``) so that a
sandboxed iframe (opaque origin, no cookies) can load them, with ``Content-Security-Policy: sandbox`` so that
even when opened directly they never run with Ruta's origin. SCORM HTML gets the package-side runtime injected
(scorm-again + ``packages/sco-frame.js``), which talks to the lesson page by ``postMessage`` only.
Views hold no rules: they check, call, shape.
"""

from __future__ import annotations

import hashlib
import json
import math
import mimetypes
import posixpath
import time
from urllib.parse import urlsplit

from csp.decorators import csp_exempt
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from lms.accounts.permissions import AuthenticatedHttpRequest
from lms.files import private_storage

from .archive import check_entry_name
from .errors import PackageRefused
from .models import ContentPackage
from .origin import on_package_host, package_url, ruta_origin
from .selectors import package_can_open
from .services import H5PStateRefused, h5p_result_record, h5p_state_read, h5p_state_store, scorm_commit

TOKEN_SALT = "ruta.packages.file"  # noqa: S105 - a signing salt, not a secret
# File tokens are signed with the start of the current clock hour, not the current second: every render of a lesson
# within that hour gives a learner the same package file addresses, so the phone's HTTP cache serves a second visit
# (a prepaid phone does not pay the package twice). Each token is valid TOKEN_MAX_AGE from the start of its hour:
# never more than 2 h (as before), and at least TOKEN_MAX_AGE - TOKEN_WINDOW (1 h) after the page showed it.
TOKEN_WINDOW = 3600
TOKEN_MAX_AGE = 2 * 3600  # a lesson sitting; the lesson page refreshes older links
COMMIT_SALT = "ruta.packages.scorm-commit"
COMMIT_MAX_AGE = 24 * 3600  # for the final commit, a beacon (no CSRF header); see scorm_commit_view
# No frame-ancestors / X-Frame-Options here: a SCO nests its own pages inside the sandboxed (opaque-origin)
# frame, which 'self' would not match. Framing a package file gains nothing: it runs without Ruta's origin.
SANDBOX_CSP = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads; object-src 'none'"
# On the package origin (origin.py) the frame keeps a real origin, the package origin's, never Ruta's: then its own
# service worker can keep the files for offline play. Everything else in the sandbox stays.
SANDBOX_CSP_PACKAGE_ORIGIN = (
    "sandbox allow-scripts allow-same-origin allow-forms allow-popups allow-modals allow-downloads; object-src 'none'"
)


def commit_signature(*, user_id: int, package: ContentPackage, usage_id: str, page_id: int | None = None) -> str:
    """Binds a commit URL to one learner, package and SCO. It replaces the CSRF header, which the final commit
    (sent with ``navigator.sendBeacon`` when the learner leaves) cannot carry."""
    return signing.dumps([user_id, str(package.uuid), usage_id, page_id], salt=COMMIT_SALT, compress=True)


def _commit_signed(request: HttpRequest) -> object:
    """What the commit URL's signature binds, or None. A signature older than ``COMMIT_MAX_AGE`` still counts when
    the request also passes Django's CSRF check: progress a phone kept while offline for days, sent from Ruta's own
    page (``player.js`` sends what waits with the session's CSRF token; a beacon, which cannot, needs a fresh
    signature)."""
    value = request.GET.get("sig", "")
    try:
        return signing.loads(value, salt=COMMIT_SALT, max_age=COMMIT_MAX_AGE)
    except signing.SignatureExpired:
        return signing.loads(value, salt=COMMIT_SALT) if _csrf_passes(request) else None
    except signing.BadSignature:
        return None


def _unused_view(request: HttpRequest) -> HttpResponse:  # pragma: no cover - CsrfViewMiddleware wants a view
    return HttpResponse()


def _csrf_passes(request: HttpRequest) -> bool:
    """Django's own CSRF check on a view exempt from it: the session's token in a header, from Ruta's origin."""
    check = CsrfViewMiddleware(_unused_view)
    check.process_request(request)
    return check.process_view(request, _unused_view, (), {}) is None


def token_window_start(now: float | None = None) -> int:
    """The start (Unix seconds) of the token window ``now`` falls in (default: the current time)."""
    moment = int(time.time() if now is None else now)
    return moment - moment % TOKEN_WINDOW


class _WindowSigner(signing.TimestampSigner):
    """A ``TimestampSigner`` whose timestamp is the start of the current window: the same value signed twice in one
    window gives the same signature. ``unsign(max_age=)`` is the stock one, so a token expires ``TOKEN_MAX_AGE``
    after its window began."""

    def timestamp(self) -> str:
        return signing.b62_encode(token_window_start())


def file_token(package: ContentPackage, *, user_id: int | None = None) -> str:
    """A short-lived token for one package and one learner (``<user id>:<window start>:<signature>``).

    The sandboxed frame sends no cookies, so the token is what lets it load the files: it is bound to the package
    and the learner (a leaked link names whose it was and cannot be re-signed for someone else) and expires
    ``TOKEN_MAX_AGE`` after the start of its window (``token_expires_at``); the lesson page reloads itself (saving
    first) for fresh links when the learner comes back to it after that. Within one window it is the same for the
    same learner and package, so the package's files keep their addresses and the browser's cache can answer."""
    value = _WindowSigner(salt=TOKEN_SALT).sign(f"{package.uuid}:{user_id or 0}")
    return value.split(":", 1)[1]


def token_expires_at(token: str) -> int:
    """When (Unix seconds) a token made by ``file_token`` stops being accepted (0 when it is not one)."""
    try:
        return signing.b62_decode(token.split(":")[1]) + TOKEN_MAX_AGE
    except (IndexError, ValueError):
        return 0


def _check_token(package_uuid: str, token: str) -> int:
    """The learner the token was issued to (0: anonymous), or 404 when forged or expired."""
    try:
        value = _WindowSigner(salt=TOKEN_SALT).unsign(f"{package_uuid}:{token}", max_age=TOKEN_MAX_AGE)
        return int(value.rsplit(":", 1)[1])
    except (signing.BadSignature, ValueError, IndexError) as exc:
        raise Http404 from exc


def _cache_while_valid(response: HttpResponseBase, token: str) -> None:
    """A package file never changes under its package's uuid: the phone may keep it, privately (never ``public``:
    the file is only for the learner the token names), for as long as its address stays valid and not a second
    longer, so a kept copy never outlives what the server would still grant."""
    remaining = max(0, math.floor(token_expires_at(token) - time.time()))
    response["Cache-Control"] = f"private, max-age={remaining}, immutable" if remaining else "private, no-store"


def _revalidated(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Pages Ruta writes into (the H5P frame, SCORM HTML with the runtime) name Ruta's static files, which change
    with each release: the phone keeps them but asks each time, and gets a bodiless 304 while they are unchanged."""
    response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    response["Cache-Control"] = "private, no-cache"
    conditional = get_conditional_response(request, etag=response["ETag"], response=response)
    return conditional if conditional is not None else response


def _isolate(response: HttpResponseBase, request: HttpRequest) -> HttpResponseBase:
    response["Content-Security-Policy"] = SANDBOX_CSP_PACKAGE_ORIGIN if on_package_host(request) else SANDBOX_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Access-Control-Allow-Origin"] = "*"  # the sandboxed frame has an opaque ("null") origin
    response["Referrer-Policy"] = "no-referrer"
    return response


# What a sandboxed frame's scripts may send on a package file request (H5P asks for its sounds with
# X-Requested-With): never credentials, nothing that changes what the file is.
PREFLIGHT_HEADERS = ("x-requested-with", "range", "content-type")


def _preflight(request: HttpRequest) -> HttpResponse:
    """The answer to a CORS preflight (OPTIONS) for a package file or the H5P frame: which methods and headers the
    sandboxed (opaque-origin) frame may use, and no body. It carries no cookie: it never shows a file's content."""
    asked = request.headers.get("Access-Control-Request-Headers", "")
    allowed = [name for name in (part.strip().lower() for part in asked.split(",")) if name in PREFLIGHT_HEADERS]
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"  # the sandboxed frame has an opaque ("null") origin
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    if allowed:
        response["Access-Control-Allow-Headers"] = ", ".join(dict.fromkeys(allowed))
    response["Access-Control-Max-Age"] = "86400"
    response["Vary"] = "Access-Control-Request-Headers"
    response["X-Content-Type-Options"] = "nosniff"
    return response


#: How often (seconds) H5P saves its user state in the frame (``saveFreq``); the frame also saves soon after each tap
#: and the lesson page sends only what changed, so this is a backstop, not the pace of the learner's data use.
H5P_SAVE_SECONDS = 10


def _shim(engine: str) -> bytes:
    """The SCORM runtime for the package side (see ``static/packages/sco-frame.js``): scorm-again for the engine,
    then the frame script. Static files, no inline script; package HTML itself runs inside the sandbox."""
    library = "scorm2004.min.js" if engine == ContentPackage.Engine.SCORM2004 else "scorm12.min.js"
    return (
        f'<script src="{static("vendor/scorm-again/" + library)}"></script>'
        f'<script src="{static("packages/sco-frame.js")}" data-engine="{engine}"></script>'
    ).encode()


# django-csp 4.0 types its decorator for views that take the request alone; ours take URL arguments too.
@csp_exempt()  # type: ignore[arg-type]  # keeps SANDBOX_CSP: Ruta's page policy must never replace or loosen it
@xframe_options_exempt
def package_file(request: HttpRequest, package_uuid: str, token: str, path: str) -> HttpResponseBase:
    if request.headers.get("Service-Worker"):
        raise Http404  # a package may not install a worker of its own on the package origin
    _check_token(package_uuid, token)
    if request.method == "OPTIONS":
        return _preflight(request)
    package = get_object_or_404(ContentPackage, uuid=package_uuid)
    try:
        name = check_entry_name(path)
    except PackageRefused as exc:
        raise Http404 from exc
    stored = package.storage_name(name)
    storage = private_storage()  # never under MEDIA_URL: this signed, sandboxed view is the only way in
    if not storage.exists(stored):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    lowered = name.lower()
    if lowered.endswith((".html", ".htm")) and package.engine != ContentPackage.Engine.H5P:
        with storage.open(stored, "rb") as fh:
            data = fh.read()
        marker = data.lower().find(b"<head")
        if marker >= 0:
            end = data.find(b">", marker) + 1
            data = data[:end] + _shim(package.engine) + data[end:]
        else:
            data = _shim(package.engine) + data
        response: HttpResponseBase = _revalidated(request, HttpResponse(data, content_type="text/html; charset=utf-8"))
    else:
        response = FileResponse(storage.open(stored, "rb"), content_type=content_type)
        if lowered.endswith(".svg"):
            # never rendered as a document on Ruta's origin; as an <img> it cannot run scripts anyway
            response["Content-Disposition"] = "inline"
        _cache_while_valid(response, token)
    return _isolate(response, request)


@csp_exempt()  # type: ignore[arg-type]  # keeps SANDBOX_CSP (see package_file)
@xframe_options_exempt
def h5p_frame(request: HttpRequest, package_uuid: str, token: str) -> HttpResponseBase:
    """The page inside the sandboxed iframe that runs h5p-standalone on the package's files."""
    _check_token(package_uuid, token)
    if request.method == "OPTIONS":
        return _preflight(request)
    get_object_or_404(ContentPackage, uuid=package_uuid, engine=ContentPackage.Engine.H5P)
    base = posixpath.join(request.path.rsplit("/h5p/", 1)[0], "archivos")
    # Results go only to the lesson page: on Ruta's origin (on Ruta's host, this URL's own origin, although the
    # sandboxed document's is opaque; on the package origin, RUTA_BASE_URL's).
    target = json.dumps(ruta_origin()) if on_package_host(request) else "location.origin"
    html = f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>H5P</title>
<link rel="stylesheet" href="{static("vendor/h5p-standalone/styles/h5p.css")}"></head>
<body><div id="h5p"></div>
<script>/* The sandboxed frame has no storage: give H5P an in-memory one instead of letting it crash. */
["localStorage", "sessionStorage"].forEach(function (name) {{
  try {{ window[name].length; }} catch (e) {{
    var mem = {{}};
    Object.defineProperty(window, name, {{configurable: true, value: {{
      getItem: function (k) {{ return Object.prototype.hasOwnProperty.call(mem, k) ? mem[k] : null; }},
      setItem: function (k, v) {{ mem[k] = String(v); }}, removeItem: function (k) {{ delete mem[k]; }},
      clear: function () {{ mem = {{}}; }}, key: function (i) {{ return Object.keys(mem)[i] || null; }},
      get length() {{ return Object.keys(mem).length; }}
    }}}});
  }}
}});
</script>
<script src="{static("vendor/h5p-standalone/main.bundle.js")}"></script>
<script>
/* Resume: the lesson page gives the learner's saved H5P user data in this frame's address (fragment), as H5P core
   keeps it ({{sub-content id: {{data type: JSON text}}}}); H5P's own saves (every saveFreq seconds, on leaving, and
   here soon after each tap) go back to the lesson page, which stores them in Ruta (player.js). */
var PREFIX = "#ruta-h5p:", saved = null;
try {{
  if (location.hash.indexOf(PREFIX) === 0) {{
    saved = JSON.parse(decodeURIComponent(location.hash.slice(PREFIX.length))).state || null;
  }}
}} catch (e) {{ saved = null; }}
var options = {{
  h5pJsonPath: "{base}", embedType: "div", saveFreq: {H5P_SAVE_SECONDS},
  frameJs: "{static("vendor/h5p-standalone/frame.bundle.js")}",
  frameCss: "{static("vendor/h5p-standalone/styles/h5p.css")}"
}};
if (saved && typeof saved === "object") {{ options.contentUserData = saved; }}
new H5PStandalone.H5P(document.getElementById("h5p"), options).then(function () {{
  if (!window.H5P) {{ return; }}
  var timer = null;
  function save() {{ /* what H5P core does every saveFreq seconds, now */
    (H5P.instances || []).forEach(function (instance) {{
      if (typeof instance.getCurrentState !== "function") {{ return; }}
      var state = instance.getCurrentState();
      if (state !== undefined) {{ H5P.setUserData(instance.contentId, "state", state, {{deleteOnChange: true}}); }}
    }});
  }}
  function soon() {{ clearTimeout(timer); timer = setTimeout(save, 400); }}
  if (H5P.externalDispatcher) {{
    H5P.externalDispatcher.on("xAPI", function (event) {{
      window.top.postMessage({{ruta: "h5p-xapi", statement: event.data.statement}}, {target});
      soon();
    }});
  }}
  var last = JSON.stringify(saved || {{}});
  function report() {{
    var contents = (window.H5PIntegration && H5PIntegration.contents) || {{}};
    var ids = Object.keys(contents);
    var data = ids.length ? contents[ids[0]].contentUserData : null;
    if (!data || typeof data !== "object") {{ return; }}
    var json = JSON.stringify(data);
    if (json === last) {{ return; }}
    last = json;
    window.top.postMessage({{ruta: "h5p-state", state: JSON.parse(json)}}, {target});
  }}
  var setUserData = H5P.setUserData;
  H5P.setUserData = function () {{
    var out = setUserData.apply(this, arguments);
    report();
    return out;
  }};
  ["click", "keyup", "change", "touchend"].forEach(function (name) {{
    document.addEventListener(name, soon, true);
  }});
  document.addEventListener("visibilitychange", function () {{
    if (document.visibilityState === "hidden") {{ save(); }}
  }});
}});
</script></body></html>"""
    return _isolate(_revalidated(request, HttpResponse(html, content_type="text/html; charset=utf-8")), request)


@login_required
def package_open(request: HttpRequest, package_uuid: str, path: str = "") -> HttpResponse:
    """A stable link (for text blocks) that redirects to a freshly signed file or H5P URL, for people who may read
    a lesson that plays the package (``package_can_open``)."""
    package = get_object_or_404(ContentPackage, uuid=package_uuid)
    if not package_can_open(user=request.user, package=package):
        raise Http404
    token = file_token(package, user_id=request.user.pk)
    if package.engine == ContentPackage.Engine.H5P or not path:
        return redirect(package_url(reverse("packages:h5p_frame", args=[package.uuid, token])))
    query = request.META.get("QUERY_STRING", "")
    url = package_url(reverse("packages:package_file", args=[package.uuid, token, path]))
    return redirect(f"{url}?{query}" if query else url)


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


@csrf_exempt  # protected by the per-learner signature instead (see commit_signature)
@login_required
@require_http_methods(["GET", "POST"])
def scorm_commit_view(request: AuthenticatedHttpRequest, package_uuid: str) -> JsonResponse:
    """SCORM commits and H5P results and states, POSTed by the lesson page; GET: the H5P state to resume from."""
    package = get_object_or_404(ContentPackage, uuid=package_uuid)
    usage_id = str(request.GET.get("usage") or "")[:64]
    signed = _commit_signed(request)
    try:
        page_id = int(request.GET.get("page") or 0) or None
        mastery = float(request.GET["mastery"]) if request.GET.get("mastery") else None
    except ValueError:
        page_id, mastery = None, None
    if mastery is not None and not math.isfinite(mastery):
        mastery = None
    if not usage_id or signed != [request.user.pk, str(package.uuid), usage_id, page_id]:
        return JsonResponse({"result": "false", "errorCode": 101}, status=403)
    if request.method == "GET":  # the lesson page asks what the H5P frame starts with (player.js)
        state = h5p_state_read(user=request.user, package=package, usage_id=usage_id)
        response = JsonResponse({"h5p_state": state or None})
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        # NaN and Infinity are not JSON (Python reads them, the database refuses them): a bad commit is refused
        # whole and what was stored stays.
        payload = json.loads(request.body or b"{}", parse_constant=_not_json)
    except (ValueError, RecursionError):
        return JsonResponse({"result": "false", "errorCode": 101}, status=400)
    if isinstance(payload, dict) and "xapi" in payload:  # an H5P result relayed by the lesson page
        h5p_result_record(
            user=request.user, package=package, usage_id=usage_id, statement=payload["xapi"], page_id=page_id
        )
        return JsonResponse({"result": "true", "errorCode": 0})
    if isinstance(payload, dict) and "h5p_state" in payload:  # H5P's user state, relayed by the lesson page
        try:
            h5p_state_store(
                user=request.user, package=package, usage_id=usage_id, state=payload["h5p_state"], page_id=page_id
            )
        except H5PStateRefused as exc:
            # Refused for good (the lesson page drops it): what was stored before stays.
            return JsonResponse({"result": "false", "errorCode": 413, "error": str(exc)}, status=413)
        return JsonResponse({"result": "true", "errorCode": 0})
    cmi = payload.get("cmi", payload) if isinstance(payload, dict) else {}
    scorm_commit(user=request.user, package=package, usage_id=usage_id, cmi=cmi, page_id=page_id, mastery_score=mastery)
    return JsonResponse({"result": "true", "errorCode": 0})


def _static_path() -> str:
    """Where Ruta's static files are, as a path (``/static/``): the package pages load their runtime from there."""
    return urlsplit(settings.STATIC_URL or "/static/").path


def package_worker(request: HttpRequest) -> HttpResponse:
    """The package origin's service worker (scope ``/paquetes/``): serves the files of downloaded packages, keyed
    without their expiring token (``static/packages/package-sw.js``). Only on the package host (origin.py)."""
    if not on_package_host(request):
        raise Http404
    script = render_to_string("packages/package-sw.js", {"static_prefix": json.dumps(_static_path())})
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/paquetes/"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@csp_exempt()  # type: ignore[arg-type]  # its own policy: only its script, framed only by Ruta
@xframe_options_exempt
def package_helper(request: HttpRequest) -> HttpResponse:
    """The hidden page on the package origin that Ruta's course page frames to keep (or remove) the files of the
    packages a learner downloads: Ruta's page cannot write another origin's Cache Storage. It takes orders only
    from Ruta's origin (``static/packages/origin-helper.js``). Only on the package host (origin.py)."""
    if not on_package_host(request):
        raise Http404
    context = {
        "ruta_origin": ruta_origin(),
        "worker_url": reverse("packages:package_worker"),
        "static_prefix": _static_path(),
    }
    response = HttpResponse(render_to_string("packages/origin_helper.html", context))
    response["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; connect-src 'self'; worker-src 'self'; base-uri 'none'; "
        f"form-action 'none'; frame-ancestors {ruta_origin()}"
    )
    response["Cache-Control"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"
    return response
