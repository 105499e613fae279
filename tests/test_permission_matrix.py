"""Every route of every Ruta app that takes a value from its path (an id, a code, a slug, a uuid) is listed in
``MATRIX`` with who may reach it and who may not; a route missing from it fails
``test_every_id_route_of_every_app_is_in_the_matrix``, naming the route.

For each listed route: its owner (or the role with the right) gets through; people of another institution get
403/404 (never a page with data); anonymous visitors are sent to the login page or refused. Cohort and trainer
routes have their own, deeper matrices (``tests/courses/cohorts/test_permission_matrix.py`` and
``tests/certification/trainers/test_views.py``): this file checks that those list every route of their app.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone

from lms.accounts.models import Role
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

#: Our apps' namespaces (third-party admin sites — Django admin, Wagtail, allauth — guard their own routes).
NAMESPACES = {
    "accounts", "courses", "cohorts", "content", "packages", "certification", "trainers", "competency", "reports",
    "imports_admin", "certification_admin",
}  # fmt: skip
#: Routes outside those namespaces count when their view is ours (e.g. the certificate API), and so do the Wagtail
#: admin viewsets our apps register (instituciones, membresias, inscripciones, normas…), whatever their namespace.
OUR_PACKAGES = {"lms", "themes", "content", "courses", "certification"}
#: Routes that take a value from the path but have no id of their own to guard, with the test that covers them.
NOT_IDS = {
    # Wagtail's page tree by its path (catalogue, courses, lessons): pages are public unless a view restriction says
    # otherwise (tests/courses/test_queries.py::test_a_wagtail_view_restriction_added_later_still_applies).
    "ruta_serve",
}

OWNERS = "owners"  # only the listed insiders
SIGNED_IN = "signed_in"  # anyone signed in (login required, nothing private behind the id)
PUBLIC = "public"  # public by design (certificate verification by its code): an unknown value is 404
CAPABILITY = "capability"  # the uuid/token in the path is the key (sandboxed frames send no cookies)
OWN_MATRIX = "own_matrix"  # checked by the app's own permission matrix
READERS = "lesson_readers"  # like OWNERS, but an insider (may read a lesson that plays it) is redirected (302)


def our_admin_viewsets() -> set[str]:
    """Namespaces of the Wagtail admin viewsets registered by our apps' ``register_admin_viewset`` hooks."""
    from wagtail.admin.viewsets import viewsets

    return {v.url_namespace for v in viewsets.viewsets if type(v).__module__.split(".")[0] in OUR_PACKAGES}


def ours(pattern: URLPattern, namespace: str, viewsets: set[str]) -> bool:
    if namespace in NAMESPACES or namespace.split(":")[-1] in viewsets:
        return True
    module = getattr(pattern.callback, "__module__", "") or ""
    return module.split(".")[0] in OUR_PACKAGES


def takes_a_value(pattern: URLPattern) -> bool:
    """A path converter (``<int:pk>``) or a regular expression's group (``re_path``)."""
    return bool(pattern.pattern.converters) or (
        isinstance(pattern.pattern, RegexPattern) and pattern.pattern.regex.groups > 0
    )


