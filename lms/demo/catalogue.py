"""Demo catalogue under /cursos/ (DOMAIN.md §2): programmes, courses with short real lessons and activities,
and demo participants' enrolments with partial progress; one participant has completed IMESUN-GIN.

One function per course (its programme page first where the programme has one course), then one per demo person's
enrolments. Idempotent: pages are found by slug under their parent and refreshed; block ids and submission ids are
derived from stable names (uuid5), so re-running changes nothing and never double-counts an answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wagtail.models import Site

from courses.models import CataloguePage, CoursePage, Enrollment, LessonPage, ModulePage, ProgrammePage
from courses.services import enrollment_create, progress_record
from lms.accounts.models import Institution
from lms.demo.context import DemoContext
from lms.demo.pages import (
    blanks,
    callout,
    child_page,
    choice,
    complete_lesson,
    demo_image,
    image,
    ordering,
    reflection,
    required_lessons,
    text,
    true_false,
)

if TYPE_CHECKING:
    from wagtail.images.models import Image

VIEWED, ACTIVITIES = LessonPage.CompletionRule.VIEWED, LessonPage.CompletionRule.ACTIVITIES


def seed(ctx: DemoContext) -> None:
    """Build the catalogue, then enrol the demo people: Yolimar, Rosa, José and Carmen (the facilitator)."""
    courses = catalogue_build(ctx)
    ctx.objects["courses"] = courses
    ctx.objects["course_gin"] = courses["IMESUN-GIN"]
    ctx.objects["course_isun"] = courses["IMESUN-ISUN"]
    ctx.objects["course_tot_gin"] = courses["IMESUN-GIN-FF"]
    ctx.objects["course_sst"] = courses["SST-NEGOCIO"]
    _participant_enrolments(ctx, courses)
    _participant2_enrolments(ctx, courses)
    _participant3_enrolments(ctx, courses)
    _trainer_enrolments(ctx, courses)
    ctx.say("Catálogo de cursos: /cursos/ · Mis cursos: /aprender/mis-cursos/")


def catalogue_build(ctx: DemoContext) -> dict[str, CoursePage]:
    """The catalogue page, every programme and course (by code, in catalogue order) and the learning path."""
    institutions = ctx.institutions
    root = Site.objects.get(is_default_site=True).root_page
    catalogue = child_page(
        root,
        CataloguePage,
        "cursos",
        title="Cursos",
        intro="<p>Cursos gratuitos y cortos para emprendedoras y emprendedores, trabajadoras y trabajadores, "
        "y para quienes facilitan. Estudia desde tu celular, a tu ritmo.</p>",
    )
    ctx.objects["catalogue"] = catalogue
    picture = demo_image()
    imesun = _programme(
        catalogue,
        "imesun",
        "IMESUN: Inicie y Mejore su Negocio",
        "La metodología de la OIT para crear y hacer crecer pequeños negocios, paso a paso.",
        "Emprendedoras y emprendedores en cualquier etapa, y personal de instituciones que facilita.",
    )
    ctx.objects["programme_imesun"] = imesun
    courses = {
        "IMESUN-GIN": _gin(imesun, institutions, picture),
        "IMESUN-ISUN": _isun(imesun, institutions),
        "IMESUN-MESUN": _mesun(imesun, institutions),
        "IMESUN-EESUN": _eesun(imesun, institutions),
        "IMESUN-GIN-FF": _gin_training_of_trainers(imesun, institutions),
        "GET-AHEAD": _get_ahead(catalogue, institutions),
        "EF-BASICO": _financial_education(catalogue, institutions),
        "SST-NEGOCIO": _sst(catalogue, institutions),
        "CE-MIGRACION": _fair_recruitment(catalogue, institutions),
        "BOOTCAMP-DIG": _bootcamp(catalogue, institutions),
        "CC-ORIENTACION": _competency_orientation(catalogue, institutions),
    }
    _learning_path(courses)
    return courses


def _programme(catalogue: CataloguePage, slug: str, title: str, summary: str, audience: str) -> ProgrammePage:
    """A programme page under the catalogue."""
    return child_page(catalogue, ProgrammePage, slug, title=title, summary=summary, audience=audience)


def _course(programme: ProgrammePage, slug: str, modules: list[tuple[str, str, list[dict]]], **fields) -> CoursePage:
    """A course with modules and lessons: modules = [(module title, module slug, [lesson dicts])]."""
    course = child_page(programme, CoursePage, slug, **fields)
    for module_title, module_slug, lessons in modules:
        module = child_page(course, ModulePage, module_slug, title=module_title)
        for lesson in lessons:
            child_page(module, LessonPage, lesson.pop("slug"), **lesson)
    return course


def _learning_path(courses: dict[str, CoursePage]) -> None:
    """ISUN after GIN; the training of trainers after GIN."""
    for code in ("IMESUN-ISUN", "IMESUN-GIN-FF"):
        course = courses[code]
        if not course.prerequisites.filter(pk=courses["IMESUN-GIN"].pk).exists():
            course.prerequisites.add(courses["IMESUN-GIN"])
            course.save()


# --- Courses, in catalogue order ---------------------------------------------------------------------------


def _gin(imesun: ProgrammePage, institutions: dict[str, Institution], picture: Image) -> CoursePage:
    """GIN (Genere su Idea de Negocio): where ideas come from, with the illustration; testing an idea."""
    k = "GIN"
    return _course(
        imesun,
        "gin",
        [
            (
                "Tu idea de negocio",
                "tu-idea",
                [
                    {
                        "slug": "de-donde-salen-las-ideas",
                        "title": "¿De dónde salen las buenas ideas de negocio?",
                        "completion_rule": VIEWED,
                        "estimated_minutes": 8,
                        "body": [
                            text(
                                k,
                                "<p>Una buena idea de negocio responde a una <b>necesidad real</b> de las personas "
                                "de tu barrio o de tu ciudad. No hace falta inventar algo nuevo: muchas ideas nacen "
                                "de mirar con atención lo que falta, lo que cuesta conseguir o lo que se puede "
                                "hacer mejor.</p><h2>Tres fuentes de ideas</h2><ul><li>Tus habilidades y tu "
                                "experiencia, también la que traes de otro país.</li><li>Los problemas que ves "
                                "cada día en tu comunidad.</li><li>Lo que las clientas y los clientes piden y "
                                "no encuentran.</li></ul>",
                            ),
                            image(
                                k,
                                picture.pk,
                                "Un puesto de mercado con frutas y toldos de colores",
                                "Observar el mercado da ideas.",
                            ),
                            callout(
                                k,
                                "Consejo",
                                "<p>Durante una semana, anota en tu celular cada vez que alguien diga «ojalá "
                                "hubiera…». Esa lista es tu primera fuente de ideas.</p>",
                            ),
                        ],
                    },
                    {
                        "slug": "pon-a-prueba-tu-idea",
                        "title": "Pon a prueba tu idea",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 10,
                        "body": [
                            text(
                                k + "2",
                                "<p>Antes de invertir tus ahorros, conversa con posibles clientes y compara tu "
                                "idea con lo que ya existe. Responde estas preguntas para repasar.</p>",
                            ),
                            choice(
                                k,
                                "¿Qué conviene hacer primero para saber si una idea de negocio puede funcionar?",
                                [
                                    (
                                        "Conversar con posibles clientes sobre lo que necesitan",
                                        True,
                                        "¡Bien! Así validas tu idea con quienes comprarían.",
                                    ),
                                    (
                                        "Comprar toda la mercadería de una vez",
                                        False,
                                        "Primero confirma que hay clientes; luego inviertes.",
                                    ),
                                    (
                                        "Copiar el negocio que más se ve en la calle",
                                        False,
                                        "Si ya hay muchos, será difícil diferenciarte.",
                                    ),
                                ],
                                title="Generar ideas de negocio",
                            ),
                            true_false(
                                k,
                                "Una idea de negocio puede nacer de la experiencia que traes de tu país de origen.",
                                True,
                                "¡Exacto! Tu experiencia es un punto de partida valioso.",
                                "Sí puede: lo que sabes hacer es una de las mejores fuentes de ideas.",
                            ),
                            blanks(
                                k,
                                "Completa la frase.",
                                "Una buena idea de negocio responde a una [[necesidad|necesidades]] de las personas.",
                                "¡Muy bien!",
                                "Piensa en lo que las personas buscan y no encuentran.",
                            ),
                        ],
                    },
                ],
            )
        ],
        title="Genere su Idea de Negocio (GIN)",
        code="IMESUN-GIN",
        summary="Descubre y elige una idea de negocio que responda a lo que tu comunidad necesita.",
        objectives="<ul><li>Reconocer de dónde salen las buenas ideas de negocio.</li><li>Poner a prueba una idea "
        "conversando con posibles clientes.</li><li>Elegir la idea con la que vas a empezar.</li></ul>",
        estimated_hours=12,
        institution=institutions.get("oit"),
        pass_mark=70,
        methodology="IMESUN",
        sub_module="GIN",
    )


def _isun(imesun: ProgrammePage, institutions: dict[str, Institution]) -> CoursePage:
    """ISUN (Inicie su Negocio): a one-page business plan."""
    k = "ISUN"
    return _course(
        imesun,
        "isun",
        [
            (
                "Tu plan de negocio",
                "plan",
                [
                    {
                        "slug": "plan-en-una-pagina",
                        "title": "Tu plan de negocio en una página",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 12,
                        "body": [
                            text(
                                k,
                                "<p>Un plan de negocio no tiene que ser largo. En una página puedes responder: "
                                "<b>qué vendes, a quién, a qué precio, cuánto te cuesta</b> y cómo lo vas a dar "
                                "a conocer.</p>",
                            ),
                            choice(
                                k,
                                "¿Cuál de estas preguntas ayuda a fijar el precio de tu producto?",
                                [
                                    ("¿Cuánto me cuesta producirlo?", True, "Sí: el precio debe cubrir tus costos."),
                                    ("¿De qué color es mi local?", False, "Eso no define el precio."),
                                ],
                            ),
                        ],
                    }
                ],
            )
        ],
        title="Inicie su Negocio (ISUN)",
        code="IMESUN-ISUN",
        summary="Convierte tu idea en un plan de negocio sencillo y listo para empezar.",
        objectives="<ul><li>Escribir tu plan de negocio en una página.</li><li>Calcular costos y precios.</li></ul>",
        estimated_hours=20,
        level=CoursePage.Level.INTERMEDIATE,
        institution=institutions.get("oit"),
        methodology="IMESUN",
        sub_module="ISUN",
    )


def _mesun(imesun: ProgrammePage, institutions: dict[str, Institution]) -> CoursePage:
    """MESUN (Mejore su Negocio), «por confirmar»: costs and prices."""
    k = "MESUN"
    return _course(
        imesun,
        "mesun",
        [
            (
                "Costos y precios",
                "costos",
                [
                    {
                        "slug": "costos-y-precios",
                        "title": "Costos y precios",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 10,
                        "body": [
                            text(k, "<p>Para mejorar tu negocio, primero conoce bien tus costos.</p>"),
                            blanks(
                                k,
                                "Completa la fórmula.",
                                "Ganancia = ingresos menos [[costos|gastos]].",
                                "¡Muy bien!",
                                "A los ingresos les restas lo que gastas.",
                            ),
                        ],
                    }
                ],
            )
        ],
        title="Mejore su Negocio (MESUN)",
        code="IMESUN-MESUN",
        summary="Por confirmar: submódulo habitual de la OIT para mejorar la gestión de un negocio en marcha.",
        estimated_hours=20,
        level=CoursePage.Level.INTERMEDIATE,
        institution=institutions.get("oit"),
        methodology="IMESUN",
        sub_module="MESUN",
        to_be_confirmed=True,
    )


def _eesun(imesun: ProgrammePage, institutions: dict[str, Institution]) -> CoursePage:
    """EESUN (Expanda su Negocio), «por confirmar»: growing with care."""
    k = "EESUN"
    return _course(
        imesun,
        "eesun",
        [
            (
                "Crecer con cuidado",
                "crecer",
                [
                    {
                        "slug": "crecer-con-cuidado",
                        "title": "Crecer con cuidado",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 8,
                        "body": [
                            text(k, "<p>Crecer es más que vender más: también es cuidar tu flujo de caja.</p>"),
                            true_false(
                                k,
                                "Antes de abrir un segundo local conviene revisar si el primero deja ganancias.",
                                True,
                                "¡Así es!",
                                "Sí conviene: crecer con pérdidas multiplica las pérdidas.",
                            ),
                        ],
                    }
                ],
            )
        ],
        title="Expanda su Negocio (EESUN)",
        code="IMESUN-EESUN",
        summary="Por confirmar: submódulo habitual de la OIT para hacer crecer un negocio.",
        estimated_hours=20,
        level=CoursePage.Level.ADVANCED,
        institution=institutions.get("oit"),
        methodology="IMESUN",
        sub_module="EESUN",
        to_be_confirmed=True,
    )


def _gin_training_of_trainers(imesun: ProgrammePage, institutions: dict[str, Institution]) -> CoursePage:
    """The GIN training of trainers: closed enrolment, blended, for institutions' staff."""
    k = "FF-GIN"
    return _course(
        imesun,
        "formacion-facilitadores-gin",
        [
            (
                "Facilitar GIN",
                "facilitar",
                [
                    {
                        "slug": "el-rol-de-quien-facilita",
                        "title": "El rol de quien facilita",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 15,
                        "body": [
                            text(
                                k,
                                "<p>Quien facilita no da una clase magistral: parte de lo que las y los "
                                "participantes ya saben y les ayuda a descubrir sus propias ideas.</p>",
                            ),
                            choice(
                                k,
                                "En una sesión de GIN, ¿qué hace una buena facilitadora o un buen facilitador?",
                                [
                                    (
                                        "Propone actividades y preguntas para que el grupo descubra ideas",
                                        True,
                                        "¡Correcto!",
                                    ),
                                    (
                                        "Dicta la teoría durante toda la sesión",
                                        False,
                                        "GIN es práctico y participativo.",
                                    ),
                                ],
                            ),
                        ],
                    }
                ],
            )
        ],
        title="Formación de facilitadores IMESUN-GIN",
        code="IMESUN-GIN-FF",
        summary="Para personal de instituciones que facilitará GIN, con práctica supervisada.",
        estimated_hours=40,
        level=CoursePage.Level.ADVANCED,
        delivery_mode=CoursePage.DeliveryMode.BLENDED,
        institution=institutions.get("oit"),
        open_enrollment=False,
        training_of_trainers=True,
        methodology="IMESUN",
        sub_module="GIN",
    )


