"""Demo trainer certification (DOMAIN.md §3.1, §7): tracks for IMESUN GIN and ISUN, Get Ahead and financial
education; the 31 IMESUN facilitators certified in GIN and ISUN (11 men, 20 women) at MML, Tu Empresa, Arariwa and
Alternativa; the demo master trainer; the demo trainer in practice in GIN with her cohort linked; one applicant
recommended and waiting for the ILO's approval. Names are invented.

Idempotent: tracks by slug, people by username, paths by (trainer, track), certificates by source key.
"""

from __future__ import annotations

from certification.trainers import services
from certification.trainers.models import PathEvent, TrainerPath, TrainerTrack
from courses.cohorts.services import cohort_trainer_add
from lms.accounts.models import ConsentRecord, Institution, Membership, Profile, Role, User
from lms.accounts.services import consent_record
from lms.demo.context import DemoContext

# username suffix, first name, last names, sex, institution slug
FACILITATORS = [
    ("01", "Rocío", "Alarcón Benites", "F", "mml"),
    ("02", "Pilar", "Cáceres Ñique", "F", "mml"),
    ("03", "Giovanna", "Espinoza Llerena", "F", "mml"),
    ("04", "Janet", "Farfán Quiroz", "F", "mml"),
    ("05", "Melissa", "Guevara Tapia", "F", "mml"),
    ("06", "César Augusto", "Huertas Malpartida", "M", "mml"),
    ("07", "Raúl", "Ibáñez Zegarra", "M", "mml"),
    ("08", "Katherine", "Jara Villanueva", "F", "tu-empresa"),
    ("09", "Liliana", "Lozano Arce", "F", "tu-empresa"),
    ("10", "Norma", "Mejía Sotomayor", "F", "tu-empresa"),
    ("11", "Vanessa", "Núñez Olivares", "F", "tu-empresa"),
    ("12", "Diego", "Oré Palomino", "M", "tu-empresa"),
    ("13", "Hugo", "Pizarro Rázuri", "M", "tu-empresa"),
    ("14", "Jorge Luis", "Quiroga Salinas", "M", "tu-empresa"),
    ("15", "Yeny", "Ccori Huallpa", "F", "arariwa"),
    ("16", "Nilda", "Huarcaya Puma", "F", "arariwa"),
    ("17", "Soledad", "Layme Ttito", "F", "arariwa"),
    ("18", "Marleny", "Quispe Sutta", "F", "arariwa"),
    ("19", "Fredy", "Chalco Mayta", "M", "arariwa"),
    ("20", "Wilber", "Huamán Ccolque", "M", "arariwa"),
    ("21", "Alberto", "Ríos Acuña", "M", "arariwa"),
    ("22", "Gladys", "Salas Urquizo", "F", "alternativa"),
    ("23", "Maribel", "Torres Yupanqui", "F", "alternativa"),
    ("24", "Carolina", "Ugarte Velarde", "F", "alternativa"),
    ("25", "Fiorella", "Vásquez Zapata", "F", "alternativa"),
    ("26", "Elizabeth", "Yáñez Cornejo", "F", "alternativa"),
    ("27", "Rosmery", "Zúñiga Bellido", "F", "alternativa"),
    ("28", "Leslie", "Aponte Bravo", "F", "alternativa"),
    ("29", "Manuel", "Bazán Cueva", "M", "alternativa"),
    ("30", "Óscar", "Delgado Fuentes", "M", "alternativa"),
    ("31", "Percy", "Escobar Gamarra", "M", "alternativa"),
]

TRACKS = [
    # slug, methodology, sub-module, name, tot course key, practice course key, completions
    ("imesun-gin", "IMESUN", "GIN", "IMESUN-GIN", "course_tot_gin", "course_gin", 5),
    ("imesun-isun", "IMESUN", "ISUN", "IMESUN-ISUN", None, "course_isun", 5),
    ("get-ahead", "Get Ahead", "", "Get Ahead", None, None, 5),
    ("educacion-financiera", "Finanzas Solidarias", "", "Educación financiera", None, None, 5),
]


def _tracks(ctx: DemoContext, oit: Institution) -> dict[str, TrainerTrack]:
    """The four tracks the ILO certifies, linked to the demo training-of-trainers and practice courses."""
    tracks = {}
    for slug, methodology, sub_module, name, tot_key, practice_key, completions in TRACKS:
        track, _created = TrainerTrack.objects.update_or_create(
            slug=slug,
            defaults={
                "methodology": methodology,
                "sub_module": sub_module,
                "name": name,
                "certifying_institution": oit,
                "tot_course": ctx.objects.get(tot_key) if tot_key else None,
                "practice_course": ctx.objects.get(practice_key) if practice_key else None,
                "min_practice_completions": completions,
            },
        )
        tracks[slug] = track
    return tracks


def _certified(path: TrainerPath, approver: User, supervisor: User | None) -> None:
    """Walk a demo path to «certificado» through its history (the real approval goes through trainer_certify)."""
    if path.state == TrainerPath.State.CERTIFIED:
        return
    for state in ("in_training", "in_practice"):
        PathEvent.objects.create(path=path, from_state=path.state, to_state=state, actor=supervisor)
        path.state = state
    path.state = TrainerPath.State.RECOMMENDED
    path.supervisor = supervisor
    path.save()
    PathEvent.objects.create(path=path, from_state="in_practice", to_state="recommended", actor=supervisor)
    services.trainer_certify(path=path, approver=approver, render=False)


