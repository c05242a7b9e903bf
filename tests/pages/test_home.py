"""The home page: what is here, the headline figures, the newest notices, a search box."""

import orjson
from django.test import Client

from openbook.store import records
from openbook.store.log import log_size


def test_the_home_page_tells_what_is_here(site):
    answer = Client().get("/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "<title>Home – Open contracting – GOV.UK</title>" in html
    assert f"{records.count(site.store, 'ocds'):,}" in html
    assert 'action="/search"' in html and 'name="q"' in html


def test_its_json_twin_holds_what_the_page_shows(site):
    twin = orjson.loads(Client().get("/?format=json").content)
    assert twin["statements"] == log_size(site.store)
    assert twin["processes"] == records.count(site.store, "ocds")
    assert len(twin["newest"]) == 5
    published = [process["published"] for process in twin["newest"]]
    assert published == sorted(published, reverse=True)
    html = Client().get("/").content.decode()
    for process in twin["newest"]:
        assert f'href="/processes/{process["ocid"]}"' in html
    assert {figure["metric"] for figure in twin["milestones"]} <= {
        "tender-published",
        "award-published-90-days",
    }


def test_accept_json_asks_for_the_twin_too(site):
    answer = Client().get("/", HTTP_ACCEPT="application/json")
    assert answer["Content-Type"] == "application/json"
    assert "Accept" in answer["Vary"]


def test_a_new_process_is_counted_at_once(site):
    """The number of processes is kept between requests (it costs a count of every record),
    but only while nothing is published: a new process shows on the next request."""
    from tests.factories import create_release
    from tests.web.conftest import publish

    before = orjson.loads(Client().get("/?format=json").content)["processes"]
    publish(site.store, [create_release("ocds-213czf-home-counted", "1")])
    assert orjson.loads(Client().get("/?format=json").content)["processes"] == before + 1
