"""The identifiers of a notice's parties, checked against their registers' numbering.

A supplier or buyer is found, joined and followed by its identifier; a mistyped company number
or a placeholder in its place breaks every join made on it, so each is a warning naming the
party, the value and what a right one looks like (openbook.standards.identifiers). An id written
otherwise than its register writes it (a lost leading zero) is a warning too: it is accepted,
and the message gives the register's form.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from openbook.standards.identifiers import check_often, is_given
from openbook.standards.uk.rules.context import Finding, NoticeContext, objects


def check_party_identifiers(ctx: NoticeContext) -> Iterator[Finding]:
    for index, party in objects(ctx.release.get("parties")):
        name = party.get("name")
        who = f"The party {name!r}" if isinstance(name, str) and name.strip() else "A party"
        given = [(f"/parties/{index}/identifier", party.get("identifier"))]
        given += [
            (f"/parties/{index}/additionalIdentifiers/{number}", identifier)
            for number, identifier in objects(party.get("additionalIdentifiers"))
        ]
        for path, identifier in given:
            if not is_given(identifier):
                continue
            yield from _finding(path, who, identifier)


def _finding(path: str, who: str, identifier: Mapping[str, Any]) -> Iterator[Finding]:
    checked = check_often(identifier.get("scheme"), identifier.get("id"))
    if checked.identifier is None:
        yield Finding(path, f"{who} has an identifier that is no use: {checked.message}.")
    elif checked.known and checked.changes:
        written = identifier.get("id")
        yield Finding(
            path,
            f"{who} has {checked.identifier.scheme} {written!r}, which its register writes "
            f"{checked.identifier.id!r} ({'; '.join(checked.changes)}): write it so, or the "
            "party will not match its other mentions.",
        )
