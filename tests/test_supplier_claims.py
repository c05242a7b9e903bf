"""Suppliers' claims to their identifiers (openbook.supplier_claims; docs/suppliers.md,
"Identifiers: self-declared or verified"), on both databases: a self-registration's identifiers
are self-declared and block nobody; the clash is put to the administrators, who verify or remove
claims; every bad request is refused saying why, with nothing recorded; and the command line."""

import functools

import orjson
import pytest
from django.test import Client

from openbook import organisations, registers, supplier_claims, supplier_signup, suppliers
from openbook.publishing.answers import Refused
from openbook.publishing.exclusion import listed
from openbook.store import audit, log
from tests.publishing import CLI, create_publisher
from tests.test_cli import openbook

NUMBER = "GB-COH-01234567"
VAT = "GB-VAT-217967235"


def entry(name: str, identifiers: list[str]) -> dict:
    return {"legalName": name, "address": {"locality": "Leeds"}, "identifiers": identifiers,
            "sme": True, "vcse": False, "status": "active",
            "contact": {"name": "Bids", "email": "bids@example.com"}}  # fmt: skip


@functools.cache
def _password_hash() -> str:
    return supplier_signup.hash_password("moss lantern quarry violet")  # slow: made once


def self_register(store, email: str, name: str, identifiers: list[str]) -> str:
    """A supplier registering itself, as the pages do it: its number."""
    started = supplier_signup.start(store, email)
    assert started.token is not None
    signup = supplier_signup.confirm(store, started.token)
    assert signup is not None
    recorded = supplier_signup.register(
        store,
        signup_id=signup.id,
        email=email,
        sent=entry(name, identifiers),
        password_hash=_password_hash(),
        address="192.0.2.1",
    )
    return recorded.entry.entry_id


def admin_register(store, administrator, name: str, identifiers: list[str]) -> str:
    made = suppliers.register(
        store, entry(name, identifiers), administrator=administrator, actor=CLI
    )
    return made.recorded.entry.entry_id


def _events(store, action: str) -> list:
    return [event for event in audit.events(store, limit=200) if event.action == action]


def test_a_self_declared_claim_blocks_nobody_and_the_clash_goes_to_the_administrators(store):
    administrator = create_publisher(store)
    squatter = self_register(store, "first@squat.example", "Squatter Ltd", [NUMBER])
    found = registers.entry(store, "suppliers", squatter)
    assert found.entry["selfDeclared"] == [NUMBER]
    # The register API and its bulk file say so; so does the organisation's page data.
    api = Client().get(f"/api/registers/suppliers/{squatter}").json()
    assert api["identifiers"] == [NUMBER] and api["selfDeclared"] == [NUMBER]
    assert [line["selfDeclared"] for line in registers.bulk(store, "suppliers")] == [[NUMBER]]
    [statement] = log.record_statements(store, "suppliers", squatter)
    assert orjson.loads(statement.body)["entry"]["selfDeclared"] == [NUMBER]  # in the log
    [outline] = organisations.in_registers(store, NUMBER)["suppliers"]
    assert (outline["id"], outline["claim"]) == (squatter, "self-declared")
    # The company whose number it is registers all the same (by itself, or by an administrator).
    assert supplier_signup.held(store, [NUMBER]) == []
    real = self_register(store, "bids@real.example", "Real Company Ltd", [NUMBER, VAT])
    [dispute] = _events(store, "supplier.identifier-disputed")
    assert dispute.subject == NUMBER
    assert dispute.detail == {
        "claimedBy": real,
        "claim": "self-declared",
        "alsoClaimedBy": [squatter],
    }
    disputes = supplier_claims.disputes(store)
    assert list(disputes) == [NUMBER]
    assert {(c.supplier, c.status) for c in disputes[NUMBER]} == {
        (squatter, "self-declared"),
        (real, "self-declared"),
    }
    # An administrator decides: verifying is refused while both claim it...
    with pytest.raises(Refused, match=f"claimed by {squatter} too"):
        supplier_claims.verify(store, real, NUMBER, organisation=administrator, actor=CLI)
    # ...the squatter's claim is removed, for a reason, as a new version in the log...
    removed = supplier_claims.remove(
        store, squatter, NUMBER, "  Companies House: not its number ", organisation=administrator,
        actor=CLI,
    )  # fmt: skip
    assert removed.entry.version == 2 and "identifiers" not in removed.entry.entry
    assert "selfDeclared" not in removed.entry.entry
    [event] = _events(store, supplier_claims.REMOVED)
    assert event.detail == {
        "identifier": NUMBER,
        "reason": "Companies House: not its number",
        "version": 2,
    }
    # ...and the real company's claim verified: its private part is kept unchanged.
    verified = supplier_claims.verify(store, real, NUMBER, organisation=administrator, actor=CLI)
    assert verified.entry.entry["selfDeclared"] == [VAT]
    assert suppliers.own(store, _organisation(store, real))["contact"]["email"] == (
        "bids@example.com"
    )
    again = supplier_claims.verify(store, real, NUMBER, organisation=administrator, actor=CLI)
    assert again.outcome == "unchanged" and len(_events(store, supplier_claims.VERIFIED)) == 1
    assert supplier_claims.disputes(store) == {}
    assert [(c.supplier, c.identifier) for c in supplier_claims.self_declared(store)] == [
        (real, VAT)
    ]
    # Verified, it blocks: a third claimant is refused.
    assert supplier_signup.held(store, [NUMBER]) == [NUMBER]
    with pytest.raises(Refused, match="is registered to supplier"):
        self_register(store, "third@late.example", "Late Ltd", [NUMBER])