def our_routes() -> dict[str, str]:
    """``namespace:name`` → route pattern for every pattern of our apps that takes a value from its path."""
    found: dict[str, str] = {}
    resolver = get_resolver()
    patterns = resolver.url_patterns  # loading the URLconf registers the admin viewsets
    viewsets = our_admin_viewsets()

    def walk(patterns, namespace: str, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                child = pattern.namespace or ""
                walk(pattern.url_patterns, f"{namespace}:{child}".strip(":") if child else namespace,
                     prefix + str(pattern.pattern))  # fmt: skip
            elif isinstance(pattern, URLPattern) and takes_a_value(pattern) and ours(pattern, namespace, viewsets):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                found[name] = prefix + str(pattern.pattern)

    walk(patterns, "", "")
    return found


@pytest.fixture
def w(settings, tmp_path):
    """Two institutions (A: Alternativa, Peru; B: FUDELA, Ecuador) and the people of each, with one object of
    every kind the routes take, all belonging to A (or to A's people)."""
    settings.MEDIA_ROOT = tmp_path
    from certification.competency import services as competency
    from certification.competency.models import Appeal, ApplicationDocument, Evidence
    from tests.certification.competency.factories import evaluator_of, make_standard
    from tests.certification.factories import ProgrammeFactory, issue
    from tests.courses.cohorts.factories import cohort_with_free_text, free_text_answer, member_of, trainer_of

    w = SimpleNamespace()
    cohort, lesson, usage_id = cohort_with_free_text(name="Grupo Surquillo")
    w.a = cohort.institution
    w.b = InstitutionFactory(name="FUDELA", slug="fudela", country="EC")
    w.lesson, w.usage_id = lesson, usage_id
    w.course = cohort.course
    w.trainer = trainer_of(cohort)
    w.admin = MembershipFactory(institution=w.a, role=Role.INSTITUTION_ADMIN).user
    w.participant = member_of(
        cohort,
        UserFactory(first_name="Yolimar", last_name="Rodríguez", phone="+51987000111", created_by_institution=w.a),
    )  # the institution created the account (roster or «agregar participante»), so its trainers may help
    from courses.services import enrollment_create

    enrollment_create(user=w.participant, course=w.course, source="cohort")
    w.submission = free_text_answer(w.participant, lesson, usage_id)
    w.stranger = UserFactory(first_name="Andrés", last_name="Chávez", phone="+593991234567")
    w.other_participant = MembershipFactory(institution=w.b, role=Role.PARTICIPANT).user
    w.other_trainer = MembershipFactory(institution=w.b, role=Role.TRAINER).user
    w.other_admin = MembershipFactory(institution=w.b, role=Role.INSTITUTION_ADMIN).user
    w.superuser = UserFactory(is_staff=True, is_superuser=True)

    # Certificates (A's participant)
    w.programme = ProgrammeFactory(issuer=w.a)
    w.certificate = issue(programme=w.programme, user=w.participant)

    # Competency certification: A is the certifying body of a standard; the participant applies.
    standard = make_standard(units=1, criteria=2, questions=4, body=w.a, title="Atención al cliente")
    w.standard, w.unit = standard, standard.units.get()
    w.evaluator = evaluator_of(w.a, first_name="Patricia", last_name="Gómez")
    w.validator = evaluator_of(w.a, first_name="Lucía", last_name="Fernández")
    w.reviewer = evaluator_of(w.a, first_name="Rosa", last_name="Quispe")
    w.application = competency.application_create(candidate=w.participant, standard=standard, experience="Bodega")
    competency.evaluator_assign(application=w.application, evaluator=w.evaluator, actor=w.admin)
    competency.assessment_schedule(
        application=w.application, evaluator=w.evaluator, scheduled_at=timezone.now(), location="Mercado"
    )
    w.document = ApplicationDocument.objects.create(
        application=w.application, file=ContentFile(b"%PDF-1.4 dni", name="dni.pdf"), original_name="dni.pdf",
        content_type="application/pdf", size=12,
    )  # fmt: skip
    w.evidence = Evidence.objects.create(
        application=w.application, unit=w.unit, kind="photo", title="Mi puesto", uploaded_by=w.participant,
        file=ContentFile(b"\x89PNG\r\n\x1a\n" + b"\0" * 32, name="puesto.png"),
    )  # fmt: skip
    w.appeal_application = competency.application_create(
        candidate=UserFactory(), standard=make_standard(units=1, body=w.a), experience="Ventas"
    )
    w.appeal = Appeal.objects.create(application=w.appeal_application, reason="No observaron el cierre.",
                                     reviewer=w.reviewer)  # fmt: skip

    # Packages
    from content.packages.archive import open_archive
    from content.packages.services import content_package_store
    from tests.fixtures.packages import h5p_true_false, scorm12_zip

    with open_archive(scorm12_zip(tmp_path / "sco.zip")) as archive:
        w.package = content_package_store(archive=archive, engine="scorm12", title="Costos")
    with open_archive(h5p_true_false(tmp_path / "vf.h5p")) as archive:
        w.h5p = content_package_store(archive=archive, engine="h5p", title="Costos fijos")
    # The SCORM package is played in A's lesson, which only the course's learners and A's staff may read
    # (view restriction): packages:package_open lets exactly them through (content.packages.selectors.package_can_open).
    from wagtail.models import PageViewRestriction

    package_block = {"package": str(w.package.uuid), "engine": "scorm12", "title": "Costos",
                     "launch": "shared/launchpage.html", "parameters": "", "tracked": True,
                     "mastery_score": None}  # fmt: skip
    lesson.body = [*lesson.body.raw_data, {"type": "package", "id": str(uuid.uuid4()), "value": package_block}]
    lesson.save()
    PageViewRestriction.objects.create(page=lesson, restriction_type=PageViewRestriction.LOGIN)

    from content.packages.media import lesson_media_save

    w.lesson_media = lesson_media_save(name="portada.png", data=b"\x89PNG\r\n\x1a\n" + b"\0" * 32)[1].split(
        "/medios/", 1
    )[1]

    # Reports: A's M&E officer asked for a row-level list, approved by A's data steward.
    w.me = MembershipFactory(institution=w.a, role=Role.ME_OFFICER).user
    w.row_request = _row_request(w)

    # Imports
    from courses.imports.models import PackageImport

    w.package_import = PackageImport.objects.create(
        original_name="costos.zip", uploaded_by=w.superuser, upload=ContentFile(b"PK", name="costos.zip")
    )

    # Wagtail admin viewsets: A's enrolment and membership, and staff of each institution with the admin's
    # permissions (institution admins who also work in the Wagtail admin).
    from courses.models import Enrollment
    from tests.lms.accounts.factories import staff_with

    w.enrollment = Enrollment.objects.get(user=w.participant, course=w.course)
    w.membership = w.admin.memberships.get(institution=w.a)
    w.staff = staff_with(*STAFF_PERMISSIONS, first_name="Begoña", last_name="Ñique")
    MembershipFactory(user=w.staff, institution=w.a, role=Role.INSTITUTION_ADMIN)
    w.other_staff = staff_with(*STAFF_PERMISSIONS, first_name="Joaquín", last_name="Cedeño")
    MembershipFactory(user=w.other_staff, institution=w.b, role=Role.INSTITUTION_ADMIN)
    return w


def _row_request(w):
    from lms.reports.models import RowExportRequest

    fields = {f.name for f in RowExportRequest._meta.get_fields()}
    values = {"requester": w.me, "institution": w.a, "purpose": "Seguimiento de la cohorte de Surquillo"}
    return RowExportRequest.objects.create(**{k: v for k, v in values.items() if k in fields})


def _token(package):
    from content.packages.views import file_token

    return file_token(package)


#: route → (policy, kwargs built from the world, insiders who GET it with 200 (None: POST-only/redirecting))
MATRIX = {
    # lms.accounts — the trainer password helper (targets are checked in detail below)
    "accounts:helper_reset": (OWNERS, lambda w: {"user_id": w.participant.pk}, ("trainer", "admin")),
    # courses
    "courses:enroll": (SIGNED_IN, lambda w: {"course_id": w.course.pk}, None),
    "courses:offline_bundle": (OWNERS, lambda w: {"course_id": w.course.pk}, ("participant",)),
    # content: activities of a lesson, and the trainer's grading of a free-text answer
    "content:activity_submit": (SIGNED_IN, lambda w: {"page_id": w.lesson.pk, "usage_id": w.usage_id}, None),
    "content:activity_handler": (
        SIGNED_IN,
        lambda w: {"page_id": w.lesson.pk, "usage_id": w.usage_id, "handler": "x"},
        None,
    ),  # fmt: skip
    "content:submission_grade": (OWNERS, lambda w: {"pk": w.submission.pk}, ("trainer",)),
    # packages: served by capability (uuid + signed token) to sandboxed frames; the stable "open" links only to
    # people who may read a lesson that plays the package (the world's SCORM package is in A's restricted lesson)
    "packages:package_file": (
        CAPABILITY,
        lambda w: {"package_uuid": w.package.uuid, "token": _token(w.package), "path": "shared/sco.js"},
        lambda w: {"package_uuid": w.package.uuid, "token": "falso", "path": "shared/sco.js"},
    ),  # fmt: skip
    "packages:h5p_frame": (
        CAPABILITY,
        lambda w: {"package_uuid": w.h5p.uuid, "token": _token(w.h5p)},
        lambda w: {"package_uuid": w.h5p.uuid, "token": "falso"},
    ),  # fmt: skip
    # (A's admin and trainer are not staff of that course: the world's course belongs to no institution)
    "packages:package_open": (READERS, lambda w: {"package_uuid": w.package.uuid}, ("participant", "superuser")),
    "packages:open_file": (
        READERS,
        lambda w: {"package_uuid": w.package.uuid, "path": "shared/sco.js"},
        ("participant", "superuser"),
    ),  # fmt: skip
    "packages:scorm_commit": (SIGNED_IN, lambda w: {"package_uuid": w.package.uuid}, None),
    # lesson media that came inside an imported package: course content, public like image renditions
    "packages:lesson_media": (PUBLIC, lambda w: {"path": w.lesson_media}, lambda w: {"path": "0000/no-existe.png"}),
    # certification: verification by code is public by design
    "certification:verify": (PUBLIC, lambda w: {"code": w.certificate.code}, lambda w: {"code": "NOEXISTE"}),
    "certification:pdf": (PUBLIC, lambda w: {"code": w.certificate.code}, lambda w: {"code": "NOEXISTE"}),
    "certification:image": (PUBLIC, lambda w: {"code": w.certificate.code}, lambda w: {"code": "NOEXISTE"}),
    "certification:credential": (PUBLIC, lambda w: {"code": w.certificate.code}, lambda w: {"code": "NOEXISTE"}),
    "api_certificate": (PUBLIC, lambda w: {"code": w.certificate.code}, lambda w: {"code": "NOEXISTE"}),
    # the ids inside credentials resolve for any verifier: issuer profile, achievement, status lists
    "certification:issuer": (PUBLIC, lambda w: {"slug": w.programme.issuer.slug}, lambda w: {"slug": "no-existe"}),
    "certification:achievement": (PUBLIC, lambda w: {"slug": w.programme.slug}, lambda w: {"slug": "no-existe"}),
    "certification:achievement_variant": (
        PUBLIC,
        lambda w: {"slug": w.programme.slug, "variant": _claim_variant(w)},
        lambda w: {"slug": w.programme.slug, "variant": "aaaaaaaaaaaaaaaa"},
    ),
    "certification:status_list": (
        PUBLIC,
        lambda w: {"slug": w.programme.issuer.slug, "purpose": "revocation", "number": 0},
        lambda w: {"slug": "no-existe", "purpose": "revocation", "number": 0},
    ),  # fmt: skip
    # binding a wallet to a certificate: its holder only (POST)
    "certification:holder_did": (OWNERS, lambda w: {"code": w.certificate.code}, None),
    # offering it to a wallet: the holder asks (POST) and sees the QR; the wallet holds the offer's token
    "certification:wallet_offer_new": (OWNERS, lambda w: {"code": w.certificate.code}, None),
    "certification:wallet_offer": (
        OWNERS,
        lambda w: {"code": w.certificate.code, "pk": _wallet_offer(w).pk},
        ("participant",),
    ),  # fmt: skip
    "certification:wallet_exchange": (
        CAPABILITY,
        lambda w: {"token": _wallet_offer(w).token},
        lambda w: {"token": "falso"},
    ),  # fmt: skip
    # trainer certification: replacing a path's supervising master trainer (A nominated the path; the app's other
    # routes are in its own matrix, tests/certification/trainers/test_views.py)
    "trainers:supervisor_change": (OWNERS, lambda w: {"pk": _trainer_path(w).pk}, ("admin",)),
    # competency certification
    "competency:standard_detail": (PUBLIC, lambda w: {"pk": w.standard.pk}, lambda w: {"pk": 999_999}),  # published
    "competency:apply": (SIGNED_IN, lambda w: {"pk": w.standard.pk}, None),
    "competency:application_detail": (OWNERS, lambda w: {"pk": w.application.pk}, ("participant",)),
    "competency:knowledge_test": (OWNERS, lambda w: {"pk": w.application.pk, "unit_pk": w.unit.pk}, None),
    "competency:candidate_evidence": (OWNERS, lambda w: {"pk": w.application.pk}, None),  # POST only
    "competency:appeal": (OWNERS, lambda w: {"pk": w.application.pk}, None),
    "competency:reassess": (OWNERS, lambda w: {"pk": w.application.pk}, None),
    "competency:withdraw": (OWNERS, lambda w: {"pk": w.application.pk}, None),
    "competency:evidence_download": (OWNERS, lambda w: {"pk": w.evidence.pk}, ("participant", "evaluator")),
    "competency:document_download": (OWNERS, lambda w: {"pk": w.document.pk}, ("participant", "evaluator")),
    "competency:assessment": (OWNERS, lambda w: {"pk": w.application.pk}, ("evaluator",)),
    "competency:schedule": (OWNERS, lambda w: {"pk": w.application.pk}, None),
    "competency:observation": (OWNERS, lambda w: {"pk": w.application.pk, "unit_pk": w.unit.pk}, ("evaluator",)),
    "competency:rubric": (OWNERS, lambda w: {"pk": w.application.pk, "unit_pk": w.unit.pk}, ("evaluator",)),
    "competency:verdict": (OWNERS, lambda w: {"pk": w.application.pk, "unit_pk": w.unit.pk}, None),
    "competency:evaluator_evidence": (OWNERS, lambda w: {"pk": w.application.pk}, None),  # POST only
    "competency:submit": (OWNERS, lambda w: {"pk": w.application.pk}, None),
    "competency:audit_trail": (OWNERS, lambda w: {"pk": w.application.pk}, ("evaluator", "admin")),
    "competency:validate": (OWNERS, lambda w: {"pk": w.application.pk}, None),
    "competency:appeal_review": (OWNERS, lambda w: {"pk": w.appeal.pk}, None),  # reviewer: test_competency_views
    "competency:body_home": (OWNERS, lambda w: {"slug": w.a.slug}, ("admin",)),
    "competency:body_assign": (OWNERS, lambda w: {"slug": w.a.slug, "pk": w.application.pk}, None),
    "competency:body_assign_validator": (OWNERS, lambda w: {"slug": w.a.slug, "pk": w.application.pk}, None),
    "competency:body_assign_appeal": (OWNERS, lambda w: {"slug": w.a.slug, "pk": w.appeal.pk}, None),
    "competency:body_certificates": (OWNERS, lambda w: {"slug": w.a.slug}, ("admin",)),
    "competency:body_certificate_revoke": (
        OWNERS,
        lambda w: {"slug": w.a.slug, "code": w.certificate.code},
        ("admin",),
    ),
    "competency:body_certificate_reissue": (
        OWNERS,
        lambda w: {"slug": w.a.slug, "code": w.certificate.code},
        ("admin",),
    ),
    "competency:body_report": (OWNERS, lambda w: {"slug": w.a.slug}, ("admin",)),
    "competency:body_report_csv": (OWNERS, lambda w: {"slug": w.a.slug}, ("admin",)),
    # reports
    "reports:report": (OWNERS, lambda w: {"view": "monitoreo"}, ("me",)),
    "reports:export": (OWNERS, lambda w: {"view": "monitoreo", "file_format": "csv"}, ("me",)),
    "reports:row_request_download": (OWNERS, lambda w: {"pk": w.row_request.pk}, None),
    # Wagtail admin pages of our apps (staff with the right permission)
    "imports_admin:detail": (OWNERS, lambda w: {"pk": w.package_import.pk}, ("superuser",)),
    "imports_admin:confirm": (OWNERS, lambda w: {"pk": w.package_import.pk}, None),
    "imports_admin:status": (OWNERS, lambda w: {"pk": w.package_import.pk}, ("superuser",)),
    "imports_admin:export": (OWNERS, lambda w: {"course_id": w.course.pk}, ("superuser",)),
    "certification_admin:detail": (OWNERS, lambda w: {"pk": w.certificate.pk}, ("superuser",)),
    "certification_admin:revoke": (OWNERS, lambda w: {"pk": w.certificate.pk}, None),
    "certification_admin:reissue": (OWNERS, lambda w: {"pk": w.certificate.pk}, None),
    "certification_admin:bulk_job": (OWNERS, lambda w: {"pk": 1}, None),
}

PROGRAMMES = "wagtailsnippets_certification_certificateprogramme"  # certificate programmes, a snippet
#: what the staff of each institution hold in the admin (enrolments, standards, institutions, memberships)
STAFF_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("courses", "view_enrollment"),
    ("courses", "add_enrollment"),
    ("competency", "view_competencystandard"),
    ("competency", "change_competencystandard"),
    ("accounts", "view_institution"),
    ("accounts", "view_membership"),
]
#: Wagtail admin viewsets of our apps: namespace → (the object's kwargs, routes that open for a superuser with 200;
#: the others are refused to everyone by the viewset's policy — read-only memberships, enrolments changed only
#: through their services, published standards only inspected).
ADMIN_VIEWSETS = {
    "instituciones": (lambda w: {"pk": w.a.pk}, {"edit", "delete", "history", "history_results", "usage"}),
    "membresias": (lambda w: {"pk": w.membership.pk}, {"inspect"}),
    "inscripciones": (lambda w: {"pk": w.enrollment.pk}, {"history", "history_results", "inspect"}),
    # a published standard is never deleted
    "normas": (lambda w: {"pk": w.standard.pk}, {"history", "history_results", "usage", "inspect"}),
    "unidades": (lambda w: {"pk": w.unit.pk}, set()),  # a unit is edited only by who may change its standard
    "wagtailusers_users": (lambda w: {"pk": w.participant.pk}, set()),  # accounts: staff with user rights only
    PROGRAMMES: (lambda w: {"pk": w.programme.pk}, {"copy", "edit", "delete", "history", "history_results", "usage"}),
}
ADMIN_ROUTES = {
    "instituciones": ["edit", "delete", "history", "history_results", "usage"],
    "membresias": ["edit", "delete", "history", "history_results", "usage", "inspect"],
    "inscripciones": ["edit", "delete", "history", "history_results", "usage", "inspect"],
    "normas": ["edit", "delete", "history", "history_results", "usage", "inspect", "new_version", "publish"],
    "unidades": ["edit", "delete", "history", "history_results", "usage"],
    "wagtailusers_users": ["copy", "edit", "delete", "history", "history_results", "usage"],
    PROGRAMMES: ["copy", "edit", "delete", "history", "history_results", "usage"],
}
for _namespace, (_build, _open) in ADMIN_VIEWSETS.items():
    for _name in ADMIN_ROUTES[_namespace]:
        MATRIX[f"{_namespace}:{_name}"] = (OWNERS, _build, ("superuser",) if _name in _open else None)
