import pytest


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process even in the worker run of ``.ci/run`` (where a broker is configured)."""
    from lms.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