def _organisation(store, number):
    from openbook.publishing.publishers import find_publisher

    return find_publisher(store, number)


def test_an_administrators_registration_is_verified_and_disputes_a_self_declared_claim(store):
    administrator = create_publisher(store)
    squatter = self_register(store, "first@squat.example", "Squatter Ltd", [NUMBER])
    real = admin_register(store, administrator, "Real Company Ltd", [NUMBER])
    assert "selfDeclared" not in registers.entry(store, "suppliers", real).entry
    [dispute] = _events(store, "supplier.identifier-disputed")
    assert dispute.detail["claim"] == "verified" and dispute.detail["alsoClaimedBy"] == [squatter]


def test_a_supplier_cannot_verify_itself_but_keeps_what_it_does_not_send(store):
    number = self_register(store, "first@acme.example", "Acme Ltd", [NUMBER, VAT])
    organisation = _organisation(store, number)
    sent = {
        name: value
        for name, value in suppliers.own(store, organisation).items()
        if name in ("legalName", "address", "identifiers", "sme", "vcse", "status", "contact")
    }
    with pytest.raises(Refused, match="selfDeclared as it stands") as refused:
        suppliers.change(store, organisation, {**sent, "selfDeclared": [VAT]}, 1, CLI)
    assert refused.value.code == "identifiers-locked"
    changed = suppliers.change(store, organisation, {**sent, "legalName": "Acme Two"}, 1, CLI)
    assert changed.entry.entry["selfDeclared"] == [NUMBER, VAT]


def test_a_debarred_suppliers_claim_to_another_number_does_not_debar_that_company(store):
    administrator = create_publisher(store)
    debarred = self_register(store, "debarred@example.com", "Debarred Ltd", [NUMBER])
    registers.record(
        store,
        "debarment",
        {"supplier": {"identifier": debarred, "name": "Debarred Ltd"},
         "ground": {"type": "mandatory", "reference": "Schedule 6, paragraph 1"},
         "decisionDate": "2025-01-10", "startDate": "2025-01-15", "endDate": "2027-01-14",
         "status": "active"},
        organisation=administrator,
        role="administrator",
        actor=CLI,
    )  # fmt: skip
    award = {"ocid": "ocds-b5fd17-x", "id": "1", "date": "2025-07-14T00:00:00Z",
             "parties": [{"id": NUMBER, "name": "Honest Ltd", "roles": ["supplier"]}],
             "awards": [{"id": "1", "status": "active",
                         "suppliers": [{"id": NUMBER}]}]}  # fmt: skip

    class Sent:
        release = award

    assert listed(store, [Sent]) == {}  # type: ignore[list-item]
    supplier_claims.verify(store, debarred, NUMBER, organisation=administrator, actor=CLI)
    assert list(listed(store, [Sent])) == [NUMBER]  # type: ignore[list-item]


