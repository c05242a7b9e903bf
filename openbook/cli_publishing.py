"""The operators' commands for publishers: ``openbook publisher``, ``key``, ``account`` and
``audit`` (docs/cli.md). Thin wrappers over openbook.publishing.publishers and openbook.audit;
every write is recorded in the audit trail as made by ``cli:<system user>``."""

import argparse
import getpass
import sys
from datetime import UTC, datetime

import orjson


def add_commands(commands) -> None:
    publisher = commands.add_parser(
        "publisher",
        help="register and list publishing organisations",
        description="Organisations (contracting authorities) that publish on the platform.",
    )
    actions = publisher.add_subparsers(title="actions", metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="register an organisation",
        description="Register an organisation by its org-id.guide identifier and name.",
    )
    add.add_argument("--name", required=True, help="its name, as notices give it")
    add.add_argument(
        "--identifier",
        required=True,
        metavar="SCHEME-ID",
        help="org-id.guide list code and id, such as GB-GOR-PB425 or GB-COH-01234567",
    )
    add.add_argument(
        "--party-id",
        metavar="ID",
        help="the OCDS party id it publishes as (default: the identifier)",
    )
    add.add_argument("--json", action="store_true", help="print as JSON")
    add.set_defaults(run=_publisher_add)
    listing = actions.add_parser("list", help="list organisations", description="List them.")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    listing.set_defaults(run=_publisher_list)

    key = commands.add_parser(
        "key",
        help="create, list and revoke API keys",
        description="API keys for the publish API. A key is shown once, when it is created; the "
        "platform keeps only its hash.",
    )
    actions = key.add_subparsers(title="actions", metavar="ACTION")
    create = actions.add_parser(
        "create",
        help="create a key and print it once",
        description="Create an API key for an organisation and print it, once.",
    )
    create.add_argument("--publisher", required=True, metavar="ID", help="number or SCHEME-ID")
    create.add_argument("--name", required=True, help="what uses it, such as 'tendering system'")
    create.add_argument(
        "--role",
        choices=["publisher", "administrator"],
        default="publisher",
        help="publisher (default): publishes for the organisation; administrator: reads the "
        "audit trail and redacts",
    )
    create.set_defaults(run=_key_create)
    listing = actions.add_parser(
        "list", help="list an organisation's keys", description="Never shows the secrets."
    )
    listing.add_argument("--publisher", required=True, metavar="ID", help="number or SCHEME-ID")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    listing.set_defaults(run=_key_list)
    revoke = actions.add_parser(
        "revoke", help="revoke a key", description="Revoke a key: it is refused from now on."
    )
    revoke.add_argument("key_id", metavar="KEY_ID", help="as `openbook key list` shows it")
    revoke.set_defaults(run=_key_revoke)

    account = commands.add_parser(
        "account",
        help="give and take accounts' roles, set their passwords",
        description="User accounts and their roles: publisher or reviewer of an organisation, "
        "or platform administrator.",
    )
    actions = account.add_subparsers(title="actions", metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="create an account (if new) and give it a role",
        description="Create an account if it does not exist and give it a role.",
    )
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["publisher", "reviewer", "administrator"])
    add.add_argument("--publisher", metavar="ID", help="its organisation (not for administrators)")
    add.add_argument("--email", default="", help="its email address")
    add.set_defaults(run=_account_add)
    remove = actions.add_parser(
        "remove",
        help="take a role from an account",
        description="Take a role from an account (someone who left the organisation or changed "
        "jobs): its signed-in pages close at its next request, and an account with no role left "
        "cannot sign in. The account stays, as the audit trail names it.",
    )
    remove.add_argument("username")
    remove.add_argument(
        "--role", required=True, choices=["publisher", "reviewer", "administrator", "supplier"]
    )
    remove.add_argument("--publisher", metavar="ID", help="the organisation it held the role for")
    remove.set_defaults(run=_account_remove)
    password = actions.add_parser(
        "password",
        help="set an account's password, for signing in to the publisher pages",
        description="Set the password an account signs in to the publisher pages with: at least "
        "12 characters, not containing the user name. Read from standard input when it is not a "
        "terminal (one line), else asked for twice.",
    )
    password.add_argument("username")
    password.set_defaults(run=_account_password)

    audit = commands.add_parser(
        "audit",
        help="show the audit trail of every write",
        description="Every write, oldest first: publications, keys created and revoked, "
        "publishers and accounts added, ocids minted; who made it, when, from which address.",
    )
    audit.add_argument(
        "--since", type=_moment, metavar="WHEN", help="from this date or date and time (UTC)"
    )
    audit.add_argument("--publisher", metavar="ID", help="one organisation's events")
    audit.add_argument(
        "--limit", type=_positive, default=1000, metavar="N", help="at most N (default: 1000)"
    )
    audit.add_argument("--json", action="store_true", help="print as JSON Lines")
    audit.set_defaults(run=_audit)


def _actor():
    from openbook.publishing.publishers import Actor

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(f"cli:{user}")


def _store():
    from openbook.cli import _store

    return _store()


def _positive(text: str):
    from openbook.cli import _positive

    return _positive(text)


def _fail(command: str, error: Exception) -> int:
    print(f"openbook {command}: {error}", file=sys.stderr)
    return 1


def _print_json(value) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")


def _organisation_dict(found) -> dict:
    return {
        "id": found.id,
        "name": found.name,
        "identifier": found.org_id,
        "party_id": found.party_id,
        "created": found.created_time,
    }


def _publisher_add(arguments) -> int:
    store = _store()
    from openbook.publishing import publishers

    try:
        found = publishers.add_publisher(
            store, arguments.name, arguments.identifier, _actor(), arguments.party_id
        )
    except (publishers.PublisherError, publishers.AlreadyExists) as error:
        return _fail("publisher add", error)
    if arguments.json:
        _print_json(_organisation_dict(found))
    else:
        print(
            f"openbook: registered organisation {found.id}: {found.name} ({found.org_id}, "
            f"publishing as party {found.party_id})"
        )
    return 0


