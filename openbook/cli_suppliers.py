"""``openbook supplier``: suppliers' claims to their identifiers, for the platform's
administrators (docs/cli.md, docs/suppliers.md). Thin wrappers over openbook.supplier_claims;
every decision is a new version of the supplier's entry in the log and an event in the audit
trail, made by ``cli:<system user>`` for the organisation named with ``--publisher``."""

import sys

import orjson


def add_commands(commands) -> None:
    supplier = commands.add_parser(
        "supplier",
        help="list, verify and remove suppliers' claims to identifiers",
        description="A supplier that registers itself declares its identifiers; each is "
        "self-declared until an administrator verifies it (docs/suppliers.md).",
    )
    actions = supplier.add_subparsers(title="actions", metavar="ACTION")
    listing = actions.add_parser(
        "claims",
        help="the self-declared claims not yet verified, or (--disputed) the identifiers two "
        "suppliers or more claim",
    )
    listing.add_argument(
        "--disputed", action="store_true", help="only identifiers more than one supplier claims"
    )
    listing.add_argument("--json", action="store_true", help="print as JSON")
    listing.set_defaults(run=_claims)
    verify = actions.add_parser(
        "verify",
        help="verify a supplier's claim to an identifier",
        description="The supplier's claim stands as checked. Refused while another supplier "
        "claims the identifier too: remove the wrong claim first. Exits 1 if refused.",
    )
    verify.add_argument("number", metavar="SUPPLIER_NUMBER")
    verify.add_argument("identifier", metavar="SCHEME-ID")
    verify.add_argument("--publisher", required=True, metavar="ID", help="number or SCHEME-ID")
    verify.set_defaults(run=_verify)
    remove = actions.add_parser(
        "remove-claim",
        help="take an identifier that is not the supplier's out of its entry",
        description="The identifier leaves the supplier's entry (a new version in the log); "
        "the reason is kept in the audit trail. Exits 1 if refused.",
    )
    remove.add_argument("number", metavar="SUPPLIER_NUMBER")
    remove.add_argument("identifier", metavar="SCHEME-ID")
    remove.add_argument("--reason", required=True, help="why the claim is removed")
    remove.add_argument("--publisher", required=True, metavar="ID", help="number or SCHEME-ID")
    remove.set_defaults(run=_remove)


def _claims(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from openbook import supplier_claims

    if arguments.disputed:
        found = supplier_claims.disputes(store)
        if arguments.json:
            _print({key: [claim.as_dict() for claim in each] for key, each in found.items()})
            return 0
        if not found:
            print("No identifier is claimed by more than one supplier.")
        for identifier, each in found.items():
            print(identifier)
            for claim in each:
                print(f"  {claim.supplier}  {claim.status:<13} {claim.legal_name or ''}")
        return 0
    listed = supplier_claims.self_declared(store)
    if arguments.json:
        _print([claim.as_dict() for claim in listed])
        return 0
    if not listed:
        print("No self-declared claim waits to be verified.")
    for claim in listed:
        print(f"{claim.supplier}  {claim.identifier:<24} {claim.legal_name or ''}")
    return 0


def _verify(arguments) -> int:
    return _decide(arguments, "verify")


def _remove(arguments) -> int:
    return _decide(arguments, "remove-claim")


def _decide(arguments, action: str) -> int:
    from openbook.cli import _store
    from openbook.cli_publishing import _actor

    store = _store()
    from openbook import registers, supplier_claims
    from openbook.publishing.answers import Refused
    from openbook.publishing.publishers import PublisherError, find_publisher

    try:
        organisation = find_publisher(store, arguments.publisher)
        if action == "verify":
            recorded = supplier_claims.verify(
                store,
                arguments.number,
                arguments.identifier,
                organisation=organisation,
                actor=_actor(),
            )
        else:
            recorded = supplier_claims.remove(
                store,
                arguments.number,
                arguments.identifier,
                arguments.reason,
                organisation=organisation,
                actor=_actor(),
            )
    except (PublisherError, registers.UnknownEntry) as error:
        print(f"openbook supplier {action}: {error}", file=sys.stderr)
        return 1
    except Refused as refused:
        print(f"openbook supplier {action}: {refused.message}", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem.pointer or '/'}: {problem.code}: {problem.message}", file=sys.stderr)
        return 1
    entry = recorded.entry
    if recorded.outcome == "unchanged":
        print(f"openbook: {entry.entry_id}'s claim to {arguments.identifier} was verified already")
    else:
        print(f"openbook: {entry.entry_id} version {entry.version} ({recorded.outcome})")
    return 0


def _print(value) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
