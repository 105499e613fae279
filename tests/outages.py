"""What the outage tests share: PostgreSQL refusing every statement, as when its server is down."""

from contextlib import contextmanager
from unittest import mock

from django.db import OperationalError
from django.db.backends.utils import CursorWrapper


@contextmanager
def database_down():
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    with mock.patch.object(CursorWrapper, "_execute", refuse), mock.patch.object(CursorWrapper, "_executemany", refuse):
        yield
