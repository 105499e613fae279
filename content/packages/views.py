"""Serving package files in isolation, the H5P frame, and the SCORM commit endpoint.

Package files are served under a signed, expiring URL (``/paquetes/<uuid>/<token>/archivos/<path>``) so that a
sandboxed iframe (opaque origin, no cookies) can load them, with ``Content-Security-Policy: sandbox`` so that
even when opened directly they never run with Ruta's origin. HTML gets the scorm-again cross-frame shim injected
so SCOs talk to the lesson page by ``postMessage`` only. Views hold no rules: they check, call, shape.
"""

from __future__ import annotations

import json
import mimetypes
import posixpath

from csp.decorators import csp_exempt
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .archive import check_entry_name
from .errors import PackageRefused
from .models import ContentPackage
from .services import h5p_result_record, scorm_commit

TOKEN_SALT = "ruta.packages.file"  # noqa: S105 - a signing salt, not a secret
TOKEN_MAX_AGE = 12 * 3600
COMMIT_SALT = "ruta.packages.scorm-commit"
COMMIT_MAX_AGE = 24 * 3600
# No frame-ancestors / X-Frame-Options here: a SCO nests its own pages inside the sandboxed (opaque-origin)
# frame, which 'self' would not match. Framing a package file gains nothing: it runs without Ruta's origin.
SANDBOX_CSP = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads; object-src 'none'"


def commit_signature(*, user_id: int, package: ContentPackage, usage_id: str, page_id: int | None = None) -> str:
    """Binds a commit URL to one learner, package and SCO. It replaces the CSRF header, which the final commit
    (sent with ``navigator.sendBeacon`` when the learner leaves) cannot carry."""
    return signing.dumps([user_id, str(package.uuid), usage_id, page_id], salt=COMMIT_SALT, compress=True)


def file_token(package: ContentPackage) -> str:
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(str(package.uuid)).split(":", 1)[1]