OUTSIDERS = ["anonymous", "stranger", "other_participant", "other_trainer", "other_admin"]


def _own_matrix_routes() -> set[str]:
    from tests.certification.trainers.test_views import MATRIX as TRAINERS
    from tests.courses.cohorts.test_permission_matrix import MATRIX as COHORTS

    return set(COHORTS) | set(TRAINERS)


def test_every_id_route_of_every_app_is_in_the_matrix():
    routes = set(our_routes())
    walk_works = {"accounts:helper_reset", "cohorts:member_add", "competency:appeal_review", "membresias:inspect"}
    assert walk_works <= routes
    listed = set(MATRIX) | _own_matrix_routes() | NOT_IDS
    missing = sorted(routes - listed)
    assert not missing, f"add these id-taking routes to the permission MATRIX (who may, who may not): {missing}"
    assert not set(MATRIX) - routes, f"MATRIX lists routes that no longer exist: {sorted(set(MATRIX) - routes)}"


def _claim_variant(w):
    """A claim of A's programme other than its title (a partial competency certificate, say) and its id's end."""
    from certification.openbadges import achievement_variant
    from tests.certification.factories import issue

    name, units = "Competente en 1 de 2 unidades", ["U1 · Atender"]
    issue(
        programme=w.programme, user=w.participant, source_key="matrix:claim", achievement=name, competency_units=units
    )
    return achievement_variant(programme=w.programme, name=name, units=units)


