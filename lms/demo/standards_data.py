"""Three competency standards written for Ruta (the reports name the occupations, not the standards).

Plain data loaded by ``services.standard_load``: *Ventas y atención al cliente* (UNMSM), *Limpieza y
desinfección de ambientes* (Instituto Khipu) and *Desarrollo web junior* (Silabuz bootcamp, with
socio-emotional units). Questions use content's activity value shapes (single/multiple choice, true/false).
These texts are data that a certifying body edits, not interface strings, so they are not translated.
"""

from __future__ import annotations

from typing import Any


def sc(prompt: str, right: str, *wrong: str) -> dict[str, Any]:
    """A single-choice question; the right option is written first and the test page shuffles them."""
    options = [{"text": right, "correct": True, "feedback": ""}] + [
        {"text": w, "correct": False, "feedback": ""} for w in wrong
    ]
    return {"type": "single_choice", "value": {"title": "", "prompt": prompt, "options": options}}


def mc(prompt: str, right: list[str], wrong: list[str]) -> dict[str, Any]:
    options = [{"text": r, "correct": True, "feedback": ""} for r in right] + [
        {"text": w, "correct": False, "feedback": ""} for w in wrong
    ]
    return {"type": "multiple_choice", "value": {"title": "", "prompt": prompt, "options": options}}


def tf(prompt: str, answer: bool) -> dict[str, Any]:
    return {"type": "true_false", "value": {"prompt": prompt, "correct_answer": "true" if answer else "false"}}


LEVELS = ["No logrado", "En proceso", "Logrado", "Destacado"]