def _get_ahead(catalogue: CataloguePage, institutions: dict[str, Institution]) -> CoursePage:
    """Get Ahead, for women who start a business: a reflection on what they already know."""
    get_ahead = _programme(
        catalogue,
        "get-ahead",
        "Get Ahead",
        "Emprendimiento para mujeres, desde lo que ya saben hacia un plan de negocio.",
        "Mujeres peruanas y venezolanas que emprenden.",
    )
    k = "GA"
    return _course(
        get_ahead,
        "get-ahead-mujeres",
        [
            (
                "Lo que ya sabes vale",
                "saberes",
                [
                    {
                        "slug": "lo-que-ya-sabes-vale",
                        "title": "Lo que ya sabes vale",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 10,
                        "body": [
                            text(
                                k,
                                "<p>Muchas mujeres ya administran un hogar, cuidan, organizan y negocian cada día. "
                                "Esas habilidades también sirven para emprender.</p>",
                            ),
                            reflection(
                                k,
                                "¿Qué sabes hacer muy bien que podría convertirse en un negocio?",
                                "Gracias por compartirlo. Guarda esta idea para la próxima lección.",
                            ),
                            true_false(
                                k,
                                "Organizar el presupuesto de la casa es una habilidad útil para un negocio.",
                                True,
                                "¡Claro que sí!",
                                "Sí lo es: planificar gastos es parte de todo negocio.",
                            ),
                        ],
                    }
                ],
            )
        ],
        title="Get Ahead: mujeres que emprenden",
        code="GET-AHEAD",
        summary="Actividades en grupo para convertir lo que sabes en un negocio.",
        estimated_hours=16,
        delivery_mode=CoursePage.DeliveryMode.FACILITATED,
        institution=institutions.get("oit"),
        methodology="Get Ahead",
    )


