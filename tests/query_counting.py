"""Counting the database work of a request, apart from the cache.

Without Redis the shared cache is a database table (``ruta_cache``), so a cache read shows up as a query. The
query bounds are about the page's own data (an N+1 would break them), so they leave the cache table out; with
Redis (production, the second CI run) the same requests make no cache queries at all.
"""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def data_queries(captured) -> list[str]:
    """The captured statements less the cache table's, and less the savepoints that wrapped only those (the
    database cache writes inside ``atomic``)."""
    kept: list[str] = []
    for sql in (q["sql"] for q in captured.captured_queries if '"ruta_cache"' not in q["sql"]):
        if sql.startswith("RELEASE SAVEPOINT") and kept and kept[-1] == sql.replace("RELEASE SAVEPOINT", "SAVEPOINT"):
            kept.pop()  # an empty savepoint: everything between was cache work
            continue
        kept.append(sql)
    return kept


@contextmanager
def assert_max_data_queries(limit: int):
    with CaptureQueriesContext(connection) as captured:
        yield captured
    queries = data_queries(captured)
    if len(queries) > limit:
        pytest.fail(f"{len(queries)} queries (at most {limit} expected):\n" + "\n".join(q[:200] for q in queries))
