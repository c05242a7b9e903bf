"""Publishers, accounts and API keys (openbook.publishing.publishers) and their commands, on both
databases."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from openbook.cli import main
from openbook.publishing import keys, publishers
from openbook.store import audit, models
from tests.conftest import reuse
from tests.publishing import CLI, create_publisher


@pytest.fixture
def empty(shared_database):
    """One database a kind, with no organisation, for the module's identifiers refused: each
    checks that none was stored, so that none is there for the next."""
    return reuse(shared_database).store


def test_an_organisation_is_registered_by_its_org_id_identifier(store):
    found = publishers.add_publisher(store, "Leeds City Council", "GB-GOR-PB425", CLI)
    assert (found.scheme, found.identifier, found.party_id) == ("GB-GOR", "PB425", "GB-GOR-PB425")
    company = publishers.add_publisher(
        store, "Utility plc", "GB-COH-01234567", CLI, party_id="utility-1"
    )
    assert company.party_id == "utility-1"
    ppon = publishers.add_publisher(store, "Example", "GB-PPON-PMZV-7732-XXTT", CLI)
    assert (ppon.scheme, ppon.identifier) == ("GB-PPON", "PMZV-7732-XXTT")
    assert [o.id for o in publishers.list_publishers(store)] == [found.id, company.id, ppon.id]
    assert publishers.find_publisher(store, "GB-GOR-PB425") == found
    assert publishers.find_publisher(store, str(company.id)) == company


@pytest.mark.parametrize("identifier", ["PB425", "GB-GOR-", "GBR-GOR-1", "gb", ""])
def test_an_identifier_must_be_scheme_and_id(empty, identifier):
    with pytest.raises(publishers.PublisherError, match=r"org-id\.guide list code"):
        publishers.add_publisher(empty, "Leeds", identifier, CLI)
    assert publishers.list_publishers(empty) == []


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("GB-COH-123456789", "a Companies House number is 8 characters"),
        ("GB-PPON-PMZV-7732-XXT0", "never contain the letter O or the digit 0"),
        ("GB-CHC-Exempt", "an exempt or excepted charity has no number"),
        ("GB-COH-N/A", "stands in for an id nobody gave"),
    ],
)
def test_an_identifier_its_register_never_issued_is_refused(empty, identifier, message):
    with pytest.raises(publishers.PublisherError, match=message):
        publishers.add_publisher(empty, "Leeds", identifier, CLI)
    assert publishers.list_publishers(empty) == []


def test_an_identifier_is_stored_as_its_register_writes_it(store):
    found = publishers.add_publisher(store, "Acme", "gb-coh-1234567", CLI)
    assert (found.scheme, found.identifier, found.party_id) == (
        "GB-COH",
        "01234567",
        "GB-COH-01234567",
    )
    assert publishers.find_publisher(store, "GB-COH-1234567") == found


def test_an_organisation_is_registered_once(store):
    publishers.add_publisher(store, "Leeds", "GB-GOR-PB425", CLI)
    with pytest.raises(publishers.AlreadyExists, match="GB-GOR-PB425 is already registered"):
        publishers.add_publisher(store, "Leeds again", "GB-GOR-PB425", CLI)
    assert len(publishers.list_publishers(store)) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Another's custom party id is this one's identifier (so its default party id).
        (
            {"identifier": "GB-GOR-PB425", "party_id": "GB-GOR-PB999"},
            {"identifier": "GB-GOR-PB999"},
        ),
        # A custom party id that is another's identifier and party id...
        ({"identifier": "GB-GOR-PB425"}, {"identifier": "GB-COH-1", "party_id": "GB-GOR-PB425"}),
        # ...or only its identifier.
        (
            {"identifier": "GB-GOR-PB425", "party_id": "leeds"},
            {"identifier": "GB-COH-1", "party_id": "GB-GOR-PB425"},
        ),
        # A custom party id already another's.
        (
            {"identifier": "GB-GOR-PB425", "party_id": "council"},
            {"identifier": "GB-COH-1", "party_id": "council"},
        ),
    ],
)
def test_a_party_id_names_one_organisation_only(store, first, second):
    # The publish API authorises a release by its buyer's id: were one organisation's party id
    # another's identifier, either could publish as the other.
    existing = publishers.add_publisher(store, "Leeds", actor=CLI, **_publisher(first))
    with pytest.raises(publishers.AlreadyExists, match=rf"organisation {existing.id} \(Leeds\)"):
        publishers.add_publisher(store, "Utility", actor=CLI, **_publisher(second))
    assert publishers.list_publishers(store) == [existing]


def _publisher(given: dict) -> dict:
    return {"identifier": given["identifier"], "party_id": given.get("party_id")}


def test_the_database_refuses_two_organisations_with_one_party_id(store):
    from django.db import IntegrityError, transaction

    publishers.add_publisher(store, "Leeds", "GB-GOR-PB425", CLI, party_id="council")
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Organisation.objects.create(
            name="Utility", scheme="GB-COH", identifier="1", party_id="council", created_time="x"
        )


def test_a_key_is_stored_only_as_its_hash(store):
    organisation = create_publisher(store)
    created = publishers.create_key(store, str(organisation.id), "tendering system", CLI)
    assert created.secret.startswith("obk_")
    assert keys.key_id_of(created.secret) == created.key.key_id
    row = models.ApiKey.objects.get(key_id=created.key.key_id)
    assert row.secret_hash == keys.hash_key(created.secret)
    secret_part = created.secret[len(keys.PREFIX) + 13 :]
    assert len(secret_part) == 43  # 32 random bytes
    stored = [str(value) for value in models.ApiKey.objects.values_list().get()]
    assert not any(secret_part in value for value in stored)
    assert publishers.authenticate(store, created.secret).key_id == created.key.key_id


def test_keys_are_listed_without_secrets_and_revoked(store):
    organisation = create_publisher(store)
    first = publishers.create_key(store, "1", "first", CLI)
    publishers.create_key(store, "1", "second", CLI, role="administrator")
    listed = publishers.list_keys(store, organisation.org_id)
    assert [(k.name, k.role) for k in listed] == [
        ("first", "publisher"),
        ("second", "administrator"),
    ]
    revoked = publishers.revoke_key(store, first.key.key_id, CLI)
    assert revoked.revoked_time is not None
    again = publishers.revoke_key(store, first.key.key_id, CLI)
    assert again.revoked_time == revoked.revoked_time
    with pytest.raises(publishers.KeyRejected) as refused:
        publishers.authenticate(store, first.secret)
    assert refused.value.code == "key-revoked"
    with pytest.raises(publishers.NotFound):
        publishers.revoke_key(store, "nosuchkey234", CLI)


@pytest.mark.parametrize(
    ("presented", "code"),
    [
        ("", "key-malformed"),
        ("obk_short", "key-malformed"),
        ("sk_live_abcdef", "key-malformed"),
        ("obk_aaaaaaaaaaaa_" + "A" * 43, "key-invalid"),
    ],
)
def test_keys_the_platform_did_not_issue_are_refused(store, presented, code):
    create_publisher(store)
    with pytest.raises(publishers.KeyRejected) as refused:
        publishers.authenticate(store, presented)
    assert refused.value.code == code


def test_last_used_is_written_at_most_once_a_minute(store):
    organisation = create_publisher(store)
    created = publishers.create_key(store, str(organisation.id), "system", CLI)
    assert created.key.last_used_time is None
    publishers.authenticate(store, created.secret)
    first = models.ApiKey.objects.get().last_used_time
    assert first is not None
    publishers.authenticate(store, created.secret)
    assert models.ApiKey.objects.get().last_used_time == first
    earlier = datetime.now(UTC) - timedelta(minutes=2)
    models.ApiKey.objects.update(last_used_time=earlier.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    publishers.authenticate(store, created.secret)
    assert models.ApiKey.objects.get().last_used_time > first


def test_accounts_have_roles_scoped_to_an_organisation(store):
    organisation = create_publisher(store)
    account = publishers.add_account(store, "alice", "publisher", CLI, publisher="1")
    assert account.roles == (("publisher", organisation.id),)
    account = publishers.add_account(store, "alice", "reviewer", CLI, publisher="1")
    assert account.roles == (("publisher", organisation.id), ("reviewer", organisation.id))
    admin = publishers.add_account(store, "root", "administrator", CLI)
    assert admin.roles == (("administrator", None),)
    with pytest.raises(publishers.PublisherError, match="belongs to an organisation"):
        publishers.add_account(store, "bob", "publisher", CLI)
    with pytest.raises(publishers.PublisherError, match="no one organisation"):
        publishers.add_account(store, "bob", "administrator", CLI, publisher="1")
    with pytest.raises(publishers.PublisherError, match="not a role"):
        publishers.add_account(store, "bob", "owner", CLI, publisher="1")


def test_the_commands_register_publishers_and_keys(database, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    assert (
        main(["publisher", "add", "--name", "Leeds City Council", "--identifier", "GB-GOR-PB425"])
        == 0
    )
    assert "registered organisation 1: Leeds City Council (GB-GOR-PB425" in capsys.readouterr().out
    assert main(["publisher", "add", "--name", "Again", "--identifier", "GB-GOR-PB425"]) == 1
    assert "already registered" in capsys.readouterr().err
    assert main(["publisher", "list"]) == 0
    assert "GB-GOR-PB425" in capsys.readouterr().out
    assert main(["key", "create", "--publisher", "GB-GOR-PB425", "--name", "tendering system"]) == 0
    printed = capsys.readouterr()
    secret = printed.out.strip()
    assert keys.looks_like_key(secret)
    assert "will not be shown again" in printed.err
    key_id = keys.key_id_of(secret)
    assert main(["key", "list", "--publisher", "1"]) == 0
    listing = capsys.readouterr().out
    assert key_id in listing and "tendering system" in listing
    assert secret[len(keys.PREFIX) + 13 :] not in listing
    assert main(["key", "revoke", key_id]) == 0
    assert "is revoked since" in capsys.readouterr().out
    assert main(["key", "list", "--publisher", "1", "--json"]) == 0
    assert '"revoked": "20' in capsys.readouterr().out
    assert main(["key", "revoke", "nosuchkey234"]) == 1
    assert main(["key", "list", "--publisher", "GB-GOR-NOPE"]) == 1
    assert "no organisation 'GB-GOR-NOPE'" in capsys.readouterr().err
    assert main(["account", "add", "alice", "--role", "publisher", "--publisher", "1"]) == 0
    assert "alice: publisher of organisation 1" in capsys.readouterr().out
    assert secret not in caplog.text


def test_the_ocid_prefix_is_a_test_one_unless_set(monkeypatch):
    from openbook import config

    monkeypatch.delenv("OPENBOOK_OCID_PREFIX", raising=False)
    assert config.ocid_prefix() == "ocds-test00"
    monkeypatch.setenv("OPENBOOK_OCID_PREFIX", "ocds-b5fd17")
    assert config.ocid_prefix() == "ocds-b5fd17"
    monkeypatch.setenv("OPENBOOK_OCID_PREFIX", "OCDS-openbook")
    with pytest.raises(config.ConfigurationError, match="six lower-case letters or digits"):
        config.ocid_prefix()


def test_a_role_is_taken_from_an_account_and_audited(store):
    organisation = create_publisher(store)
    publishers.add_account(store, "alice", "publisher", CLI, publisher="1")
    publishers.add_account(store, "alice", "reviewer", CLI, publisher="1")
    account = publishers.remove_role(store, "alice", "publisher", CLI, publisher="1")
    assert account.roles == (("reviewer", organisation.id),)
    (event,) = _removals(store)
    assert event.subject == "account:alice" and event.detail == {"role": "publisher"}
    for role, publisher, says in [
        ("publisher", "1", "is not a publisher of organisation 1"),  # already taken
        ("administrator", None, "is not a administrator"),
        ("owner", "1", "not a role"),
    ]:
        with pytest.raises(publishers.PublisherError, match=says):
            publishers.remove_role(store, "alice", role, CLI, publisher=publisher)
    with pytest.raises(publishers.PublisherError, match="no account 'nobody'"):
        publishers.remove_role(store, "nobody", "reviewer", CLI, publisher="1")
    with pytest.raises(publishers.NotFound):
        publishers.remove_role(store, "alice", "reviewer", CLI, publisher="99")
    assert publishers.remove_role(store, "alice", "reviewer", CLI, publisher="1").roles == ()
    assert len(_removals(store)) == 2  # refusals are not recorded


def _removals(store) -> list:
    return [e for e in audit.events(store, limit=1000) if e.action == "account.role-removed"]


def test_the_command_line_takes_a_role(database, capsys):
    assert main(["publisher", "add", "--name", "Leeds", "--identifier", "GB-GOR-PB425"]) == 0
    assert main(["account", "add", "lee", "--role", "publisher", "--publisher", "1"]) == 0
    assert main(["account", "remove", "lee", "--role", "publisher", "--publisher", "1"]) == 0
    assert "account lee: no role left" in capsys.readouterr().out
    assert main(["account", "remove", "lee", "--role", "publisher", "--publisher", "1"]) == 1
    assert "is not a publisher of organisation 1" in capsys.readouterr().err


def test_the_platform_hashes_passwords_at_full_cost():
    """The suite hashes at one iteration (tests/hashers.py); the platform itself keeps PBKDF2 at
    Django's work factor, no lower than OWASP's 600,000 iterations for PBKDF2-HMAC-SHA256."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    import openbook.settings as platform

    assert platform.PASSWORD_HASHERS == ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert PBKDF2PasswordHasher.iterations >= 600_000