def _financial_education(catalogue: CataloguePage, institutions: dict[str, Institution]) -> CoursePage:
    """Financial education: keeping the business's money apart; solidarity groups."""
    finance = _programme(
        catalogue,
        "educacion-financiera",
        "Educación financiera",
        "Manejar el dinero del negocio y de la familia, ahorrar y conocer el crédito y los grupos solidarios.",
        "Emprendedoras y emprendedores, personal de microfinanzas y de instituciones públicas.",
    )
    k = "EF"
    return _course(
        finance,
        "finanzas-para-tu-negocio",
        [
            (
                "Tu dinero",
                "tu-dinero",
                [
                    {
                        "slug": "separar-el-dinero",
                        "title": "Separar el dinero del negocio y de la casa",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 8,
                        "body": [
                            text(
                                k,
                                "<p>Si mezclas el dinero del negocio con el de la casa, no sabrás si tu negocio "
                                "gana o pierde. Págate un sueldo fijo y registra cada venta y cada gasto.</p>",
                            ),
                            true_false(
                                k,
                                "Separar el dinero del negocio y el de la casa ayuda a saber si ganas.",
                                True,
                                "¡Exacto!",
                                "Mezclar ambos no deja ver las ganancias.",
                            ),
                            blanks(
                                k,
                                "Completa la frase.",
                                "Registrar cada [[venta|ventas]] y cada gasto te muestra cómo va tu negocio.",
                                "¡Muy bien!",
                                "Piensa en el dinero que entra.",
                            ),
                        ],
                    },
                    {
                        "slug": "grupos-solidarios",
                        "title": "Grupos solidarios y bancos comunales",
                        "completion_rule": VIEWED,
                        "estimated_minutes": 6,
                        "body": [
                            text(
                                k + "2",
                                "<p>En un grupo solidario, varias personas se garantizan entre sí para acceder a "
                                "un crédito. Cada integrante asume un rol: coordinación, secretaría, tesorería. "
                                "Los roles rotan para que todas y todos aprendan.</p>",
                            ),
                        ],
                    },
                ],
            )
        ],
        title="Finanzas para tu negocio y tu hogar",
        code="EF-BASICO",
        summary="Ahorro, registro de ventas y gastos, y cómo funcionan el crédito y los grupos solidarios.",
        estimated_hours=10,
        institution=institutions.get("alternativa"),
        methodology="Finanzas Solidarias",
    )