VENTAS: dict[str, Any] = {
    "code": "RUTA-VEN",
    "version": 1,
    "title": "Ventas y atención al cliente",
    "occupation": "Vendedora o vendedor de tienda, bodega o puesto de mercado",
    "description": (
        "Para personas que venden en tiendas, bodegas, mercados o por redes sociales y quieren certificar lo "
        "que aprendieron trabajando: atender a la clientela, cerrar la venta, cobrar con medios físicos y "
        "digitales, y mantener ordenado el punto de venta."
    ),
    "units": [
        {
            "code": "VEN-01",
            "title": "Atender a la clientela según sus necesidades y las políticas del negocio",
            "criteria": [
                "Saluda con cordialidad, se presenta y muestra disposición para ayudar.",
                "Identifica lo que la persona necesita con preguntas abiertas y escucha activa.",
                "Informa precio, características, garantía y condiciones de cambio del producto.",
                "Atiende quejas y reclamos con calma y ofrece el libro de reclamaciones cuando corresponde.",
                "Trata a todas las personas con respeto, sin distinción por nacionalidad, género, edad o discapacidad.",
            ],
            "knowledge": [
                "Técnicas de atención y escucha activa.",
                "Derechos de las personas consumidoras y libro de reclamaciones.",
                "Comunicación asertiva y manejo de clientes molestos.",
            ],
            "evidence": [
                "Constancia o carta de un empleador o cliente frecuente (opcional).",
                "Registro de una atención real o simulada.",
            ],
            "questions": [
                sc(
                    "Una clienta entra y mira los productos sin hablar. ¿Qué es lo más adecuado?",
                    "Saludarla, ofrecer ayuda y dejarla mirar con tranquilidad",
                    "Esperar a que ella pregunte",
                    "Ofrecerle de inmediato el producto más caro",
                ),
                sc(
                    "¿Qué es la escucha activa?",
                    "Prestar atención, preguntar y confirmar lo que la persona necesita",
                    "Responder rápido para no hacer esperar",
                    "Hablar de todas las ofertas del día",
                ),
                tf(
                    "Si un cliente pide el libro de reclamaciones, el negocio puede negarse si está muy ocupado.", False
                ),
                sc(
                    "Un cliente reclama molesto porque el producto salió fallado. ¿Qué haces primero?",
                    "Escucharlo sin interrumpir y reconocer el problema",
                    "Explicarle que no es tu culpa",
                    "Pedirle que vuelva otro día",
                ),
                mc(
                    "¿Qué información debes dar antes de vender un artefacto?",
                    ["Precio total", "Garantía", "Condiciones de cambio o devolución"],
                    ["Cuánto ganas por la venta"],
                ),
                tf("Atender primero a quien es de tu misma nacionalidad es una buena práctica de servicio.", False),
                sc(
                    "¿Qué frase muestra comunicación asertiva?",
                    "«Entiendo su molestia; veamos juntos cómo solucionarlo»",
                    "«Así son las reglas, no puedo hacer nada»",
                    "«Usted no entendió lo que le dije»",
                ),
            ],
            "question_count": 5,
        },
        {
            "code": "VEN-02",
            "title": "Realizar la venta y el cobro con medios de pago físicos y digitales",
            "criteria": [
                "Presenta los beneficios del producto y responde las objeciones con argumentos.",
                "Cierra la venta confirmando producto, cantidad y precio.",
                "Cobra en efectivo, verifica los billetes y entrega el vuelto correcto.",
                "Acepta pagos con billetera digital o tarjeta y comprueba la confirmación del pago.",
                "Entrega el comprobante de pago que corresponde (boleta, factura o ticket).",
            ],
            "knowledge": [
                "Técnicas de cierre de venta y manejo de objeciones.",
                "Medidas de seguridad de los billetes.",
                "Comprobantes de pago y billeteras digitales.",
            ],
            "evidence": ["Registro de ventas de un día (cuaderno, hoja o aplicación)."],
            "questions": [
                sc(
                    "Un cliente dice «está caro». ¿Cuál es la mejor respuesta?",
                    "Explicar qué beneficios justifican el precio o mostrar una alternativa",
                    "Bajar el precio de inmediato",
                    "Decirle que en otro lugar será más caro",
                ),
                tf(
                    "Antes de entregar un pedido pagado por billetera digital hay que ver la confirmación del pago.",
                    True,
                ),
                sc(
                    "El total es S/ 37,50 y te pagan con S/ 50. ¿Cuánto es el vuelto?",
                    "S/ 12,50",
                    "S/ 13,50",
                    "S/ 12,00",
                ),
                mc(
                    "¿Qué revisas para saber si un billete es auténtico?",
                    ["La marca de agua", "El hilo de seguridad", "La tinta que cambia de color"],
                    ["Que esté nuevo"],
                ),
                sc(
                    "¿Cuándo se entrega una factura en lugar de una boleta?",
                    "Cuando la compra la hace una empresa o persona con RUC que la solicita",
                    "Cuando la compra supera S/ 10",
                    "Nunca en un negocio pequeño",
                ),
                tf("Una captura de pantalla enviada por el cliente siempre prueba que el pago llegó.", False),
            ],
            "question_count": 4,
        },
        {
            "code": "VEN-03",
            "title": "Mantener el punto de venta ordenado, abastecido y exhibido",
            "criteria": [
                "Exhibe los productos ordenados por categoría y con precios visibles.",
                "Aplica «primero en entrar, primero en salir» y revisa fechas de vencimiento.",
                "Lleva un registro básico de existencias y reporta los faltantes.",
                "Mantiene limpia y despejada el área de atención.",
            ],
            "knowledge": ["Exhibición y rotación de productos.", "Control básico de inventario."],
            "evidence": [
                "Foto del exhibidor o estante antes y después de ordenarlo.",
                "Hoja o foto del registro de existencias.",
            ],
            "rubric": [
                {"title": "Orden y visibilidad de la exhibición", "weight": 2},
                {"title": "Precios rotulados y legibles", "weight": 1},
                {"title": "Rotación y control de vencimientos", "weight": 1},
            ],
            "questions": [
                sc(
                    "¿Qué significa «primero en entrar, primero en salir»?",
                    "Vender primero los productos que llegaron antes",
                    "Atender primero a quien llegó antes",
                    "Reponer primero los productos más caros",
                ),
                tf("Los productos vencidos pueden venderse con descuento.", False),
                sc(
                    "¿Para qué sirve un registro de existencias?",
                    "Para saber qué hay, qué se vende más y cuándo reponer",
                    "Solo para pagar impuestos",
                    "Para decorar el local",
                ),
                tf("Los precios deben estar a la vista de la clientela.", True),
            ],
            "question_count": 3,
        },
    ],
}

