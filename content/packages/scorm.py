"""SCORM 1.2 and SCORM 2004 (2nd, 3rd, 4th Edition) ``imsmanifest.xml`` → outline.

Organization → course; first-level items with children → modules; every launchable item below them → a lesson
holding one ``PackagePlayer`` (SCO or asset) with its launch file, parameters and mastery score.
Sequencing that Ruta does not run (rules, rollup, randomisation, global objectives, prerequisites) is reported;
SCOs are then offered in manifest order, each freely reachable.

Pure: no Django models, no file access (the caller passes the manifest bytes and the archive's file names).
Must not import courses or certification.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from xml.etree.ElementTree import Element  # noqa: S405 - type only

from django.utils.translation import gettext as _

from .errors import PackageRefused
from .outline import Lesson, Module, Outline, PackagePlayer
from .report import Findings
from .safexml import attr, child, child_text, children, local, namespace, parse_xml

NS_SCORM12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"


@dataclass
class ScormParse:
    outline: Outline
    findings: Findings


def scorm_version(root: Element, raw: bytes = b"") -> tuple[str, str]:
    """``(format, version)``: ("scorm12", "1.2") or ("scorm2004", "2004 3rd Edition") …"""
    metadata = child(root, "metadata")
    declared = child_text(metadata, "schemaversion") if metadata is not None else ""
    low = declared.lower()
    if low == "1.2" or namespace(root.tag) == NS_SCORM12:
        return "scorm12", "1.2"
    if "cam 1.3" in low or "2nd" in low:
        return "scorm2004", "2004 2nd Edition"
    if "3rd" in low:
        return "scorm2004", "2004 3rd Edition"
    if "4th" in low:
        return "scorm2004", "2004 4th Edition"
    if namespace(root.tag) == NS_IMSCP:
        return "scorm2004", ""  # edition not declared; caller reports it
    return "", declared


def _join(*parts: str) -> str:
    joined = ""
    for part in parts:
        if part:
            joined = posixpath.join(joined, part) if joined else part
    return joined


def _safe_launch(href: str) -> tuple[str, str] | None:
    """Split ``dir/page.html?x=1`` into a safe in-package path and its query, or None if it leaves the package."""
    path, _sep, query = href.partition("?")
    path = path.split("#", 1)[0]
    if not path or "://" in path or path.startswith(("/", "\\")) or path.lower().startswith(("javascript:", "data:")):
        return None
    norm = posixpath.normpath(path)
    if norm.startswith("..") or norm == ".":
        return None
    return norm, query


def _mastery(item: Element, fmt: str) -> float | None:
    if fmt == "scorm12":
        text = child_text(item, "masteryscore")
        try:
            return max(0.0, min(1.0, float(text) / 100)) if text else None
        except ValueError:
            return None
    sequencing = child(item, "sequencing")
    objectives = child(sequencing, "objectives") if sequencing is not None else None
    primary = child(objectives, "primaryObjective") if objectives is not None else None
    if primary is not None and attr(primary, "satisfiedByMeasure").lower() == "true":
        text = child_text(primary, "minNormalizedMeasure")
        try:
            return max(0.0, min(1.0, float(text))) if text else 1.0
        except ValueError:
            return None
    return None


def parse_scorm_manifest(
    data: bytes, *, names: set[str] | None = None, manifest_path: str = "imsmanifest.xml"
) -> ScormParse:
    """Parse a SCORM manifest. ``names`` (the package's files) enables missing-file checks."""
    findings = Findings()
    root = parse_xml(data, name=manifest_path)
    if local(root.tag) != "manifest":
        raise PackageRefused(
            _("El archivo imsmanifest.xml no describe un paquete SCORM (falta el elemento «manifest»)."),
            code="not_scorm",
        )
    fmt, version = scorm_version(root)
    if not fmt:
        raise PackageRefused(
            _("El paquete no declara una versión de SCORM que Ruta reconozca (%(v)s).") % {"v": version or "?"},
            code="unknown_version",
        )
    if fmt == "scorm2004" and not version:
        version = "2004 2nd Edition"
        findings.info(
            "version_inferred",
            _(
                "El manifiesto no declara la edición de SCORM 2004; se trata como 2.ª edición "
                "por sus espacios de nombres."
            ),
        )

    # --- resources
    base = attr(root, "base")
    resources_el = child(root, "resources")
    resources: dict[str, Element] = {}
    res_base: dict[str, str] = {}
    if resources_el is not None:
        group_base = _join(base, attr(resources_el, "base"))
        for res in children(resources_el, "resource"):
            ident = attr(res, "identifier")
            if ident:
                resources[ident] = res
                res_base[ident] = _join(group_base, attr(res, "base"))

    # --- organization
    orgs_el = child(root, "organizations")
    orgs = children(orgs_el, "organization") if orgs_el is not None else []
    if not orgs:
        raise PackageRefused(
            _("El paquete SCORM no tiene ninguna organización (índice de contenidos): no hay nada que importar."),
            code="no_organization",
        )
    if any(not attr(o, "identifier") for o in orgs):
        raise PackageRefused(
            _("Una organización del paquete no tiene identificador, que SCORM exige. El paquete está mal formado."),
            code="org_without_identifier",
        )
    default_id = attr(orgs_el, "default") if orgs_el is not None else ""
    org = next((o for o in orgs if attr(o, "identifier") == default_id), None) if default_id else None
    if org is None:
        # IMS CP 1.1.4 §2.3.1 makes @default an IDREF to an organization; when it names none (a common export bug),
        # Moodle and SCORM Cloud use the first organization, as SCORM 2004 CAM 3.4.1.5 does when @default is absent.
        org = orgs[0]
        if default_id:
            findings.warning(
                "broken_default_org",
                _(
                    "El manifiesto indica como organización por defecto «%(id)s», que no existe; se importa la "
                    "primera organización («%(first)s»), como hacen Moodle y otros LMS."
                )
                % {"id": default_id, "first": attr(org, "identifier")},
            )
    if len(orgs) > 1:
        findings.info(
            "several_organizations",
            _("El paquete tiene %(n)s organizaciones; se importa la organización por defecto.") % {"n": len(orgs)},
        )
    title = child_text(org, "title")
    if not title:
        title = attr(root, "identifier") or _("Curso SCORM sin título")
        findings.warning("missing_title", _("La organización no tiene título; se usa «%(t)s».") % {"t": title})

    engine = fmt
    mastery_seen = False

    def lesson_for(item: Element, findings: Findings) -> Lesson | None:
        nonlocal mastery_seen
        ref = attr(item, "identifierref")
        item_title = child_text(item, "title") or attr(item, "identifier")
        if not ref:
            return None
        res = resources.get(ref)
        if res is None:
            findings.warning(
                "missing_resource",
                _("El elemento «%(t)s» apunta a un recurso que no existe («%(r)s»); se omite.")
                % {"t": item_title, "r": ref},
                path=attr(item, "identifier"),
            )
            return None
        href = attr(res, "href")
        if not href:
            findings.warning(
                "missing_launch",
                _("El recurso de «%(t)s» no indica qué archivo abrir; se omite.") % {"t": item_title},
                path=ref,
            )
            return None
        launch = _safe_launch(_join(res_base.get(ref, ""), href))
        if launch is None:
            findings.warning(
                "external_launch",
                _("«%(t)s» se abre desde fuera del paquete («%(h)s»); Ruta no carga contenido externo.")
                % {"t": item_title, "h": href},
                path=ref,
            )
            return None
        path, query = launch
        params = attr(item, "parameters").lstrip("?&")
        query = "&".join(p for p in (query, params) if p)
        scorm_type = attr(res, "scormtype").lower() or "asset"
        mastery = _mastery(item, fmt)
        mastery_seen = mastery_seen or mastery is not None
        player = PackagePlayer(
            engine=engine,
            title=item_title,
            launch=path,
            parameters=query,
            tracked=scorm_type == "sco",
            mastery_score=mastery,
            source_id=attr(item, "identifier"),
        )
        return Lesson(title=item_title, blocks=[player], source_id=attr(item, "identifier"))

    def descend(item: Element, into: list[Lesson]) -> None:
        lesson = lesson_for(item, findings)
        if lesson is not None:
            into.append(lesson)
        for sub in children(item, "item"):
            descend(sub, into)

    modules: list[Module] = []
    loose: list[Lesson] = []
    for top in children(org, "item"):
        if children(top, "item"):
            if loose:
                modules.append(Module(title=title, lessons=loose))
                loose = []
            lessons: list[Lesson] = []
            descend(top, lessons)
            if lessons:
                modules.append(
                    Module(
                        title=child_text(top, "title") or attr(top, "identifier"),
                        lessons=lessons,
                        source_id=attr(top, "identifier"),
                    )
                )
        else:
            lesson = lesson_for(top, findings)
            if lesson is not None:
                loose.append(lesson)
    if loose:
        modules.append(Module(title=title, lessons=loose))

    outline = Outline(
        title=title,
        format=fmt,
        format_version=version,
        identifier=attr(root, "identifier"),
        modules=modules,
        keeps_package_files=True,
    )
    outline.provenance.source_format = fmt
    outline.provenance.source_identifier = outline.identifier
    outline.provenance.version = attr(root, "version")
    outline.provenance.original_title = title

    players = [b for b in outline.blocks() if isinstance(b, PackagePlayer)]
    if not players:
        findings.error(
            "nothing_launchable",
            _(
                "El paquete no tiene ninguna lección que se pueda abrir "
                "(ningún elemento apunta a un archivo de inicio)."
            ),
        )
    elif not any(p.tracked for p in players):
        findings.info(
            "assets_only",
            _("Todas las lecciones son «assets» de SCORM: se mostrarán, pero no envían avance ni notas."),
        )

    _report_sequencing(root, org, fmt, findings)
    if names is not None:
        _check_files(players, resources, res_base, names, findings)
    return ScormParse(outline=outline, findings=findings)


def _check_files(
    players: list[PackagePlayer],
    resources: dict[str, Element],
    res_base: dict[str, str],
    names: set[str],
    findings: Findings,
) -> None:
    folded = {n.casefold(): n for n in names}
    for player in players:
        if player.launch not in names:
            hint = folded.get(player.launch.casefold())
            findings.error(
                "missing_launch_file",
                (
                    _("Falta el archivo de inicio «%(f)s» de la lección «%(t)s» (existe «%(h)s»: revise mayúsculas).")
                    % {"f": player.launch, "t": player.title, "h": hint}
                    if hint
                    else _("Falta el archivo de inicio «%(f)s» de la lección «%(t)s».")
                    % {"f": player.launch, "t": player.title}
                ),
                path=player.launch,
            )
    missing: list[str] = []
    for ident, res in resources.items():
        for file_el in children(res, "file"):
            href = attr(file_el, "href")
            safe = _safe_launch(_join(res_base.get(ident, ""), href)) if href else None
            if safe and safe[0] not in names and safe[0] not in missing:
                missing.append(safe[0])
    if missing:
        shown = ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")
        findings.warning(
            "missing_files",
            _("El manifiesto lista %(n)s archivo(s) que no están en el paquete: %(f)s.")
            % {"n": len(missing), "f": shown},
        )


def _report_sequencing(root: Element, org: Element, fmt: str, findings: Findings) -> None:
    counts: dict[str, int] = {}
    for el in root.iter():
        name = local(el.tag)
        if name in {"preConditionRule", "postConditionRule", "exitConditionRule"}:
            counts["rules"] = counts.get("rules", 0) + 1
        elif name == "rollupRule":
            counts["rollup"] = counts.get("rollup", 0) + 1
        elif name in {"randomizationControls", "selectionControls"}:
            counts["random"] = counts.get("random", 0) + 1
        elif name == "mapInfo":
            counts["global"] = counts.get("global", 0) + 1
        elif name == "limitConditions":
            counts["limits"] = counts.get("limits", 0) + 1
        elif name == "prerequisites" and (el.text or "").strip():
            counts["prereq"] = counts.get("prereq", 0) + 1
        elif name == "data" and namespace(el.tag).startswith("http://www.adlnet.org/xsd/adlcp"):
            counts["shared"] = counts.get("shared", 0) + 1
        elif name == "controlMode" and attr(el, "forwardOnly").lower() == "true":
            counts["forward"] = counts.get("forward", 0) + 1
    messages = {
        "rules": _(
            "El paquete usa reglas de secuenciación (p. ej. «desactivar hasta aprobar la anterior»). Ruta no las "
            "ejecuta: las lecciones se ofrecerán en orden y todas estarán disponibles. Use los prerrequisitos de Ruta."
        ),
        "rollup": _(
            "El paquete define reglas propias para calcular el estado global (rollup); "
            "Ruta calcula el avance a su manera."
        ),
        "random": _(
            "El paquete elige o baraja actividades al azar (pruebas aleatorias); Ruta mostrará todas en orden."
        ),
        "global": _("El paquete comparte objetivos entre actividades (objetivos globales); Ruta no los transmite."),
        "limits": _("El paquete limita intentos o tiempo por actividad; Ruta no aplica esos límites."),
        "prereq": _(
            "El paquete define prerrequisitos entre SCO (SCORM 1.2); Ruta no los aplica: "
            "configure prerrequisitos en Ruta."
        ),
        "shared": _("El paquete usa datos compartidos entre SCO (SCORM 2004 4.ª ed.); Ruta no los comparte."),
        "forward": _("El paquete obliga a avanzar sin volver atrás; en Ruta se podrá volver a lecciones anteriores."),
    }
    for key, message in messages.items():
        if counts.get(key):
            findings.warning(f"sequencing_{key}", message)
    if fmt == "scorm2004" and any(local(el.tag) == "controlMode" for el in org.iter()) and not counts:
        findings.info("sequencing_flow", _("La navegación «flow/choice» del paquete se respeta: lecciones en orden."))
