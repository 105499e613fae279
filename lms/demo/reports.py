"""Demo for reports: nothing to create (reports only reads), just where each role finds its report.

The figures come from the other apps' demo data (courses, cohorts, certificates, competency).
"""

from __future__ import annotations

from lms.demo.context import DemoContext

LINES = [
    ("me_officer", "/informes/monitoreo/", "Monitoreo y evaluación"),
    ("programme_manager", "/informes/programa/", "Gestión de programa (cuota de mujeres por grupo)"),
    ("donor_viewer", "/informes/cooperante/", "Cooperante USAID (solo cifras agregadas)"),
    ("trainer", "/informes/facilitacion/", "Facilitación (solo sus grupos)"),
    ("data_steward", "/informes/datos/", "Custodia de datos (lista de participantes con registro)"),
]


def seed(ctx: DemoContext) -> None:
    """One line per report, for each demo person who holds the report's role."""
    ctx.say("Informes (desagregados, con celdas pequeñas ocultas):")
    for key, url, label in LINES:
        user = ctx.users.get(key)
        if user is not None:
            ctx.say(f"  {label:<55} {url}  (usuario: {user.username})")
