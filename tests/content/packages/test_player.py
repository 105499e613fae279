"""Stored packages: isolated file serving, the SCORM commit endpoint, resume data and activity_scored."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from content import signals
from content.packages.archive import open_archive
from content.packages.models import ScormAttempt
from content.packages.services import (
    content_package_store,
    scorm_commit,
    scorm_resume_data,
    scorm_summary,
    session_seconds,
)
from content.packages.views import SANDBOX_CSP, commit_signature, file_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(tmp_path):
    path = tmp_path / "sco.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("index.html", "<html><head><title>SCO</title></head><body>hola</body></html>")
        zf.writestr("img/x.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with open_archive(path) as archive:
        return content_package_store(archive=archive, engine="scorm12", title="SCO")


def test_package_file_is_served_sandboxed_with_the_api_shim(client, package):
    url = reverse("packages:package_file", args=[package.uuid, file_token(package), "index.html"])
    response = client.get(url)  # no login: the sandboxed frame sends no cookies
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == SANDBOX_CSP and "sandbox" in SANDBOX_CSP
    assert "allow-same-origin" not in SANDBOX_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in response  # nested SCO pages live in an opaque-origin frame
    html = response.content.decode()
    assert html.index("packages/sco-frame.js") < html.index("<title>")  # before the package's own scripts


def test_h5p_frame_sends_its_results_only_to_rutas_own_origin(client, tmp_path):
    """The frame's xAPI statements (the learner's answers) go to the lesson page on Ruta's origin, never to "*"
    (whatever page might frame it); ``location.origin`` is the frame URL's origin even in the opaque sandbox."""
    from tests.fixtures.packages import h5p_true_false

    with open_archive(h5p_true_false(tmp_path / "vf.h5p")) as archive:
        h5p = content_package_store(archive=archive, engine="h5p", title="Verdadero o falso")
    response = client.get(reverse("packages:h5p_frame", args=[h5p.uuid, file_token(h5p)]))
    assert response.status_code == 200 and response["Content-Security-Policy"] == SANDBOX_CSP
    html = response.content.decode()
    assert 'window.top.postMessage({ruta: "h5p-xapi", statement: event.data.statement}, location.origin)' in html
    assert '"*")' not in html