BAD_DECISIONS = [
    ("verify", "GB-OPENBOOK-AAAA-AAAA-A", NUMBER, "x", "has no entry"),
    ("remove", "GB-OPENBOOK-AAAA-AAAA-A", NUMBER, "x", "has no entry"),
    ("verify", None, "GB-COH-nonsense!", "x", "GB-COH-nonsense!"),
    ("remove", None, "not an identifier", "x", "'not an identifier'"),
    ("verify", None, "GB-CHC-1234567", "x", "does not give GB-CHC-1234567"),
    ("remove", None, "GB-CHC-1234567", "x", "does not give GB-CHC-1234567"),
    ("remove", None, NUMBER, "   ", "give the reason"),
    ("remove", None, NUMBER, "x" * 501, "500 characters or fewer"),
]


def test_a_bad_decision_is_refused_saying_why_and_records_nothing(store):
    administrator = create_publisher(store)
    squatter = self_register(store, "first@squat.example", "Squatter Ltd", [NUMBER])
    before = log.log_size(store)
    for action, number, identifier, reason, says in BAD_DECISIONS:
        with pytest.raises((Refused, registers.UnknownEntry), match=says):
            if action == "verify":
                supplier_claims.verify(
                    store, number or squatter, identifier, organisation=administrator, actor=CLI
                )
            else:
                supplier_claims.remove(
                    store, number or squatter, identifier, reason, organisation=administrator,
                    actor=CLI,
                )  # fmt: skip
    assert log.log_size(store) == before
    assert registers.entry(store, "suppliers", squatter).version == 1
    assert not _events(store, supplier_claims.VERIFIED) and not _events(
        store, supplier_claims.REMOVED
    )


def test_the_migration_marks_suppliers_that_registered_themselves_before(store):
    actor = supplier_signup.Actor("account:old@example.com")
    registrar = supplier_signup.registrar(store, actor)
    # As a self-registration was recorded before claims were kept: no selfDeclared.
    old = suppliers.register(store, entry("Old Ltd", [NUMBER]), administrator=registrar,
                             actor=actor).recorded.entry.entry_id  # fmt: skip
    checked = admin_register(store, create_publisher(store), "Checked Ltd", [VAT])
    assert supplier_claims.mark_self_registered(store, supplier_signup.REGISTRAR_ID) == 1
    marked = registers.entry(store, "suppliers", old)
    assert marked.version == 2 and marked.entry["selfDeclared"] == [NUMBER]
    assert registers.entry(store, "suppliers", checked).version == 1
    assert supplier_claims.mark_self_registered(store, supplier_signup.REGISTRAR_ID) == 0


def test_the_marking_follows_a_migrate_run_that_applied_anything(store):
    """Marked after the migrations (post_migrate), once the schema is whole, never half-way;
    a migrate run that applied nothing reads nothing."""
    actor = supplier_signup.Actor("account:old@example.com")
    registrar = supplier_signup.registrar(store, actor)
    old = suppliers.register(store, entry("Old Ltd", [NUMBER]), administrator=registrar,
                             actor=actor).recorded.entry.entry_id  # fmt: skip
    supplier_claims.mark_after_migrating(using=store.alias, plan=[])
    assert registers.entry(store, "suppliers", old).version == 1
    supplier_claims.mark_after_migrating(using=store.alias, plan=[("a migration", False)])
    assert registers.entry(store, "suppliers", old).entry["selfDeclared"] == [NUMBER]


def test_the_command_line(tmp_path, request):
    from tests.conftest import fresh_database

    with fresh_database("sqlite", request) as database:
        store = database.store
        create_publisher(store)
        squatter = self_register(store, "first@squat.example", "Squatter Ltd", [NUMBER])
        real = self_register(store, "bids@real.example", "Real Company Ltd", [NUMBER])
        disputed = openbook(database, "supplier", "claims", "--disputed")
        assert NUMBER in disputed.stdout.decode()
        assert squatter in disputed.stdout.decode() and real in disputed.stdout.decode()
        publisher = ("--publisher", "GB-PPON-PXXX-1234-BCDG")
        refused = openbook(database, "supplier", "verify", real, NUMBER, *publisher, check=False)
        assert refused.returncode == 1 and b"remove the other claims first" in refused.stderr
        openbook(database, "supplier", "remove-claim", squatter, NUMBER, "--reason",
                 "not its number", *publisher)  # fmt: skip
        done = openbook(database, "supplier", "verify", real, NUMBER, *publisher)
        assert f"{real} version 2 (updated)" in done.stdout.decode()
        listed_now = orjson.loads(openbook(database, "supplier", "claims", "--json").stdout)
        assert listed_now == []
