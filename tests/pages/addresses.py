"""One address of every page type, on a site's data: what the structural, accessibility and
browser tests visit, and bench/pages.py times. A new page type is added here."""

from openbook.store.database import Store


def page_addresses(store: Store) -> dict[str, str]:
    """Page type: an address of it on this store's data (``?lang=cy``: read in Welsh)."""
    found = {
        "home": "/",
        "home in Welsh": "/?lang=cy",
        "sign in to publish": "/publish/sign-in",
        "sign in to publish in Welsh": "/publish/sign-in?lang=cy",
    }
    # Each area adds its page types below its marker (found["name"] = address).
    # search pages
    found["search"] = "/search"
    found["search with filters"] = (
        "/search?q=services&stage=contract&status=complete&region=UKE&value_min=10000"
        "&currency=GBP&published_from=2020-01-01&above_threshold=false&sort=value&order=asc"
    )
    found["search in Welsh"] = "/search?lang=cy"
    # alert pages (with the search pages)
    from openbook import alerts
    from tests.pages.test_process import full_process as followed_process

    found["alerts for a search"] = "/alerts/search?q=services&stage=contract"
    found["alerts for a search in Welsh"] = "/alerts/search?q=services&lang=cy"
    found["alerts for a process"] = f"/alerts/processes/{followed_process(store)}"
    from openbook.store import parties as followed_parties

    if followed := followed_parties.newest_with_role(store, "buyer"):
        found["alerts for an organisation"] = f"/alerts/organisations/{followed}"
    asked = alerts.subscribe(
        store,
        email="pages@example.com",
        kind="search",
        target="q=services",
        label="‘services’",
        frequency="daily",
        language="en",
    )
    found["alerts: confirm"] = f"/alerts/confirm/{asked.confirm_token}"
    found["alerts: unsubscribe"] = f"/alerts/unsubscribe/{asked.unsubscribe_token}"
    # process pages
    from tests.pages.test_process import flagged_process, full_process

    found["process"] = f"/processes/{full_process(store)}"
    found["process in Welsh"] = f"/processes/{full_process(store)}?lang=cy"
    if flagged := flagged_process(store):
        found["process with red flags"] = f"/processes/{flagged}"
    # organisation pages
    from openbook.store import parties

    buyer = parties.newest_with_role(store, "buyer")
    supplier = parties.newest_with_role(store, "supplier")
    named = parties.names(store, buyer)[0].name.split()[0] if buyer else "council"
    found["organisations"] = f"/organisations?q={named}"
    if buyer is not None:
        found["organisation as buyer"] = f"/organisations/{buyer}"
        found["organisation in Welsh"] = f"/organisations/{buyer}?lang=cy"
    if supplier is not None:
        found["organisation as supplier"] = f"/organisations/{supplier}"
    # register and progress pages
    from openbook import commercial_tools, registers

    found["registers"] = "/registers"
    found["registers in Welsh"] = "/registers?lang=cy"
    for code in ("debarment", "complaints", "challenges", "suppliers", "pipeline"):
        found[f"register: {code}"] = f"/registers/{code}"
    found["register: commercial tools"] = "/registers/commercial-tools?status=active"
    found["register: performance"] = "/registers/performance?terminated=true"
    if tools := commercial_tools.register(store, limit=1)["page"]:
        found["commercial tool"] = f"/registers/commercial-tools/{tools[0]['ocid']}"
    for code in ("debarment", "complaints", "challenges", "suppliers"):
        if entries := registers.entries(store, code, limit=1):
            found[f"register entry: {code}"] = f"/registers/{code}/{entries[0].entry_id}"
    found["metrics"] = "/metrics"
    found["metric"] = "/metrics/award-published-90-days?period=all"
    found["metric in Welsh"] = "/metrics/tender-published?lang=cy"
    found["metric: data quality"] = "/metrics/quality?period=all&sort=name&order=asc"
    found["metric: red flag"] = "/metrics/flag:uk-single-bid?period=all&outcome=for"
    # action plan pages: NAP5 loaded, with an update and an assessment to show
    from openbook import plans

    plans.load(store, recorded_by="test")  # loading it again stores nothing
    plans.record_update(
        store, "uk-nap5", "5", "4", day="2022-12-20", status="limited", narrative="Under way.",
        evidence=[{"url": "https://example.org/strategy", "title": "The strategy"}],
        recorded_by="test",
    )  # fmt: skip
    plans.record_assessment(
        store, "uk-nap5", "1", day="2022-06-01", source="https://example.org/irm",
        indicators={"openGovernmentLens": "yes", "potentialForResults": "modest"},
        lens_values=["access-to-information"], recorded_by="test",
    )  # fmt: skip
    found["action plans"] = "/plans"
    found["action plan"] = "/plans/uk-nap5"
    found["action plan in Welsh"] = "/plans/uk-nap5?lang=cy"
    found["action plan commitment"] = "/plans/uk-nap5/commitments/1"
    found["action plan milestone, measured"] = "/plans/uk-nap5/commitments/1/milestones/1"  # L
    found["action plan milestone, updated"] = "/plans/uk-nap5/commitments/5/milestones/4"  # L
    # spend pages
    from tests.pages.spend_site import spend_addresses

    found.update(spend_addresses(store))
    found["accessibility statement"] = "/accessibility"
    found["accessibility statement in Welsh"] = "/accessibility?lang=cy"
    found["privacy notice"] = "/privacy"
    found["cookies"] = "/cookies"
    found["verify the log"] = "/verify"
    from tests.pages.test_downloads_page import ensure_snapshot

    ensure_snapshot(store)
    found["downloads"] = "/downloads/"
    found["API reference"] = "/api/docs"
    found["downloads in Welsh"] = "/downloads/?lang=cy"
    return found