def _wallet_offer(w):
    from certification.exchange import wallet_offer_create

    return wallet_offer_create(certificate=w.certificate, user=w.participant)


def _trainer_path(w):
    """A's trainer on the path to certification in a track certified by the ILO, nominated by A."""
    from certification.trainers.models import TrainerPath
    from tests.certification.trainers.factories import MasterTrainerFactory, TrainerTrackFactory

    master = MasterTrainerFactory(user=UserFactory(first_name="Gonzalo", last_name="Ñahui"), methodology="IMESUN").user
    return TrainerPath.objects.create(
        trainer=w.trainer, track=TrainerTrackFactory(), institution=w.a, supervisor=master
    )


def denied(response, actor: str) -> bool:
    if actor == "anonymous":
        if response.status_code == 302:
            return "/accounts/login/" in response["Location"] or "/admin/login/" in response["Location"]
        return response.status_code in (401, 403, 404, 405)
    if response.status_code == 302:  # Wagtail sends people without admin access to its login or dashboard
        return response["Location"].split("?")[0] in ("/admin/login/", "/admin/", "/accounts/login/")
    return response.status_code in (403, 404, 405)


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_lets_its_owners_through_and_refuses_everyone_else(client, w, route):
    policy, build, insiders = MATRIX[route]
    url = reverse(route, kwargs=build(w))
    if policy in (PUBLIC, CAPABILITY):
        unknown = reverse(route, kwargs=insiders(w))
        client.logout()
        assert client.get(unknown).status_code == 404 or denied(client.get(unknown), "anonymous"), "anonymous"
        client.force_login(w.other_admin)
        assert client.get(unknown).status_code == 404, "unknown value"
        client.force_login(w.participant)
        assert client.get(url).status_code in (200, 302), "the holder of the code or key gets through"
        return
    client.logout()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert denied(response, "anonymous"), f"anonymous {method}: {response.status_code}"
    if policy == SIGNED_IN:
        return
    for actor in OUTSIDERS[1:]:
        client.logout()
        client.force_login(getattr(w, actor))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert denied(response, actor), f"{actor} {method}: {response.status_code}"
    for actor in insiders or ():
        client.logout()
        client.force_login(getattr(w, actor))
        response = client.get(url)
        if policy == READERS:  # redirected to the package's files with a fresh token bound to this person
            prefix = reverse(
                "packages:package_file", kwargs={"package_uuid": w.package.uuid, "token": "T", "path": "p"}
            )
            assert response.status_code == 302, f"{actor}: {response.status_code}"
            assert response["Location"].startswith(prefix.split("/T/")[0] + "/"), (actor, response["Location"])
        else:
            assert response.status_code == 200, actor


