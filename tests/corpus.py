"""Where the shared conformance corpus is, and the marker for tests that need it.

The corpus (real SCORM, H5P, OLX, cmi5 and Open Badges files from their projects) is not part of the repository:
it lives beside it, at ``../shared/corpus`` (CI clones the repository with ``shared/`` next to it), or wherever
``RUTA_CORPUS`` points. Only conformance tests (``@pytest.mark.corpus``) read it; every other test builds its own
small packages with ``tests.fixtures.packages``. Without the corpus the conformance tests are skipped with one
reason; ``RUTA_REQUIRE_CORPUS=1`` (set by ``.ci/run``) makes a missing corpus an error instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path:
    configured = os.environ.get("RUTA_CORPUS", "").strip()
    return Path(configured).resolve() if configured else (REPOSITORY.parent / "shared" / "corpus").resolve()


CORPUS = corpus_dir()
SKIP_REASON = (
    f"corpus conformance test: no shared corpus at {CORPUS} (put shared/ beside the repository or set RUTA_CORPUS; "
    "CI sets RUTA_REQUIRE_CORPUS=1 and fails instead of skipping)"
)

#: Marks a test that checks Ruta against the real files of the shared corpus.
corpus = pytest.mark.corpus


def corpus_present() -> bool:
    return CORPUS.is_dir() and any(CORPUS.iterdir())
