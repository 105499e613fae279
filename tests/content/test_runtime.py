"""The XBlock runtime adapter: key-value store, handler URLs, rendering for the current learner."""

import json
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from xblock.fields import Scope
from xblock.runtime import KeyValueStore

from content.blocks import ACTIVITY_BLOCKS
from content.models import XBlockState
from content.xblocks.kvs import DjangoKeyValueStore
from content.xblocks.runtime import RutaRuntime
from tests.content.conftest import VALUES
from tests.content.helpers import section
from tests.lms.accounts.factories import UserFactory
from tests.query_counting import assert_max_data_queries


def _key(usage_id, name, scope=Scope.user_state, user_id=1):
    return KeyValueStore.Key(scope=scope, user_id=user_id, block_scope_id=usage_id, field_name=name)


def test_kvs_round_trip_through_the_database(user):
    usage_id = str(uuid.uuid4())
    store = DjangoKeyValueStore(user=user)
    store.set_many({_key(usage_id, "attempts"): 2, _key(usage_id, "last_answer"): {"choice": 1}})
    store.set(_key(usage_id, "attempts"), 3)  # an update, not a second row

    fresh = DjangoKeyValueStore(user=user)
    assert fresh.get(_key(usage_id, "attempts")) == 3
    assert fresh.get(_key(usage_id, "last_answer")) == {"choice": 1}
    assert fresh.has(_key(usage_id, "attempts"))
    assert XBlockState.objects.filter(user=user, block_scope_id=usage_id).count() == 2
    fresh.delete(_key(usage_id, "attempts"))
    assert not DjangoKeyValueStore(user=user).has(_key(usage_id, "attempts"))
    with pytest.raises(KeyError):
        DjangoKeyValueStore(user=UserFactory()).get(_key(usage_id, "last_answer"))  # another learner's state


def test_kvs_reads_authored_fields_and_refuses_to_write_them(user):
    store = DjangoKeyValueStore(user=user)
    store.add_authored("u1", {"prompt": "¿Listo?", "title": None})
    assert store.get(_key("u1", "prompt", scope=Scope.content, user_id=None)) == "¿Listo?"
    with pytest.raises(KeyError):  # unset → the field's default
        store.get(_key("u1", "title", scope=Scope.settings, user_id=None))
    with pytest.raises(TypeError):
        store.set(_key("u1", "prompt", scope=Scope.content, user_id=None), "cambiado")


def test_xblock_fields_persist_between_runtimes(user):
    authored = dict(ACTIVITY_BLOCKS)["true_false"].to_python(VALUES["true_false"]).xblock_fields()
    block = RutaRuntime(user=user, page_id=None).activity(usage_id="tf", block_type="true_false", authored=authored)
    assert block.prompt == VALUES["true_false"]["prompt"] and block.max_attempts == 1
    block.attempts = 1
    block.last_answer = {"value": "false"}
    block.save()

    again = RutaRuntime(user=user, page_id=None).activity(usage_id="tf", block_type="true_false", authored=authored)
    assert (again.attempts, again.last_answer, again.locked) == (1, {"value": "false"}, True)
    anonymous = RutaRuntime(user=AnonymousUser(), page_id=None)
    assert anonymous.activity(usage_id="tf", block_type="true_false", authored=authored).attempts == 0


def test_handler_url_routes_through_django_to_the_block(client, user, choice_page, submit):
    page, usage_id = choice_page
    submit(user, page, usage_id, {"choice": "0"})
    runtime = RutaRuntime(user=user, page_id=page.pk)
    block = runtime.activity(usage_id=usage_id, block_type="single_choice", authored={})
    url = runtime.handler_url(block, "state")
    assert url == f"/actividades/{page.pk}/{usage_id}/handler/state/"

    client.force_login(user)
    response = client.post(url, data=json.dumps({}), content_type="application/json")

    assert response.status_code == 200
    state = response.json()
    assert state["attempts"] == 1 and state["max_attempts"] == 2 and state["locked"] is False
    assert state["result"]["score"] == 0.0
    assert client.post(url.replace("state", "nada"), data="{}", content_type="application/json").status_code == 404
    # JSON nested thousands of levels deep (built to break parsers) is a bad request, not a server error.
    nested = client.post(url, data="[" * 5000 + "]" * 5000, content_type="application/json")
    assert nested.status_code == 400 and "no es válida" in nested.json()["error"]
    assert client.post(url, data=json.dumps({}), content_type="application/json").status_code == 200