# --- The trainer password helper: whose password a trainer may reset ---------------------------------------------


def _staff_targets(w):
    """People a trainer of A must never reset, although each is also a participant of A."""
    from django.contrib.auth.models import Group, Permission

    colleague = MembershipFactory(institution=w.a, role=Role.TRAINER).user
    MembershipFactory(institution=w.a, role=Role.PARTICIPANT, user=colleague)
    django_staff = UserFactory(is_staff=True)
    MembershipFactory(institution=w.a, role=Role.PARTICIPANT, user=django_staff)
    editor = UserFactory()  # a Wagtail editor: admin access through a group, not is_staff
    editors, _ = Group.objects.get_or_create(name="Editores de prueba")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(editors)
    MembershipFactory(institution=w.a, role=Role.PARTICIPANT, user=editor)
    return {"a trainer colleague": colleague, "a Django staff user": django_staff, "a Wagtail editor": editor}


def _reset_refused(client, actor, target) -> None:
    client.force_login(actor)
    url = reverse("accounts:helper_reset", kwargs={"user_id": target.pk})
    password_before = type(target).objects.get(pk=target.pk).password
    assert client.get(url).status_code in (403, 404)
    assert client.post(url).status_code in (403, 404)
    assert type(target).objects.get(pk=target.pk).password == password_before, "the password was changed"


