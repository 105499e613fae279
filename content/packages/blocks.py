"""The lesson-body block that plays a stored package (a SCORM SCO or an H5P content) in a sandboxed iframe.

To appear in lesson bodies it must be listed with the activities: ``("package", PackageActivityBlock())``.
The iframe has ``sandbox="allow-scripts ..."`` **without** ``allow-same-origin``; the SCO talks to the lesson
page only by ``postMessage`` (``static/packages/sco-frame.js`` runs the SCORM API in the package's frame), and
the page commits CMI data to ``packages:scorm_commit``. With a package origin (``origin.py``) the frame's address is
on that origin and it carries ``allow-same-origin``: its origin is the package host's, never Ruta's, and that origin's
worker can play a downloaded package offline. Must not import courses or certification.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from lms.accounts.permissions import signed_in_user


class PackageStructValue(blocks.StructValue):
    def package(self) -> Any:
        from .models import ContentPackage

        return ContentPackage.objects.filter(uuid=self.get("package")).first()


def _pass_mark(value: Any, context: dict) -> float | None:
    """The pass mark (0..1) a graded package is judged by: its mastery score, else the course's pass mark (the lesson
    page's context carries its ``course``; reached by duck typing, content never imports courses)."""
    if value.get("mastery_score") is not None:
        return float(value["mastery_score"])
    course_mark = getattr(context.get("course"), "pass_mark", None)
    return course_mark / 100 if isinstance(course_mark, int | float) else None


class PackageActivityBlock(blocks.StructBlock):
    """A SCORM SCO or H5P content from an imported package, played in isolation."""

    package = blocks.CharBlock(max_length=36, label=_("Paquete (identificador)"))
    engine = blocks.ChoiceBlock(
        choices=[("scorm12", "SCORM 1.2"), ("scorm2004", "SCORM 2004"), ("h5p", "H5P")], label=_("Tipo")
    )
    title = blocks.CharBlock(max_length=255, label=_("Título"))
    launch = blocks.CharBlock(max_length=500, label=_("Archivo de inicio"))
    parameters = blocks.CharBlock(max_length=500, required=False, label=_("Parámetros"))
    tracked = blocks.BooleanBlock(required=False, default=True, label=_("Envía avance y nota"))
    mastery_score = blocks.FloatBlock(required=False, min_value=0, max_value=1, label=_("Nota para aprobar (0 a 1)"))
    # Off in blocks saved before it existed: their package completes the lesson as content, its score not counted.
    graded = blocks.BooleanBlock(
        required=False,
        default=False,
        label=_("Calificado: la nota del paquete cuenta para aprobar"),
        help_text=_(
            "La nota que envía el paquete entra en la nota de la lección y del curso, y la lección se completa solo "
            "si el paquete dice que aprobó o, si no lo dice, con una nota que alcanza la nota para aprobar (la del "
            "paquete o, si no tiene, la del curso). Sin marcar: basta con terminar el contenido."
        ),
    )
    weight = blocks.DecimalBlock(
        default=1,
        min_value=0,
        max_digits=5,
        decimal_places=2,
        label=_("Peso"),
        help_text=_("Cuánto pesa esta actividad en la nota de la lección (solo si es calificada)."),
    )

    class Meta:
        icon = "code"
        label = _("Actividad de paquete (SCORM o H5P)")
        description = _("Un contenido SCORM o H5P importado, que se reproduce aislado del resto de Ruta.")
        template = "packages/blocks/package_activity.html"
        value_class = PackageStructValue
        preview_value = {"engine": "scorm12", "title": "Curso SCORM", "launch": "index.html"}

    def get_context(self, value: Any, parent_context: dict | None = None) -> dict:
        from .needs_internet import package_needs_internet
        from .origin import offline_key, package_origin, package_url
        from .services import scorm_attempt_latest, scorm_objective_ids, scorm_result, scorm_resume_tree
        from .views import commit_signature, file_token, token_expires_at

        context = super().get_context(value, parent_context=parent_context)
        package = value.package()
        context["package_obj"] = package
        if package is None:
            return context
        request = (parent_context or {}).get("request")
        page = (parent_context or {}).get("page")
        context_in = parent_context or {}
        user = signed_in_user(getattr(request, "user", None))
        user_id = user.pk if user is not None else None
        token = file_token(package, user_id=user_id)
        # The StreamField child id (Wagtail passes it as ``id``) is the activity's usage id, like every activity.
        usage_id = str(context_in.get("id") or context_in.get("block_id") or value.get("launch", ""))[:64]
        if value.get("engine") == "h5p":
            src = package_url(reverse("packages:h5p_frame", args=[package.uuid, token]))
        else:
            src = package_url(reverse("packages:package_file", args=[package.uuid, token, value.get("launch")]))
            if value.get("parameters"):
                src += "?" + value.get("parameters")
        resume: dict = {}
        result = None
        mastery = value.get("mastery_score")
        if user is not None:
            attempt = scorm_attempt_latest(user=user, package=package, usage_id=usage_id)
            result = scorm_result(
                attempt=attempt, graded=bool(value.get("graded")), pass_mark=_pass_mark(value, context_in)
            )
            if value.get("engine") != "h5p":
                objectives = scorm_objective_ids(package=package) if value.get("engine") == "scorm2004" else []
                resume = scorm_resume_tree(
                    attempt=attempt, engine=value.get("engine"), mastery_score=mastery, objective_ids=objectives
                )
        page_id = getattr(page, "pk", None)
        commit = reverse("packages:scorm_commit", args=[package.uuid]) + f"?usage={usage_id}"
        if page_id is not None:
            commit += f"&page={page_id}"
        if user_id is not None:
            sig = commit_signature(user_id=user_id, package=package, usage_id=usage_id, page_id=page_id)
            commit += f"&sig={sig}"
        if mastery is not None:
            commit += f"&mastery={mastery}"
        # A package that loads files from the Internet cannot play offline: never marked as downloaded (player.js then
        # waits for the signal instead of starting a broken frame), and the learner is told so.
        needs_internet = package_needs_internet(package)
        context.update(
            {
                "frame_src": src,
                "needs_internet": needs_internet,
                # On the package origin the frame has a real origin (never Ruta's): its worker can play it offline.
                # offline_key: what a download keeps on the phone for its first file (courses/offline.js).
                "package_origin": bool(package_origin()),
                "offline_key": offline_key(src) if package_origin() and not needs_internet else "",
                "commit_url": commit,
                "resume": resume,
                "result": result,
                "usage_id": usage_id,
                "links_expire": token_expires_at(token),  # the end of the token's window, not of this render
                "size_mb": round(package.total_size / (1024 * 1024), 1),
            }
        )
        return context