LIMPIEZA: dict[str, Any] = {
    "code": "RUTA-LIM",
    "version": 1,
    "title": "Limpieza y desinfección de ambientes",
    "occupation": "Trabajadora o trabajador de limpieza de oficinas, hogares y establecimientos",
    "description": (
        "Para personas que limpian hogares, oficinas, clínicas o locales comerciales: preparar insumos y equipo "
        "de protección, limpiar y desinfectar según protocolo y manejar residuos cuidando su salud."
    ),
    "units": [
        {
            "code": "LIM-01",
            "title": "Preparar insumos, equipos y equipo de protección personal según el ambiente",
            "criteria": [
                "Elige el producto según la superficie y el tipo de suciedad.",
                "Lee la etiqueta del producto y sigue sus indicaciones de uso y seguridad.",
                "Diluye el desinfectante en la proporción indicada y rotula el envase.",
                "Usa guantes, mascarilla y lentes según el producto y la tarea.",
                "Usa paños y baldes por colores para no cruzar zonas (baños, cocina, áreas comunes).",
            ],
            "knowledge": [
                "Diferencia entre limpiar y desinfectar.",
                "Dilución de hipoclorito de sodio (lejía).",
                "Riesgos de mezclar productos químicos.",
            ],
            "evidence": ["Foto de los envases diluidos y rotulados."],
            "questions": [
                sc(
                    "¿Cuál es la diferencia entre limpiar y desinfectar?",
                    "Limpiar quita la suciedad; desinfectar elimina microbios en una superficie ya limpia",
                    "Son lo mismo",
                    "Desinfectar se hace antes de limpiar",
                ),
                tf("Mezclar lejía con amoníaco o con ácido muriático produce gases tóxicos.", True),
                sc(
                    "¿Por qué se rotula un envase con desinfectante diluido?",
                    "Para saber qué contiene, su concentración y evitar accidentes",
                    "Porque lo exige la marca",
                    "Para que se vea ordenado",
                ),
                mc(
                    "¿Qué equipo de protección necesitas para usar lejía?",
                    ["Guantes de jebe", "Lentes o protección ocular"],
                    ["Tapones de oído"],
                ),
                tf("El paño usado en el baño puede usarse después en la cocina si se enjuaga.", False),
            ],
            "question_count": 4,
        },
        {
            "code": "LIM-02",
            "title": "Limpiar y desinfectar superficies y ambientes según protocolo",
            "criteria": [
                "Limpia de arriba hacia abajo y de lo más limpio a lo más sucio.",
                "Retira la suciedad visible antes de aplicar el desinfectante.",
                "Respeta el tiempo de contacto del desinfectante indicado en la etiqueta.",
                "Coloca la señal de «piso húmedo» mientras trabaja.",
                "Limpia los servicios higiénicos con utensilios exclusivos para esa zona.",
            ],
            "knowledge": ["Secuencia de limpieza.", "Tiempo de contacto de desinfectantes.", "Señalización."],
            "evidence": ["Fotos del ambiente antes y después de la limpieza."],
            "rubric": [
                {"title": "Resultado visible de limpieza", "weight": 2},
                {"title": "Orden y secuencia del trabajo", "weight": 1},
            ],
            "questions": [
                sc(
                    "¿En qué orden se limpia un ambiente?",
                    "De arriba hacia abajo y de lo limpio a lo sucio",
                    "De abajo hacia arriba",
                    "Primero el piso y luego las mesas",
                ),
                tf("El desinfectante actúa igual aunque se seque de inmediato.", False),
                sc(
                    "¿Para qué sirve la señal de «piso húmedo»?",
                    "Para prevenir caídas de las personas",
                    "Para que nadie vea el trabajo",
                    "Solo la piden las empresas grandes",
                ),
                tf("Se debe retirar la suciedad visible antes de desinfectar.", True),
            ],
            "question_count": 3,
        },
        {
            "code": "LIM-03",
            "title": "Manejar residuos sólidos y cuidar su seguridad y salud en el trabajo",
            "criteria": [
                "Separa los residuos por tipo en los recipientes o bolsas que corresponden.",
                "Manipula objetos punzocortantes sin riesgo (no reencapucha, usa recipiente rígido).",
                "Guarda los productos químicos cerrados, rotulados y lejos de alimentos.",
                "Informa a su responsable sobre accidentes, incidentes o equipos dañados.",
                "Al terminar, limpia y guarda equipos y utensilios.",
            ],
            "knowledge": ["Segregación de residuos.", "Riesgos laborales y primeros auxilios básicos."],
            "evidence": ["Lista de verificación del turno firmada por el responsable (opcional)."],
            "questions": [
                sc(
                    "Encuentras una aguja en una bolsa de basura. ¿Qué haces?",
                    "Con guantes y pinza, la colocas en un recipiente rígido y avisas",
                    "La sacas con la mano y la botas",
                    "Dejas la bolsa como está",
                ),
                tf("Es correcto guardar la lejía en una botella de gaseosa sin rotular.", False),
                sc(
                    "Si te salpica un químico en los ojos, lo primero es:",
                    "Lavar con abundante agua limpia por varios minutos y avisar",
                    "Frotarte los ojos",
                    "Seguir trabajando y revisar al final del turno",
                ),
                tf("Informar un incidente sin lesiones también ayuda a prevenir accidentes.", True),
            ],
            "question_count": 3,
        },
    ],
}