def test_trainer_resets_the_password_of_a_participant_of_their_institution(client, w):
    client.force_login(w.trainer)
    url = reverse("accounts:helper_reset", kwargs={"user_id": w.participant.pk})
    before = type(w.participant).objects.get(pk=w.participant.pk).password
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200
    assert type(w.participant).objects.get(pk=w.participant.pk).password != before


def test_trainer_cannot_reset_a_participant_of_another_institution(client, w):
    _reset_refused(client, w.trainer, w.other_participant)
    _reset_refused(client, w.other_trainer, w.participant)


@pytest.mark.parametrize("who", ["a trainer colleague", "a Django staff user"])
def test_trainer_cannot_reset_a_staff_member(client, w, who):
    _reset_refused(client, w.trainer, _staff_targets(w)[who])


def test_trainer_cannot_reset_a_wagtail_editor_who_is_also_a_participant(client, w):
    _reset_refused(client, w.trainer, _staff_targets(w)["a Wagtail editor"])


def test_participant_cannot_use_the_helper(client, w):
    another = MembershipFactory(institution=w.a, role=Role.PARTICIPANT).user
    _reset_refused(client, w.participant, another)


def test_trainer_cannot_add_a_participant_of_another_institution_to_a_cohort_they_do_not_lead(client, w):
    """The cohort «add participant» route: another institution's trainer and admin are refused, nothing added."""
    from courses.cohorts.models import Cohort, CohortMember

    cohort = Cohort.objects.get(institution=w.a)
    url = reverse("cohorts:member_add", kwargs={"pk": cohort.pk})
    members = CohortMember.objects.filter(cohort=cohort).count()
    for actor in (w.other_trainer, w.other_admin, w.participant):
        client.force_login(actor)
        response = client.post(url, {"first_name": "Intrusa", "phone": "+593991112233", "username": "intrusa"})
        assert response.status_code in (403, 404), response.status_code
    assert CohortMember.objects.filter(cohort=cohort).count() == members
    client.force_login(w.trainer)
    assert client.get(url).status_code == 200


