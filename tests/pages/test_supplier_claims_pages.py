"""Self-declared identifiers on the pages (docs/suppliers.md, "Identifiers: self-declared or
verified"), on both databases: a company registers with a number another supplier only
claimed, and the pages say which claims nobody has checked."""

import re

import orjson
from django.test import Client

from openbook.store import audit
from tests.pages.test_publisher import send
from tests.pages.test_supplier_signup import BASE, answer_all, proved, supplier_signed_in
from tests.test_supplier_claims import NUMBER, self_register


def test_a_company_registers_with_a_number_another_only_claimed(database, store, outbox):
    squatter = self_register(store, "first@squat.example", "Squatter Ltd", [NUMBER])
    client = proved(outbox)
    answer_all(client)  # its answers give GB-COH-01234567 and a VAT number
    assert send(client, f"{BASE}/check", {}).status_code == 302
    done = client.get(f"{BASE}/registered").content.decode()
    assert "show as self-declared in the public register until the platform" in done
    found = re.search(r"<strong>(GB-OPENBOOK-[\w-]+)</strong>", done)
    assert found
    number = found.group(1)
    disputed = [e for e in audit.events(store, limit=100) if e.action.endswith("-disputed")]
    assert [(e.subject, e.detail["alsoClaimedBy"]) for e in disputed] == [(NUMBER, [squatter])]
    # Its account says which identifiers are only declared.
    account = supplier_signed_in().get("/suppliers/account").content.decode()
    assert f"{NUMBER} (self-declared, not yet verified)" in account
    # The public register's list and entry pages, and the organisation's page and its data.
    listing = Client().get("/registers/suppliers").content.decode()
    assert f"{NUMBER} (self-declared)" in listing
    entry = Client().get(f"/registers/suppliers/{number}").content.decode()
    assert "Identifiers it declared itself, not yet verified" in entry
    data = orjson.loads(Client().get(f"/organisations/{NUMBER}?format=json").content)
    claims = {e["id"]: e["claim"] for e in data["organisation"]["registers"]["suppliers"]}
    assert claims == {squatter: "self-declared", number: "self-declared"}
    page = Client().get(f"/organisations/{NUMBER}").content.decode()
    assert f"{squatter}</a> (self-declared)" in page
