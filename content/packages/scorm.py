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
    """The pass mark (0..1) an item declares, or None."""
    # SCORM 1.2 puts it on the item as adlcp:masteryscore, a percentage (0–100). SCORM 2004 dropped that element:
    # the pass mark is the primary objective's imsss:minNormalizedMeasure (−1..1, default 1.0), and only counts when
    # satisfiedByMeasure="true" (CAM §5, sequencing: <imsss:objectives>).
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


@dataclass
class _Resources:
    """``<resource>`` elements by identifier, with the ``xml:base`` prefix each one's files resolve against."""

    by_id: dict[str, Element]
    base: dict[str, str]


def parse_scorm_manifest(
    data: bytes, *, names: set[str] | None = None, manifest_path: str = "imsmanifest.xml"
) -> ScormParse:
    """Parse a SCORM manifest. ``names`` (the package's files) enables missing-file checks."""
    findings = Findings()
    root = _manifest_root(data, manifest_path)
    fmt, version = _declared_version(root, findings)
    resources = _read_resources(root)
    org = _default_organization(root, findings)
    title = _course_title(root, org, findings)
    modules = _read_modules(org, title, resources, fmt, findings)
    outline = _outline(root, fmt=fmt, version=version, title=title, modules=modules)
    players = [b for b in outline.blocks() if isinstance(b, PackagePlayer)]
    _report_launchables(players, findings)
    _report_sequencing(root, org, fmt, findings)
    if names is not None:
        _check_files(players, resources.by_id, resources.base, names, findings)
    return ScormParse(outline=outline, findings=findings)


def _manifest_root(data: bytes, manifest_path: str) -> Element:
    root = parse_xml(data, name=manifest_path)
    if local(root.tag) != "manifest":
        raise PackageRefused(
            _("El archivo imsmanifest.xml no describe un paquete SCORM (falta el elemento «manifest»)."),
            code="not_scorm",
        )
    return root


def _declared_version(root: Element, findings: Findings) -> tuple[str, str]:
    """``(format, version)`` of a manifest Ruta can play, or ``PackageRefused``."""
    fmt, version = scorm_version(root)
    if not fmt:
        raise PackageRefused(
            _("El paquete no declara una versión de SCORM que Ruta reconozca (%(v)s).") % {"v": version or "?"},
            code="unknown_version",
        )
    if fmt == "scorm2004" and not version:
        # <schemaversion> is optional in IMS CP, so exporters omit it; the 2004 namespaces alone are what the
        # 2nd Edition (CAM 1.3) defined, and later editions only add to them.
        version = "2004 2nd Edition"
        findings.info(
            "version_inferred",
            _(
                "El manifiesto no declara la edición de SCORM 2004; se trata como 2.ª edición "
                "por sus espacios de nombres."
            ),
        )
    return fmt, version


def _read_resources(root: Element) -> _Resources:
    # xml:base may sit on <manifest>, <resources> and each <resource>; IMS CP 1.1.4 (XML binding, after W3C XML
    # Base) makes a resource's href and its <file> hrefs relative to the concatenation of all three.
    resources = _Resources(by_id={}, base={})
    resources_el = child(root, "resources")
    if resources_el is None:
        return resources
    group_base = _join(attr(root, "base"), attr(resources_el, "base"))
    for res in children(resources_el, "resource"):
        ident = attr(res, "identifier")
        if ident:
            resources.by_id[ident] = res
            resources.base[ident] = _join(group_base, attr(res, "base"))
    return resources


def _default_organization(root: Element, findings: Findings) -> Element:
    """The ``<organization>`` to import: the one ``<organizations default>`` names, else the first."""
    orgs_el = child(root, "organizations")
    orgs = children(orgs_el, "organization") if orgs_el is not None else []
    if not orgs:
        # A "resource package" (CAM §3.5, no organization) is legal SCORM but has no course structure to import.
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
    return org


def _course_title(root: Element, org: Element, findings: Findings) -> str:
    title = child_text(org, "title")
    if not title:
        title = attr(root, "identifier") or _("Curso SCORM sin título")
        findings.warning("missing_title", _("La organización no tiene título; se usa «%(t)s».") % {"t": title})
    return title


def _lesson_for(item: Element, resources: _Resources, fmt: str, findings: Findings) -> Lesson | None:
    """The lesson playing an ``<item>``'s resource, or None when the item launches nothing (a mere folder)."""
    ref = attr(item, "identifierref")
    item_title = child_text(item, "title") or attr(item, "identifier")
    if not ref:
        return None
    res = resources.by_id.get(ref)
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
        # CAM allows a resource without href (files shared by other resources), but an item must launch something.
        findings.warning(
            "missing_launch",
            _("El recurso de «%(t)s» no indica qué archivo abrir; se omite.") % {"t": item_title},
            path=ref,
        )
        return None
    launch = _safe_launch(_join(resources.base.get(ref, ""), href))
    if launch is None:
        findings.warning(
            "external_launch",
            _("«%(t)s» se abre desde fuera del paquete («%(h)s»); Ruta no carga contenido externo.")
            % {"t": item_title, "h": href},
            path=ref,
        )
        return None
    path, query = launch
    # <item parameters> is appended to the resource's launch URL (CAM §3.4.1, <item>): it may start with "?" or
    # "&" and must merge with a query the href already carries.
    params = attr(item, "parameters").lstrip("?&")
    query = "&".join(p for p in (query, params) if p)
    # adlcp:scormType is required, yet some exporters omit it: treated as an asset, because only a "sco" calls the
    # run-time API, and waiting for results from anything else would leave the lesson never completed.
    scorm_type = attr(res, "scormtype").lower() or "asset"
    player = PackagePlayer(
        engine=fmt,
        title=item_title,
        launch=path,
        parameters=query,
        tracked=scorm_type == "sco",
        mastery_score=_mastery(item, fmt),
        source_id=attr(item, "identifier"),
    )
    return Lesson(title=item_title, blocks=[player], source_id=attr(item, "identifier"))


def _descend(item: Element, into: list[Lesson], resources: _Resources, fmt: str, findings: Findings) -> None:
    """Flatten an item and its sub-items, in manifest order, into lessons (Ruta nests only module → lesson)."""
    lesson = _lesson_for(item, resources, fmt, findings)
    if lesson is not None:
        into.append(lesson)
    for sub in children(item, "item"):
        _descend(sub, into, resources, fmt, findings)


def _read_modules(org: Element, title: str, resources: _Resources, fmt: str, findings: Findings) -> list[Module]:
    """First-level items with children become modules; runs of childless first-level items share a module named
    after the course, so manifest order is kept."""
    modules: list[Module] = []
    loose: list[Lesson] = []
    for top in children(org, "item"):
        if children(top, "item"):
            if loose:
                modules.append(Module(title=title, lessons=loose))
                loose = []
            lessons: list[Lesson] = []
            _descend(top, lessons, resources, fmt, findings)
            if lessons:
                modules.append(
                    Module(
                        title=child_text(top, "title") or attr(top, "identifier"),
                        lessons=lessons,
                        source_id=attr(top, "identifier"),
                    )
                )
        else:
            lesson = _lesson_for(top, resources, fmt, findings)
            if lesson is not None:
                loose.append(lesson)
    if loose:
        modules.append(Module(title=title, lessons=loose))
    return modules


def _outline(root: Element, *, fmt: str, version: str, title: str, modules: list[Module]) -> Outline:
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
    return outline


def _report_launchables(players: list[PackagePlayer], findings: Findings) -> None:
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