def test_adding_a_foreign_participant_or_a_staff_member_to_a_cohort_gives_its_trainer_no_hold_on_them(client, w):
    """The cohort «add participant» route with the targets of the takeover chain (add by phone → temporary
    password): another institution's participant (created by it and never signed in, so *its* trainers may help
    her) and staff members. Each is only invited, given no role; even once they accept, A's trainer cannot reset
    their password, and a staff member's contact stays out of the export."""
    from courses.cohorts import services as cohort_services
    from courses.cohorts.models import Cohort, CohortInvitation, CohortMember
    from lms.accounts.models import ConsentRecord, Membership
    from lms.accounts.permissions import can_reset_password_for
    from lms.accounts.services import consent_record

    cohort = Cohort.objects.get(institution=w.a)
    foreign = UserFactory(
        first_name="María José", last_name="Álvarez", phone="+593991230017", created_by_institution=w.b
    )
    foreign.set_unusable_password()
    foreign.save()
    MembershipFactory(user=foreign, institution=w.b, role=Role.PARTICIPANT)
    assert can_reset_password_for(w.other_trainer, foreign)  # in reach of her own institution's trainer
    w.other_trainer.phone = "+593991230018"
    w.other_trainer.save()
    targets = {
        "another institution's participant": (foreign, {"phone": "099 123 0017"}),
        "another institution's trainer": (w.other_trainer, {"phone": "+593 99 123 0018"}),
        **{who: (person, {"username": person.username}) for who, person in _staff_targets(w).items()},
    }
    url = reverse("cohorts:member_add", kwargs={"pk": cohort.pk})
    for who, (target, typed) in targets.items():
        client.force_login(w.trainer)
        roles_in_a = set(Membership.objects.filter(user=target, institution=w.a).values_list("role", flat=True))
        assert client.post(url, {"first_name": "Persona", **typed}).status_code == 302, who
        assert CohortInvitation.objects.filter(cohort=cohort, user=target).exists(), who
        assert not CohortMember.objects.filter(cohort=cohort, user=target).exists(), who
        assert set(Membership.objects.filter(user=target, institution=w.a).values_list("role", flat=True)) == roles_in_a
        _reset_refused(client, w.trainer, target)
        invitation = CohortInvitation.objects.get(cohort=cohort, user=target)
        consent_record(user=target, purpose=ConsentRecord.Purpose.COHORT_CONTACT, granted=True)
        cohort_services.cohort_invitation_accept(invitation_id=invitation.pk, user=target, share_contact=True)
        _reset_refused(client, w.trainer, target)
    client.force_login(w.trainer)
    export = client.get(reverse("cohorts:export", args=[cohort.pk, "participantes", "csv"])).content.decode()
    assert "+593991230017" in export  # she agreed to share it with her cohorts' teams …
    assert "+593991230018" not in export  # … a staff member's contact is never listed, consent or not


def test_staff_see_memberships_of_the_institutions_they_manage_and_no_others_by_id(client, w):
    """Memberships are the one admin viewset scoped by institution: staff of B asking for A's by id get nothing."""
    client.force_login(w.staff)
    assert client.get(reverse("membresias:inspect", kwargs={"pk": w.membership.pk})).status_code == 200
    client.force_login(w.other_staff)
    for name in ADMIN_ROUTES["membresias"]:
        response = client.get(reverse(f"membresias:{name}", kwargs={"pk": w.membership.pk}))
        assert denied(response, "other_staff"), f"{name}: {response.status_code}"
        assert w.admin.username not in response.content.decode()
