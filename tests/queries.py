"""What a page costs in queries, for the tests that pin it (the same number at two sizes of data:
a query count that grew with the data would be an N+1 the detector cannot see, one query per
row of a loop written in SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class PageQueries:
    count: int
    sql: str  # every statement, one a line: what to print when two counts differ
    html: str  # the page ("" for a streamed file, read to the end)


def page_queries(client: Any, url: str) -> PageQueries:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, url
    return PageQueries(
        count=len(ctx.captured_queries),
        sql="\n".join(q["sql"] for q in ctx.captured_queries),
        html="" if response.streaming else body.decode(),
    )
