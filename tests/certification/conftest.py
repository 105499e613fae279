"""Certification tests sign with keys generated into a temporary folder, never the developer's keys/."""

import pytest


@pytest.fixture(autouse=True)
def _signing_keys(settings, tmp_path_factory, request):
    folder = tmp_path_factory.getbasetemp() / "signing-keys"
    settings.RUTA_SIGNING_KEYS_DIR = str(folder)
    settings.RUTA_SIGNING_KEY_PEM = ""
    settings.RUTA_SIGNING_KEYS_AUTOGENERATE = True
    # An https base URL for this folder's own tests only (the trainers/ and competency/ suites keep theirs).
    if request.node.path.parent.name == "certification":
        settings.RUTA_BASE_URL = "https://ruta.example.org"
    return folder