def _sst(catalogue: CataloguePage, institutions: dict[str, Institution]) -> CoursePage:
    """Occupational safety and health for a small business, with the biosafety-plan lesson."""
    sst = _programme(
        catalogue,
        "sst",
        "Seguridad y salud en el trabajo",
        "Prevenir riesgos y accidentes en tu negocio, y preparar tu plan de bioseguridad.",
        "Dueñas y dueños de micronegocios: puestos de comida, cevicherías, bodegas.",
    )
    k = "SST"
    return _course(
        sst,
        "sst-en-tu-negocio",
        [
            (
                "Cooperación, seguridad y salud",
                "seguridad",
                [
                    {
                        "slug": "riesgos-en-tu-puesto",
                        "title": "Riesgos en tu puesto de trabajo",
                        "completion_rule": VIEWED,
                        "estimated_minutes": 7,
                        "body": [
                            text(
                                k,
                                "<p>Cuchillos, fuego, pisos mojados y cargas pesadas: en un puesto de comida hay "
                                "riesgos cada día. Identificarlos es el primer paso para prevenir accidentes.</p>",
                            ),
                            callout(
                                k,
                                "Importante",
                                "<p>Ten siempre a la mano un botiquín y el número de emergencias.</p>",
                                kind="warning",
                            ),
                        ],
                    },
                    {
                        "slug": "tu-plan-de-bioseguridad",
                        "title": "Tu plan de bioseguridad",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 12,
                        "body": [
                            text(
                                k + "2",
                                "<p>Un plan de bioseguridad describe cómo proteges la salud de tu clientela y de "
                                "quienes trabajan contigo: limpieza, lavado de manos, ventilación y qué hacer "
                                "si alguien se enferma.</p>",
                            ),
                            ordering(
                                k,
                                "Ordena los pasos para preparar tu plan de bioseguridad.",
                                [
                                    "Identificar los riesgos de tu negocio",
                                    "Definir medidas de limpieza y protección",
                                    "Asignar responsables y horarios",
                                    "Revisar el plan cada mes",
                                ],
                            ),
                            choice(
                                k,
                                "¿Cada cuánto conviene revisar tu plan de bioseguridad?",
                                [
                                    ("Con regularidad, por ejemplo cada mes", True, "¡Bien! Los riesgos cambian."),
                                    (
                                        "Solo una vez, al abrir el negocio",
                                        False,
                                        "Los riesgos cambian: revísalo seguido.",
                                    ),
                                ],
                            ),
                        ],
                    },
                ],
            )
        ],
        title="Seguridad y salud en el trabajo para tu negocio",
        code="SST-NEGOCIO",
        summary="Basado en el manual «Cooperación, seguridad y salud: la base del éxito emprendedor».",
        estimated_hours=8,
        institution=institutions.get("alternativa"),
        methodology="SCORE",
    )