def _publisher_list(arguments) -> int:
    store = _store()
    from openbook.publishing import publishers

    found = publishers.list_publishers(store)
    if arguments.json:
        _print_json([_organisation_dict(row) for row in found])
        return 0
    if not found:
        print("No organisations are registered (`openbook publisher add` registers one).")
        return 0
    print(f"{'id':>5}  {'identifier':<24} {'party id':<24} name")
    for row in found:
        print(f"{row.id:>5}  {row.org_id[:24]:<24} {row.party_id[:24]:<24} {row.name}")
    return 0


def _key_create(arguments) -> int:
    store = _store()
    from openbook.publishing import publishers

    try:
        created = publishers.create_key(
            store, arguments.publisher, arguments.name, _actor(), arguments.role
        )
    except publishers.PublisherError as error:
        return _fail("key create", error)
    key = created.key
    print(
        f"API key {key.key_id} ({key.name!r}, {key.role}) for {key.organisation.name} "
        f"({key.organisation.org_id}):",
        file=sys.stderr,
    )
    print(created.secret)
    print(
        "Copy it now: it will not be shown again (the platform keeps only its hash). Send it as "
        "'Authorization: Bearer <key>'.",
        file=sys.stderr,
    )
    return 0


def _key_list(arguments) -> int:
    store = _store()
    from openbook.publishing import publishers

    try:
        found = publishers.list_keys(store, arguments.publisher)
    except publishers.PublisherError as error:
        return _fail("key list", error)
    rows = [
        {
            "key_id": key.key_id,
            "name": key.name,
            "role": key.role,
            "created": key.created_time,
            "created_by": key.created_by,
            "last_used": key.last_used_time,
            "revoked": key.revoked_time,
        }
        for key in found
    ]
    if arguments.json:
        _print_json(rows)
        return 0
    if not rows:
        print("This organisation has no API keys (`openbook key create` makes one).")
        return 0
    print(f"{'key id':<13} {'role':<14} {'created':<21} {'last used':<21} {'revoked':<21} name")
    for key in found:
        print(
            f"{key.key_id:<13} {key.role:<14} {key.created_time[:19]:<21} "
            f"{(key.last_used_time or '-')[:19]:<21} {(key.revoked_time or '-')[:19]:<21} "
            f"{key.name}"
        )
    return 0


def _key_revoke(arguments) -> int:
    store = _store()
    from openbook.publishing import publishers

    try:
        key = publishers.revoke_key(store, arguments.key_id, _actor())
    except publishers.PublisherError as error:
        return _fail("key revoke", error)
    print(
        f"openbook: key {key.key_id} ({key.name!r}) of {key.organisation.name} is revoked "
        f"since {key.revoked_time}"
    )
    return 0


def _account_add(arguments) -> int:
    store = _store()
    from openbook.publishing import publishers

    try:
        account = publishers.add_account(
            store,
            arguments.username,
            arguments.role,
            _actor(),
            publisher=arguments.publisher,
            email=arguments.email,
        )
    except publishers.PublisherError as error:
        return _fail("account add", error)
    print(f"openbook: account {account.username}: {_roles(account)}")
    return 0


def _account_remove(arguments) -> int:
    store = _store()
    from openbook.publishing import publishers

    try:
        account = publishers.remove_role(
            store, arguments.username, arguments.role, _actor(), publisher=arguments.publisher
        )
    except publishers.PublisherError as error:
        return _fail("account remove", error)
    print(f"openbook: account {account.username}: {_roles(account) or 'no role left'}")
    return 0


def _roles(account) -> str:
    return ", ".join(
        role if organisation is None else f"{role} of organisation {organisation}"
        for role, organisation in account.roles
    )


def _account_password(arguments) -> int:
    if sys.stdin.isatty():
        given = getpass.getpass("New password: ")
        if getpass.getpass("The same again: ") != given:
            print("openbook account password: the two passwords differ", file=sys.stderr)
            return 1
    else:
        given = sys.stdin.readline().rstrip("\n")
    store = _store()
    # Imported once the store is open: the module's models need Django set up.
    from openbook.publishing import accounts

    try:
        accounts.set_password(store, arguments.username, given, _actor())
    except accounts.PasswordRefused as error:
        print(f"openbook account password: {error}", file=sys.stderr)
        return 1
    print(f"openbook: the password of account {arguments.username} is set")
    return 0


def _audit(arguments) -> int:
    store = _store()
    from openbook import audit
    from openbook.publishing import publishers

    since = arguments.since
    try:
        events = audit.events(
            store, since=since, publisher=arguments.publisher, limit=arguments.limit
        )
    except publishers.PublisherError as error:
        return _fail("audit", error)
    if arguments.json:
        for event in events:
            sys.stdout.buffer.write(orjson.dumps(event.as_dict()) + b"\n")
        return 0
    if not events:
        print("No writes are recorded" + (" in this range." if since else "."))
        return 0
    for event in events:
        detail = orjson.dumps(event.detail).decode() if event.detail else ""
        print(
            f"{event.time}  {event.actor:<24} {event.address or '-':<15} {event.action:<16} "
            f"{event.subject} {detail}".rstrip()
        )
    return 0


def _moment(text: str) -> str:
    """A date, or a date and time (UTC unless it says otherwise), as a log time."""
    from openbook.standards.log import format_log_time

    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date or a date and time such as 2026-01-31 or 2026-01-31T12:00:00"
        ) from None
    return format_log_time(value if value.tzinfo else value.replace(tzinfo=UTC))
