"""A walk through the demo (`make run`) as each of its accounts: every link a page shows its
reader leads somewhere — never a 404, a 403 or a server error behind a link the application
itself offered. Pages are followed from the home page, a few of each kind (URL name), so that
the walk covers every screen a role reaches without reading all 99 criteria of each dossier.
The demo is seeded once for the module (rolled back after its last test); each account walks it
in a test of its own (pytest-xdist spreads them over both cores), from the seeded state."""

from __future__ import annotations

import io
import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from labelml.demo.network import ACCOUNTS
from tests.worlds import rolled_back_world

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"]*)"')
# Not pages: files, leaving, and Django's own admin (its links are Django's, not ours).
SKIP = ("/static/", "/media/", "/comptes/logout/", "/admin/")
PER_KIND = 3
MAX_PAGES = 120


def _links(html: str) -> list[str]:
    return [urldefrag(h.replace("&amp;", "&"))[0] for h in HREF.findall(html)]


def walk(client: Client) -> tuple[int, list[str]]:
    """Visit what the home page leads to; return the pages seen and what went wrong."""
    seen: set[str] = set()
    kinds: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque([("/", "(départ)")])
    problems: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        url, referrer = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        try:
            kind = resolve(urlsplit(url).path).view_name
        except Resolver404:
            problems.append(f"{url} (lien de {referrer}) : aucune page à cette adresse")
            continue
        if kinds[kind] >= PER_KIND:
            continue
        kinds[kind] += 1
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            location = response["Location"]
            if location.startswith("/"):
                queue.appendleft((location, url))
            continue
        if response.status_code != 200:
            problems.append(f"{url} (lien de {referrer}) : HTTP {response.status_code}")
            continue
        if "html" not in response.get("Content-Type", ""):
            continue  # a download: it answered, there is nothing to follow in it
        for link in _links(response.content.decode()):
            if link not in seen:
                queue.append((link, url))
    return len(seen), problems


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """`make run`'s demo: `seed_demo`, run once for the module."""
    with rolled_back_world(django_db_blocker) as settle:
        call_command("seed_demo", stdout=io.StringIO())
        yield settle(None)  # the seeded database is the world


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda account: account.email.split("@")[0])
def test_every_link_the_demo_shows_each_account_leads_somewhere(demo, account):
    client = Client()
    client.force_login(get_user_model().objects.get(email=account.email))
    pages, problems = walk(client)
    assert not problems, "\n".join(f"{account.email}: {p}" for p in problems)
    # The walk really went round: every account reached a good number of its pages (from 23
    # for a commission member to 79 for the administrator when this test was written).
    assert pages >= 20, (account.email, pages)
