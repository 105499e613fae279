"""Signals that let higher layers add their own data to a Ruta package (news goes up, never imports down).

``course_package_exporting`` is sent while a course is exported, with ``course`` and ``add_image`` (a callable
taking a Wagtail image and returning the reference to put in the package, or None). A receiver returns a dict
of JSON-serialisable sections (e.g. ``{"certificate_programmes": [...]}``) written under ``ruta.extra``; its
content must be deterministic (sorted), so export → import → export gives the same bytes.

``course_package_imported`` is sent inside the import transaction after a Ruta package created a new course,
with ``course``, ``extra`` (the sections above), ``image`` (a callable turning a reference back into an image,
or None), ``user`` and ``note`` (a callable adding a line to the import report). A receiver may raise
``PackageRefused`` to cancel the whole import.
"""

from __future__ import annotations

from django.dispatch import Signal

course_package_exporting = Signal()
course_package_imported = Signal()