def seed(ctx: DemoContext) -> None:
    """Tracks, the master trainer's methodologies, the 31 certified facilitators, the demo facilitator's path and
    the cohorts the certified facilitators lead."""
    oit = ctx.institutions.get("oit")
    if oit is None:
        return
    _tu_empresa(ctx)
    tracks = _tracks(ctx, oit)
    master = ctx.users.get("master_trainer")
    approver = ctx.users.get("programme_manager") or ctx.users["admin"]
    if master is not None:
        for methodology in ("IMESUN", "Get Ahead", "Finanzas Solidarias"):
            services.master_trainer_grant(user=master, methodology=methodology)
    certified = _certified_facilitators(ctx, tracks, approver, master)
    _demo_trainer(ctx, tracks, master)
    _link_trainers_to_cohorts(ctx, certified)
    ctx.say("Registro público de facilitadores certificados: /facilitadores/registro/")


def _tu_empresa(ctx: DemoContext) -> None:
    """PRODUCE's Tu Empresa programme, where seven of the certified facilitators work."""
    tu_empresa, _created = Institution.objects.get_or_create(
        slug="tu-empresa",
        defaults={
            "name": "Programa Nacional Tu Empresa (PRODUCE)",
            "acronym": "Tu Empresa",
            "type": Institution.Type.MINISTRY,
            "country": "PE",
        },
    )
    ctx.institutions["tu-empresa"] = tu_empresa


def _certified_facilitators(
    ctx: DemoContext, tracks: dict[str, TrainerTrack], approver: User, master: User | None
) -> list[User]:
    """The 31 IMESUN facilitators (20 women, 11 men) certified in GIN and ISUN; most listed in the registry."""
    certified = []
    for suffix, first, last, sex, slug in FACILITATORS:
        institution = ctx.institutions.get(slug)
        if institution is None:
            continue
        user, created = User.objects.get_or_create(
            username=f"facilitador-{suffix}", defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            # Most opt in to the public registry; a few prefer not to be listed.
            consent_record(user=user, purpose=ConsentRecord.Purpose.REGISTRY, granted=int(suffix) % 8 != 0)
        Profile.objects.update_or_create(user=user, defaults={"sex": sex, "country": "PE"})
        Membership.objects.get_or_create(user=user, institution=institution, role=Role.TRAINER)
        for track_slug in ("imesun-gin", "imesun-isun"):
            path, _ = TrainerPath.objects.get_or_create(
                trainer=user,
                track=tracks[track_slug],
                defaults={"institution": institution, "commitment_letter": True},
            )
            _certified(path, approver, master)
        certified.append(user)
    return certified


def _demo_trainer(ctx: DemoContext, tracks: dict[str, TrainerTrack], master: User | None) -> None:
    """Carmen (facilitadora) is in practice for GIN with her cohort linked; Percy waits for the ILO's approval."""
    trainer = ctx.users.get("trainer")
    alternativa = ctx.institutions.get("alternativa")
    if trainer is None or alternativa is None:
        return
    path, created = TrainerPath.objects.get_or_create(
        trainer=trainer,
        track=tracks["imesun-gin"],
        defaults={"institution": alternativa, "supervisor": master, "commitment_letter": True},
    )
    if created:
        for state in ("in_training", "in_practice"):
            PathEvent.objects.create(path=path, from_state=path.state, to_state=state, actor=master)
            path.state = state
        path.tot_cohort = ctx.objects.get("cohort_tot_gin")
        path.practice_cohort = ctx.objects.get("cohort_demo")
        path.save()
    ctx.objects["trainer_path_demo"] = path
    if created:
        consent_record(user=trainer, purpose=ConsentRecord.Purpose.REGISTRY, granted=True)

    # Someone recommended by the master trainer, waiting for the ILO: the approver's queue is not empty.
    waiting, created = User.objects.get_or_create(
        username="facilitadora-recomendada", defaults={"first_name": "Verónica", "last_name": "Lizárraga Montes"}
    )
    if created:
        waiting.set_unusable_password()
        waiting.save(update_fields=["password"])
    Membership.objects.get_or_create(user=waiting, institution=alternativa, role=Role.TRAINER)
    path, created = TrainerPath.objects.get_or_create(
        trainer=waiting,
        track=tracks["imesun-isun"],
        defaults={"institution": alternativa, "supervisor": master, "commitment_letter": True},
    )
    if created:
        for state in ("in_training", "in_practice", "recommended"):
            PathEvent.objects.create(path=path, from_state=path.state, to_state=state, actor=master)
            path.state = state
        path.save()


def _link_trainers_to_cohorts(ctx: DemoContext, certified: list[User]) -> None:
    """A certified facilitator leads the Cusco ISUN cohort, another the Get Ahead cohort."""
    by_username = {u.username: u for u in certified}
    for key, username in (("cohort_isun_cusco", "facilitador-15"), ("cohort_get_ahead", "facilitador-01")):
        cohort = ctx.objects.get(key)
        user = by_username.get(username)
        if cohort is not None and user is not None:
            cohort_trainer_add(cohort=cohort, trainer=user, lead=True)
