"""Shared fixtures. Factories live in ``tests/<app>/factories.py``."""

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _cache_table(db):
    """The database cache table (the default cache without Redis) exists in every test database."""
    call_command("createcachetable", verbosity=0)
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def user(db):
    from tests.accounts.factories import UserFactory

    return UserFactory()