def _fair_recruitment(catalogue: CataloguePage, institutions: dict[str, Institution]) -> CoursePage:
    """Fair recruitment with a human-mobility focus (ESAN), for officials and employers."""
    fair = _programme(
        catalogue,
        "contratacion-equitativa",
        "Contratación equitativa",
        "Reclutamiento justo de personas trabajadoras migrantes, con enfoque de género.",
        "Funcionariado, servicios de empleo, agencias privadas, sindicatos, empleadores y ONG.",
    )
    k = "CE"
    return _course(
        fair,
        "contratacion-equitativa-migracion",
        [
            (
                "Principios",
                "principios",
                [
                    {
                        "slug": "que-es-la-contratacion-equitativa",
                        "title": "¿Qué es la contratación equitativa?",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 10,
                        "body": [
                            text(
                                k,
                                "<p>La contratación equitativa protege a las personas trabajadoras durante el "
                                "reclutamiento: sin engaños, sin retención de documentos y sin cobros por "
                                "conseguir empleo.</p>",
                            ),
                            true_false(
                                k,
                                "Una agencia puede cobrar a la persona trabajadora por conseguirle empleo.",
                                False,
                                "Correcto: los costos de contratación no deben recaer en quien trabaja.",
                                "No: según los principios de la OIT, la persona trabajadora no paga por su empleo.",
                            ),
                        ],
                    }
                ],
            )
        ],
        title="Contratación equitativa con enfoque de movilidad humana",
        code="CE-MIGRACION",
        summary="Curso virtual; en algunos países se ofrece como diplomado.",
        estimated_hours=30,
        level=CoursePage.Level.INTERMEDIATE,
        institution=institutions.get("esan"),
    )


