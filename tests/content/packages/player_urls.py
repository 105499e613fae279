"""Test-only URLs: a bare page that renders one PackageActivityBlock (lesson pages may not offer it yet)."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path

from content.packages.blocks import PackageActivityBlock
from content.packages.models import ContentPackage


def player_page(request, package_uuid):
    package = ContentPackage.objects.get(uuid=package_uuid)
    get_token(request)
    block = PackageActivityBlock()
    value = block.to_python(
        {
            "package": str(package.uuid),
            "engine": package.engine,
            "title": package.title,
            "launch": request.GET.get("launch", "shared/launchpage.html"),
            "parameters": "",
            "tracked": True,
            "mastery_score": 0.8,
        }
    )
    html = block.render(value, context={"request": request, "block_id": "sco-test"})
    return HttpResponse(f"<!doctype html><html lang='es'><head><title>Prueba</title></head><body>{html}</body></html>")


urlpatterns = [
    path("prueba-paquete/<uuid:package_uuid>/", player_page),
    path("", include("lms.urls")),
]