def test_svg_is_never_served_unsandboxed(client, package):
    response = client.get(reverse("packages:package_file", args=[package.uuid, file_token(package), "img/x.svg"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]


def test_bad_token_and_traversal_are_404(client, package):
    assert (
        client.get(reverse("packages:package_file", args=[package.uuid, "1:forged", "index.html"])).status_code == 404
    )
    token = file_token(package)
    url = reverse("packages:package_file", args=[package.uuid, token, "index.html"]).replace(
        "index.html", "../../settings.py"
    )
    assert client.get(url).status_code == 404


def test_scorm12_summary():
    core = {
        "lesson_status": "passed",
        "score": {"raw": "80", "min": "0", "max": "100"},
        "session_time": "00:01:30",
        "lesson_location": "p3",
    }
    interactions = {"0": {"id": "q1", "type": "choice", "result": "correct"}}
    cmi = {"cmi": {"core": core, "suspend_data": "abc", "interactions": interactions}}
    summary = scorm_summary(cmi)
    assert summary["completion_status"] == "completed" and summary["success_status"] == "passed"
    assert summary["score_scaled"] == 0.8 and summary["suspend_data"] == "abc" and summary["location"] == "p3"
    assert summary["interactions"][0]["id"] == "q1"
    assert session_seconds("00:01:30") == 90 and session_seconds("PT1H2M3S") == 3723


def test_scorm2004_mastery_decides_success():
    summary = scorm_summary({"completion_status": "completed", "score": {"scaled": "0.5"}}, mastery_score=0.8)
    assert summary["success_status"] == "failed"


def test_commit_endpoint_records_resumes_and_signals_once(client, user, package):
    received = []

    def on_scored(sender, **kwargs):
        received.append(kwargs)

    signals.activity_scored.connect(on_scored)
    try:
        client.force_login(user)
        sig = commit_signature(user_id=user.pk, package=package, usage_id="sco-1")
        url = reverse("packages:scorm_commit", args=[package.uuid]) + f"?usage=sco-1&sig={sig}"
        forged = reverse("packages:scorm_commit", args=[package.uuid]) + f"?usage=sco-2&sig={sig}"
        assert client.post(forged, "{}", content_type="application/json").status_code == 403
        cmi = {"cmi": {"core": {"lesson_status": "incomplete"}, "suspend_data": "pagina=2"}}
        assert client.post(url, json.dumps(cmi), content_type="application/json").json()["result"] == "true"
        assert scorm_resume_data(user=user, package=package, usage_id="sco-1") == cmi["cmi"]
        done = {"cmi": {"core": {"lesson_status": "passed", "score": {"raw": "90"}}, "suspend_data": ""}}
        client.post(url, json.dumps(done), content_type="application/json")
        client.post(url, json.dumps(done), content_type="application/json")  # a retry: no second signal
    finally:
        signals.activity_scored.disconnect(on_scored)
    attempt = ScormAttempt.objects.get()
    assert attempt.completed and attempt.score_scaled == 0.9 and attempt.commits == 3
    assert len(received) == 1
    assert received[0]["usage_id"] == "sco-1" and received[0]["passed"] and received[0]["completed"]


def test_a_malformed_commit_is_refused_and_keeps_what_was_stored(client, user, package):
    client.force_login(user)
    sig = commit_signature(user_id=user.pk, package=package, usage_id="sco-1")
    url = reverse("packages:scorm_commit", args=[package.uuid]) + f"?usage=sco-1&sig={sig}"
    kept = {"cmi": {"core": {"lesson_status": "incomplete"}, "suspend_data": "pagina=3"}}
    assert client.post(url, json.dumps(kept), content_type="application/json").status_code == 200
    # NaN and Infinity are not JSON: a SCO that sends them is refused, and its saved place stays.
    for body in ('{"cmi": {"core": {"score": {"raw": NaN}}}}', '{"cmi": {"score": {"scaled": -Infinity}}}'):
        assert client.post(url, body, content_type="application/json").status_code == 400, body
    assert scorm_resume_data(user=user, package=package, usage_id="sco-1") == kept["cmi"]
    # An H5P result whose verb is not an object, or whose score is not a number, is no server error.
    sig = commit_signature(user_id=user.pk, package=package, usage_id="h5p-1")
    url = reverse("packages:scorm_commit", args=[package.uuid]) + f"?usage=h5p-1&sig={sig}"
    for body in (
        '{"xapi": "answered"}',
        '{"xapi": {"verb": ["a"], "result": {"score": {"raw": 1, "max": "Infinity"}}}}',
        '{"xapi": {"verb": "answered", "result": {"score": {"raw": 1, "max": 2}, "completion": true}}}',
    ):
        assert client.post(url, body, content_type="application/json").json()["result"] == "true", body
    assert ScormAttempt.objects.get(user=user, usage_id="h5p-1").score_scaled == 0.5


def test_progress_kept_offline_for_days_is_accepted_from_rutas_page_only(user, package):
    """A phone offline longer than a commit signature lives (COMMIT_MAX_AGE) sends what it kept from Ruta's page,
    with the session's CSRF token: stored. Without the token (a beacon, another site) or for someone else: refused."""
    import time

    from django.test import Client

    from content.packages import views

    real_time = time.time
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: real_time() - views.COMMIT_MAX_AGE - 3 * 86400)  # signed 4 days ago
        old = commit_signature(user_id=user.pk, package=package, usage_id="sco-1")
        stranger_sig = commit_signature(user_id=user.pk + 1, package=package, usage_id="sco-1")
    url = reverse("packages:scorm_commit", args=[package.uuid]) + f"?usage=sco-1&sig={old}"
    body = json.dumps({"cmi": {"core": {"lesson_status": "completed"}, "suspend_data": "pagina=9"}})
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    token = "k" * 32
    browser.cookies["csrftoken"] = token

    # A beacon carries no header: an old signature alone is not enough.
    assert browser.post(url, body, content_type="application/json").status_code == 403
    # Another site cannot pass the check either (it cannot read the token; its Origin gives it away).
    foreign = browser.post(
        url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token, HTTP_ORIGIN="https://otro.example"
    )
    assert foreign.status_code == 403
    assert not ScormAttempt.objects.exists()
    # Someone else's old signature, even from Ruta's page: refused.
    other = reverse("packages:scorm_commit", args=[package.uuid]) + f"?usage=sco-1&sig={stranger_sig}"
    assert browser.post(other, body, content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code == 403
    # Ruta's page sending what waited: stored, and the learner resumes from it.
    answer = browser.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 200 and answer.json()["result"] == "true"
    assert scorm_resume_data(user=user, package=package, usage_id="sco-1")["suspend_data"] == "pagina=9"
    assert ScormAttempt.objects.get().completed


def test_commit_requires_login(client, package):
    url = reverse("packages:scorm_commit", args=[package.uuid]) + "?usage=x"
    assert client.post(url, "{}", content_type="application/json").status_code == 302


def test_service_directly(user, package):
    attempt = scorm_commit(user=user, package=package, usage_id="u", cmi={"completion_status": "completed"})
    assert attempt.completed and attempt.score_scaled is None
    assert Path(package.storage_prefix).parts[0] == "paquetes"


def test_h5p_result_is_recorded_like_a_commit(user, package):
    from content.packages.services import h5p_result_record

    statement = {
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "result": {"score": {"raw": 1, "max": 2}, "success": False, "completion": True},
    }
    attempt = h5p_result_record(user=user, package=package, usage_id="h5p-1", statement=statement)
    assert attempt.completed and attempt.score_scaled == 0.5 and attempt.success_status == "failed"
    assert h5p_result_record(user=user, package=package, usage_id="h5p-1", statement={"verb": {}}) is None


def test_file_links_are_bound_to_the_learner_and_expire(client, user, package):
    from content.packages import views

    token = file_token(package, user_id=user.pk)
    url = reverse("packages:package_file", args=[package.uuid, token, "index.html"])
    assert client.get(url).status_code == 200
    # Someone else's id in a copied link breaks the signature.
    forged = token.replace(f"{user.pk}:", f"{user.pk + 1}:", 1)
    assert client.get(reverse("packages:package_file", args=[package.uuid, forged, "index.html"])).status_code == 404
    # Older than the lifetime of a lesson sitting: refused.
    assert views.TOKEN_MAX_AGE <= 2 * 3600
    import time

    real_time = time.time
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: real_time() - views.TOKEN_MAX_AGE - 60)
        expired = file_token(package, user_id=user.pk)
    assert client.get(reverse("packages:package_file", args=[package.uuid, expired, "index.html"])).status_code == 404


def test_html_gets_the_engine_runtime_not_a_cross_frame_proxy(client, package):
    html = client.get(reverse("packages:package_file", args=[package.uuid, file_token(package), "index.html"])).content
    text = html.decode()
    assert "vendor/scorm-again/scorm12.min.js" in text and "packages/sco-frame.js" in text
    assert 'data-engine="scorm12"' in text and "<script>" not in text  # no inline script of Ruta's own
    assert "cross-frame" not in text


def test_resume_tree_after_a_suspended_session():
    from content.packages.services import scorm_resume_tree

    attempt = ScormAttempt(cmi={"core": {"lesson_location": "6", "exit": "suspend", "lesson_status": "incomplete"}})
    tree = scorm_resume_tree(attempt=attempt, engine="scorm12", mastery_score=0.8)["cmi"]
    assert tree["core"]["entry"] == "resume" and tree["core"]["lesson_location"] == "6"
    assert tree["student_data"]["mastery_score"] == "80"
    assert scorm_resume_tree(attempt=None, engine="scorm12")["cmi"]["core"]["entry"] == "ab-initio"
    finished = ScormAttempt(cmi={"location": "14", "exit": "normal", "completion_status": "completed"})
    tree = scorm_resume_tree(attempt=finished, engine="scorm2004", objective_ids=["obj_playing"])["cmi"]
    assert tree["entry"] == "" and tree["completion_status"] == "completed"
    assert tree["objectives"] == [{"id": "obj_playing"}]
    interrupted = ScormAttempt(cmi={"location": "6", "suspend_data": "p=6"})  # left without the SCO terminating
    assert scorm_resume_tree(attempt=interrupted, engine="scorm2004")["cmi"]["entry"] == "resume"


def test_a_pass_mark_needs_the_score(user, package):
    attempt = scorm_commit(
        user=user, package=package, usage_id="u", cmi={"completion_status": "completed"}, mastery_score=0.8
    )
    assert attempt.completed and not attempt.passed
    attempt = scorm_commit(
        user=user,
        package=package,
        usage_id="u",
        cmi={"completion_status": "completed", "score": {"scaled": "0.93"}},
        mastery_score=0.8,
    )
    assert attempt.passed and attempt.success_status == "passed"


def test_interaction_objectives_are_not_counted_as_interactions():
    cmi = {
        "interactions": {
            "childArray": [
                {"id": "q1", "result": "correct", "objectives": {"childArray": [{"id": "obj_playing"}]}},
                {"id": "q2", "result": "incorrect", "objectives": {"childArray": [{"id": "obj_playing"}]}},
            ]
        }
    }
    assert [i["id"] for i in scorm_summary(cmi)["interactions"]] == ["q1", "q2"]