def _bootcamp(catalogue: CataloguePage, institutions: dict[str, Institution]) -> CoursePage:
    """The Silabuz digital-skills bootcamp: a first step in programming, in a team."""
    bootcamp = _programme(
        catalogue,
        "bootcamp-digital",
        "Bootcamp de competencias digitales",
        "Competencias digitales y socioemocionales intensivas, orientadas a empleos de software.",
        "Jóvenes peruanos y venezolanos.",
    )
    k = "BC"
    return _course(
        bootcamp,
        "bootcamp-competencias-digitales",
        [
            (
                "Primeros pasos",
                "primeros-pasos",
                [
                    {
                        "slug": "tu-primer-paso-en-programacion",
                        "title": "Tu primer paso en la programación",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 10,
                        "body": [
                            text(
                                k,
                                "<p>Programar es dar instrucciones precisas a una computadora. Empezarás con "
                                "ejercicios cortos y trabajo en equipo, como en una empresa de software.</p>",
                            ),
                            choice(
                                k,
                                "¿Qué habilidad socioemocional es clave en un equipo de software?",
                                [
                                    (
                                        "Comunicar con claridad lo que estás haciendo",
                                        True,
                                        "¡Sí! El trabajo es en equipo.",
                                    ),
                                    (
                                        "Trabajar siempre en silencio y sin pedir ayuda",
                                        False,
                                        "Pedir ayuda a tiempo es una fortaleza.",
                                    ),
                                ],
                            ),
                        ],
                    }
                ],
            )
        ],
        title="Bootcamp de competencias digitales",
        code="BOOTCAMP-DIG",
        summary="Intensivo para empleos de software, con habilidades técnicas y socioemocionales.",
        estimated_hours=120,
        delivery_mode=CoursePage.DeliveryMode.BLENDED,
        institution=institutions.get("silabuz"),
    )