def _check_token(package_uuid: str, token: str) -> None:
    try:
        signing.TimestampSigner(salt=TOKEN_SALT).unsign(f"{package_uuid}:{token}", max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:
        raise Http404 from exc


def _isolate(response: HttpResponseBase) -> HttpResponseBase:
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Access-Control-Allow-Origin"] = "*"  # the sandboxed frame has an opaque ("null") origin
    response["Referrer-Policy"] = "no-referrer"
    return response


def _shim() -> bytes:
    src = static("vendor/scorm-again/cross-frame-api.min.js")
    return (
        f'<script src="{src}"></script>'
        # Read-only, so the common "var API = null;" at the top of SCORM wrappers cannot hide the bridge.
        "<script>(function(){if(!window.CrossFrameAPI){return;}var a=new CrossFrameAPI('*',window.top);"
        "['API','API_1484_11'].forEach(function(n){Object.defineProperty(window,n,"
        "{value:a,writable:false,configurable:false});});"
        # The sandboxed frame cannot read its parent (opaque origin): the ADL discovery algorithm scans
        # window.parent first and would throw, so the frame is its own "parent" and finds the bridge here.
        "try{void window.parent.API_1484_11;}catch(e){Object.defineProperty(window,'parent',"
        "{value:window,configurable:true});}})();</script>"
    ).encode()


@csp_exempt()  # keeps SANDBOX_CSP: Ruta's page policy must never replace or loosen it
@xframe_options_exempt
def package_file(request: HttpRequest, package_uuid: str, token: str, path: str) -> HttpResponseBase:
    _check_token(package_uuid, token)
    package = get_object_or_404(ContentPackage, uuid=package_uuid)
    try:
        name = check_entry_name(path)
    except PackageRefused as exc:
        raise Http404 from exc
    stored = package.storage_name(name)
    if not default_storage.exists(stored):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    lowered = name.lower()
    if lowered.endswith((".html", ".htm")) and package.engine != ContentPackage.Engine.H5P:
        with default_storage.open(stored, "rb") as fh:
            data = fh.read()
        marker = data.lower().find(b"<head")
        if marker >= 0:
            end = data.find(b">", marker) + 1
            data = data[:end] + _shim() + data[end:]
        else:
            data = _shim() + data
        response: HttpResponseBase = HttpResponse(data, content_type="text/html; charset=utf-8")
    else:
        response = FileResponse(default_storage.open(stored, "rb"), content_type=content_type)
        if lowered.endswith(".svg"):
            # never rendered as a document on Ruta's origin; as an <img> it cannot run scripts anyway
            response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return _isolate(response)


@csp_exempt()  # keeps SANDBOX_CSP: Ruta's page policy must never replace or loosen it
@xframe_options_exempt
def h5p_frame(request: HttpRequest, package_uuid: str, token: str) -> HttpResponseBase:
    """The page inside the sandboxed iframe that runs h5p-standalone on the package's files."""
    _check_token(package_uuid, token)
    get_object_or_404(ContentPackage, uuid=package_uuid, engine=ContentPackage.Engine.H5P)
    base = posixpath.join(request.path.rsplit("/h5p/", 1)[0], "archivos")
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
new H5PStandalone.H5P(document.getElementById("h5p"), {{
  h5pJsonPath: "{base}", embedType: "div",
  frameJs: "{static("vendor/h5p-standalone/frame.bundle.js")}",
  frameCss: "{static("vendor/h5p-standalone/styles/h5p.css")}"
}}).then(function () {{
  if (window.H5P && H5P.externalDispatcher) {{
    H5P.externalDispatcher.on("xAPI", function (event) {{
      window.top.postMessage({{ruta: "h5p-xapi", statement: event.data.statement}}, "*");
    }});
  }}
}});
</script></body></html>"""
    return _isolate(HttpResponse(html, content_type="text/html; charset=utf-8"))


@login_required
def package_open(request: HttpRequest, package_uuid: str, path: str = "") -> HttpResponse:
    """A stable link (for text blocks) that redirects to a freshly signed file or H5P URL."""
    from django.shortcuts import redirect
    from django.urls import reverse

    package = get_object_or_404(ContentPackage, uuid=package_uuid)
    token = file_token(package)
    if package.engine == ContentPackage.Engine.H5P or not path:
        return redirect(reverse("packages:h5p", args=[package.uuid, token]))
    query = request.META.get("QUERY_STRING", "")
    url = reverse("packages:file", args=[package.uuid, token, path])
    return redirect(f"{url}?{query}" if query else url)


@csrf_exempt  # protected by the per-learner signature instead (see commit_signature)
@login_required
@require_POST
def scorm_commit_view(request: HttpRequest, package_uuid: str) -> JsonResponse:
    package = get_object_or_404(ContentPackage, uuid=package_uuid)
    usage_id = str(request.GET.get("usage") or "")[:64]
    try:
        signed = signing.loads(request.GET.get("sig", ""), salt=COMMIT_SALT, max_age=COMMIT_MAX_AGE)
    except signing.BadSignature:
        signed = None
    try:
        page_id = int(request.GET.get("page") or 0) or None
        mastery = float(request.GET["mastery"]) if request.GET.get("mastery") else None
    except ValueError:
        page_id, mastery = None, None
    if not usage_id or signed != [request.user.pk, str(package.uuid), usage_id, page_id]:
        return JsonResponse({"result": "false", "errorCode": 101}, status=403)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return JsonResponse({"result": "false", "errorCode": 101}, status=400)
    if isinstance(payload, dict) and "xapi" in payload:  # an H5P result relayed by the lesson page
        h5p_result_record(
            user=request.user, package=package, usage_id=usage_id, statement=payload["xapi"], page_id=page_id
        )
        return JsonResponse({"result": "true", "errorCode": 0})
    cmi = payload.get("cmi", payload) if isinstance(payload, dict) else {}
    scorm_commit(user=request.user, package=package, usage_id=usage_id, cmi=cmi, page_id=page_id, mastery_score=mastery)
    return JsonResponse({"result": "true", "errorCode": 0})