def test_anonymous_visitor_sees_the_question_and_a_login_link(client, choice_page):
    page, usage_id = choice_page
    html = section(client.get(page.url).content, usage_id)
    assert "Hablar con posibles clientes" in html
    assert "Inicia sesión</a> para responder esta actividad." in html
    assert '<fieldset class="activity-fieldset" disabled' in html
    response = client.post(
        f"/actividades/{page.pk}/{usage_id}/enviar/", {"choice": "1", "submission_id": str(uuid.uuid4())}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_rendered_activity_is_accessible_markup(client, user, choice_page):
    page, usage_id = choice_page
    client.force_login(user)
    html = section(client.get(page.url).content, usage_id)
    assert '<legend class="activity-prompt">¿Qué conviene hacer antes de invertir?</legend>' in html
    assert f'<label for="actividad-{usage_id}-choice-1">Hablar con posibles clientes</label>' in html
    assert f'id="actividad-{usage_id}-resultado" tabindex="-1"' in html  # focus target for the feedback
    assert 'aria-live="polite"' in html
    offline = (
        "Sin conexión. Guardamos tu respuesta y se calificará al conectarte: la enviaremos sola cuando vuelva la señal."
    )
    assert offline in html
    assert "/static/content/activities.js" in html
    assert 'name="submission_id" value="' in html  # server fallback id for no-JS posts


def test_a_page_of_activities_renders_in_few_queries(client, user, all_page):
    page, ids = all_page
    client.force_login(user)
    client.get(page.url)
    with assert_max_data_queries(15):
        response = client.get(page.url)
    for usage_id in ids.values():
        assert f'id="actividad-{usage_id}"' in response.content.decode()


def test_editor_preview_renders_without_a_page_or_learner():
    for _name, block in ACTIVITY_BLOCKS:
        html = block.render(block.get_preview_value(), context={})
        assert "Vista previa" in html
        assert 'name="submission_id"' not in html


def test_block_previous_answer_is_shown_checked(client, user, choice_page, submit):
    page, usage_id = choice_page
    submit(user, page, usage_id, {"choice": "2"})
    client.force_login(user)
    html = section(client.get(page.url).content, usage_id)
    assert 'value="2" id="actividad-' in html
    assert f'id="actividad-{usage_id}-choice-2" checked' in html
    assert "Es pronto para endeudarse." in html


def test_draft_page_preview_is_read_only(rf, user, choice_page, submit):
    from content.xblocks.rendering import render_activity

    page, usage_id = choice_page
    submit(user, page, usage_id, {"choice": "0"})
    request = rf.get(page.url)
    request.user = user
    request.is_preview = True  # what Wagtail sets while an editor previews a draft
    html = render_activity(request=request, page=page, usage_id=usage_id)
    assert "Vista previa" in html
    assert 'name="submission_id"' not in html
    assert "Primero valida tu idea." not in html  # the editor's own past answers are not mixed in


def test_expired_session_gets_a_json_401_so_the_browser_keeps_the_answer(client, choice_page):
    page, usage_id = choice_page
    response = client.post(
        f"/actividades/{page.pk}/{usage_id}/enviar/",
        {"choice": "1", "submission_id": str(uuid.uuid4())},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 401
    assert response.json()["message"] == "Tu sesión terminó. Vuelve a iniciar sesión."


def test_unknown_page_or_activity_is_404(client, user, choice_page):
    page, _usage_id = choice_page
    client.force_login(user)
    assert (
        client.post(f"/actividades/{page.pk}/{uuid.uuid4()}/enviar/", {"submission_id": str(uuid.uuid4())}).status_code
        == 404
    )
    assert client.post(f"/actividades/999999/{uuid.uuid4()}/enviar/", {}).status_code == 404