def _competency_orientation(catalogue: CataloguePage, institutions: dict[str, Institution]) -> CoursePage:
    """Orientation for the sales and cleaning competency assessments (MTPE)."""
    competency = _programme(
        catalogue,
        "certificacion-de-competencias",
        "Certificación de competencias",
        "Reconocimiento de lo que aprendiste trabajando, en ventas y en limpieza.",
        "Personas desempleadas, subempleadas o en riesgo de perder su empleo, peruanas y migrantes.",
    )
    k = "CC"
    return _course(
        competency,
        "orientacion-ventas-y-limpieza",
        [
            (
                "Orientación",
                "orientacion",
                [
                    {
                        "slug": "como-es-la-evaluacion",
                        "title": "¿Cómo es la evaluación de competencias?",
                        "completion_rule": ACTIVITIES,
                        "estimated_minutes": 8,
                        "body": [
                            text(
                                k,
                                "<p>La certificación de competencias reconoce lo que ya sabes hacer. No es un "
                                "curso: una evaluadora o un evaluador observa tu trabajo y revisa tus "
                                "evidencias.</p>"
                                '<p>Cuando quieras, postula en <a href="/competencias/">Certificación de '
                                "competencias</a> (también en el menú, «Competencias»).</p>",
                            ),
                            ordering(
                                k,
                                "Ordena las etapas de la certificación.",
                                [
                                    "Postulación",
                                    "Autoevaluación",
                                    "Prueba de conocimientos",
                                    "Evaluación de desempeño",
                                    "Dictamen y certificado",
                                ],
                            ),
                        ],
                    }
                ],
            )
        ],
        title="Orientación para la certificación de competencias: ventas y limpieza",
        code="CC-ORIENTACION",
        summary="Qué esperar de la evaluación y cómo preparar tus evidencias.",
        estimated_hours=2,
        institution=institutions.get("mtpe"),
    )


# --- Enrolments ----------------------------------------------------------------------------------------------


def _participant_enrolments(ctx: DemoContext, courses: dict[str, CoursePage]) -> None:
    """Yolimar completed GIN (so a certificate can be issued), then started ISUN and financial education."""
    participant = ctx.users.get("participant")
    if participant is None:
        return
    gin = enrollment_create(user=participant, course=courses["IMESUN-GIN"])
    for lesson in required_lessons(courses["IMESUN-GIN"]):
        complete_lesson(participant, lesson)
    gin.refresh_from_db()
    ctx.objects["enrollment_gin_completed"] = gin
    enrollment_create(user=participant, course=courses["IMESUN-ISUN"])
    finance = enrollment_create(user=participant, course=courses["EF-BASICO"])
    progress_record(user=participant, lesson_id=required_lessons(courses["EF-BASICO"])[-1].pk, viewed=True)
    ctx.objects["enrollment_in_progress"] = finance


def _participant2_enrolments(ctx: DemoContext, courses: dict[str, CoursePage]) -> None:
    """Rosa viewed the first lesson of GIN and of SST."""
    participant2 = ctx.users.get("participant2")
    if participant2 is None:
        return
    enrollment_create(user=participant2, course=courses["IMESUN-GIN"])
    progress_record(user=participant2, lesson_id=required_lessons(courses["IMESUN-GIN"])[0].pk, viewed=True)
    sst = enrollment_create(user=participant2, course=courses["SST-NEGOCIO"])
    progress_record(user=participant2, lesson_id=required_lessons(courses["SST-NEGOCIO"])[0].pk, viewed=True)
    ctx.objects["enrollment_sst"] = sst


def _participant3_enrolments(ctx: DemoContext, courses: dict[str, CoursePage]) -> None:
    """José (Quito) enrolled in the bootcamp and GIN, without progress yet."""
    participant3 = ctx.users.get("participant3")
    if participant3 is None:
        return
    enrollment_create(user=participant3, course=courses["BOOTCAMP-DIG"])
    enrollment_create(user=participant3, course=courses["IMESUN-GIN"])


def _trainer_enrolments(ctx: DemoContext, courses: dict[str, CoursePage]) -> None:
    """The facilitator took GIN and is in the training of trainers (closed course: enrolled by staff)."""
    trainer = ctx.users.get("trainer")
    if trainer is None:
        return
    enrollment_create(user=trainer, course=courses["IMESUN-GIN"])
    for lesson in required_lessons(courses["IMESUN-GIN"]):
        complete_lesson(trainer, lesson)
    ctx.objects["enrollment_tot"] = enrollment_create(
        user=trainer, course=courses["IMESUN-GIN-FF"], source=Enrollment.Source.STAFF
    )