DESARROLLO_WEB: dict[str, Any] = {
    "code": "RUTA-DWJ",
    "version": 1,
    "title": "Desarrollo web junior",
    "occupation": "Desarrolladora o desarrollador web junior (bootcamp en competencias digitales)",
    "description": (
        "Para jóvenes del bootcamp en competencias digitales: construir interfaces accesibles, consumir APIs "
        "con control de versiones y las competencias socioemocionales que piden los equipos de software."
    ),
    "units": [
        {
            "code": "DWJ-01",
            "title": "Construir interfaces web accesibles y adaptables con HTML, CSS y JavaScript",
            "criteria": [
                "Usa etiquetas HTML semánticas (encabezados, listas, formularios con etiquetas).",
                "Diseña primero para celular y adapta a pantallas grandes.",
                "Valida formularios con mensajes de error claros y accesibles.",
                "Cuida el contraste de colores y agrega texto alternativo a las imágenes.",
            ],
            "knowledge": ["HTML semántico.", "CSS adaptable (flexbox, grid, media queries).", "Pautas WCAG."],
            "evidence": [
                "Enlace a una página publicada (GitHub Pages, Netlify u otra).",
                "Enlace al repositorio del proyecto.",
            ],
            "rubric": [
                {"title": "Semántica y accesibilidad", "weight": 2},
                {"title": "Diseño adaptable", "weight": 1},
                {"title": "Claridad y orden del código", "weight": 1},
            ],
            "questions": [
                sc(
                    "¿Qué etiqueta asocia un texto a un campo de formulario?",
                    "<label>",
                    "<span>",
                    "<div>",
                ),
                tf("Una imagen decorativa debe tener un atributo alt vacío.", True),
                sc(
                    "¿Qué significa diseñar «mobile first»?",
                    "Escribir los estilos base para celular y ampliar con media queries",
                    "Hacer una app nativa",
                    "Ocultar contenido en celulares",
                ),
                mc(
                    "¿Cuáles mejoran la accesibilidad?",
                    ["Contraste suficiente", "Navegación con teclado"],
                    ["Texto dentro de imágenes", "Solo usar el color para indicar errores"],
                ),
                sc(
                    "¿Qué propiedad de CSS distribuye elementos en una fila o columna flexible?",
                    "display: flex",
                    "position: absolute",
                    "float: center",
                ),
            ],
            "question_count": 4,
        },
        {
            "code": "DWJ-02",
            "title": "Desarrollar funcionalidades que consumen APIs, con control de versiones y pruebas",
            "criteria": [
                "Consume una API REST y maneja errores y estados de carga.",
                "Usa Git con commits pequeños y descriptivos y trabaja en ramas.",
                "Documenta en el README cómo instalar y ejecutar el proyecto.",
                "Escribe al menos una prueba automatizada que pasa.",
            ],
            "knowledge": ["HTTP y JSON.", "Git y GitHub.", "Pruebas automatizadas básicas."],
            "evidence": ["Enlace al repositorio con su historial de commits."],
            "rubric": [
                {"title": "Funcionalidad y manejo de errores", "weight": 2},
                {"title": "Historial de Git y documentación", "weight": 1},
                {"title": "Pruebas automatizadas", "weight": 1},
            ],
            "questions": [
                sc(
                    "Una API responde con código 404. ¿Qué significa?",
                    "El recurso no existe",
                    "La petición fue exitosa",
                    "El servidor tuvo un error interno",
                ),
                sc(
                    "¿Qué comando crea una rama nueva y se cambia a ella?",
                    "git switch -c nombre-rama",
                    "git commit -b nombre-rama",
                    "git push nombre-rama",
                ),
                tf("Un buen mensaje de commit explica qué cambió y por qué.", True),
                sc(
                    "¿Qué método HTTP se usa normalmente para crear un recurso?",
                    "POST",
                    "GET",
                    "HEAD",
                ),
            ],
            "question_count": 3,
        },
        {
            "code": "DWJ-03",
            "title": "Trabajar en equipo con metodologías ágiles",
            "socioemotional": True,
            "criteria": [
                "En la reunión diaria comunica avances, planes y bloqueos con claridad.",
                "Da retroalimentación respetuosa y concreta, y recibe la suya sin ponerse a la defensiva.",
                "Cumple los compromisos del sprint o avisa a tiempo si no podrá.",
                "Colabora con personas de distintos países y trayectorias.",
            ],
            "knowledge": ["Scrum y kanban.", "Retroalimentación efectiva."],
            "evidence": ["Enlace al tablero del proyecto o a revisiones de código (pull requests) comentadas."],
            "questions": [
                sc(
                    "Estás bloqueada en una tarea hace un día. ¿Qué haces?",
                    "Lo comentas en la reunión diaria y pides ayuda",
                    "Esperas a resolverlo sola aunque se atrase el sprint",
                    "Cambias de tarea sin avisar",
                ),
                sc(
                    "¿Cuál es una retroalimentación útil en una revisión de código?",
                    "«Esta función repite lógica; ¿la extraemos para reutilizarla?»",
                    "«Este código está mal»",
                    "«Yo lo habría hecho diferente»",
                ),
                tf("En Scrum, la retrospectiva sirve para mejorar la forma de trabajar del equipo.", True),
            ],
            "question_count": 3,
        },
        {
            "code": "DWJ-04",
            "title": "Comunicarse de forma efectiva y gestionar sus emociones en situaciones de trabajo",
            "socioemotional": True,
            "criteria": [
                "Explica una solución técnica a una persona no técnica con palabras sencillas.",
                "Ante un error en producción mantiene la calma, informa y propone pasos.",
                "Pide ayuda a tiempo y reconoce lo que no sabe.",
                "Escucha puntos de vista distintos y llega a acuerdos.",
            ],
            "knowledge": ["Comunicación efectiva.", "Manejo del estrés y autorregulación."],
            "evidence": ["Video corto (enlace) explicando su proyecto a una persona usuaria."],
            "questions": [
                sc(
                    "Tu cambio rompió la página en producción. ¿Qué haces primero?",
                    "Avisar al equipo, revertir o mitigar y luego analizar la causa",
                    "Esperar a que nadie se dé cuenta",
                    "Culpar a la herramienta",
                ),
                sc(
                    "Una clienta no entiende por qué la página tarda. ¿Cómo se lo explicas?",
                    "Con un ejemplo cotidiano y sin tecnicismos",
                    "Con el detalle del código",
                    "Le dices que es un tema técnico",
                ),
                tf("Reconocer que no sabes algo y pedir ayuda es una señal de profesionalismo.", True),
            ],
            "question_count": 3,
        },
    ],
}

STANDARDS = {"ventas": VENTAS, "limpieza": LIMPIEZA, "desarrollo_web": DESARROLLO_WEB}
