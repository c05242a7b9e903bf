"""A grant reviewed against the 360Giving schema, and its organisations resolved by identifier
(docs/local-transparency.md, "Grants"). Pure.

The review is the standard's own schema (JSON Schema 2020-12, formats checked; closed codelists
as enums: scripts/build_grants_facts.py), each problem an error with the keyword that failed,
the path and a message; and the organisations' identifiers, each checked as the platform checks
every identifier (openbook.standards.identifiers), a problem with one a warning. A grant is kept
with its review, however many errors it has, as OCDS releases are: only one without an id (it
cannot be told from others) is refused.

Organisations. 360Giving gives an organisation's id as an org-id.guide identifier (GB-CHC-
1126147, GB-COH-07962245), and often its charity and company numbers beside it. Each valid one
resolves the organisation: it is the identifier the processes' parties carry, so a recipient of
a grant and a supplier of a contract are found as one. An id under the publisher's own ``360G-``
prefix names an organisation without a registered number: it resolves nothing.
"""

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs

from openbook.standards import grants
from openbook.standards.identifiers import Checked, Identifier, check, check_party_id

MAX_ID_BYTES = 1000
LOCAL_PREFIX = "360G-"
# An org-id.guide identifier: a country (or XI, XM...), a list's code, the organisation's id.
_ORG_ID = re.compile(r"[A-Za-z]{2}-[A-Za-z0-9]{2,12}-\S+")
_KEYWORDS = {
    "Required": "required",
    "Type": "type",
    "Enum": "enum",
    "Format": "format",
    "OneOfNotValid": "oneOf",
    "OneOfMultipleValid": "oneOf",
    "Pattern": "pattern",
    "Minimum": "minimum",
    "MinItems": "minItems",
    "UniqueItems": "uniqueItems",
}


class Unidentified(Exception):
    """A grant with no usable id: it cannot be stored; the message says why."""


@cache
def _validator() -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(grants.schema(), validate_formats=True)


def grant_id(grant: dict) -> str:
    """The grant's record key: its ``id``, as given. Raises ``Unidentified``."""
    given = grant.get("id")
    if given is None or (isinstance(given, str) and not given.strip()):
        raise Unidentified('"id" is missing: a 360Giving grant is identified by its id')
    if not isinstance(given, str):
        raise Unidentified(f'"id" is {type(given).__name__}, not text: {str(given)[:40]!r}')
    if len(given.encode()) > MAX_ID_BYTES or "\x00" in given or given != given.strip():
        raise Unidentified(
            f'"id" {given[:40]!r} is not usable: at most {MAX_ID_BYTES} bytes, no NUL, no '
            "spaces around it"
        )
    return given


def problems(grant: dict) -> list[dict]:
    """The grant's review: schema errors, then identifier warnings."""
    found: dict[tuple[str, str], dict] = {}
    for error in _validator().iter_errors(grant):
        keyword = _KEYWORDS.get(type(error.kind).__name__, type(error.kind).__name__)
        path = "/".join(str(part) for part in error.instance_path)
        message = _message(keyword, error, path)
        found.setdefault((keyword, path), _problem(keyword, path, message, "error"))
    identifier = grant.get("id")
    if isinstance(identifier, str) and not identifier.startswith(LOCAL_PREFIX):
        found[("grant-id", "id")] = _problem(
            "grant-id",
            "id",
            f"{identifier[:60]!r} does not begin with a 360Giving prefix (360G-...): a grant's "
            "id is its publisher's registered prefix and its own number",
            "warning",
        )
    for recipient in recipients(grant) + funders(grant):
        for path, message in recipient.problems:
            found[("identifier", path)] = _problem("identifier", path, message, "warning")
    return list(found.values())


def _problem(code: str, path: str, message: str, severity: str) -> dict:
    return {"code": code, "path": path, "message": message, "severity": severity}


def _message(keyword: str, error: Any, path: str) -> str:
    where = f"{path!r}" if path else "the grant"
    if keyword == "oneOf" and not path:
        if type(error.kind).__name__ == "OneOfMultipleValid":
            return (
                "the grant has both recipientOrganization and recipientIndividual: a grant "
                "goes to an organisation or to an individual"
            )
        branches = getattr(error.kind, "context", None) or []
        closest = min(branches, key=len) if branches else []
        missing = [name for each in closest if (name := _missing(each))]
        if missing:
            return f"the grant lacks what the standard requires: {', '.join(missing)}"
    if keyword == "oneOf" and path.endswith(("Date", "date")):
        return f"{where} is not a date: write YYYY-MM-DD, or a date-time (2024-03-01T09:30:00Z)"
    text = str(error.message)
    text = text if len(text) <= 300 else text[:300] + "..."
    return f"{where}: {text}"


def _missing(error: Any) -> str | None:
    found = getattr(error.kind, "property", None)
    if isinstance(found, str):
        return found
    match = re.match(r'"([^"]+)" is a required property', str(error.message))
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class Organisation:
    """A recipient or funder as the grant names it, with the identifiers that resolve it."""

    role: str  # recipient or funder
    name: str | None
    given: str | None  # its id as the grant gives it
    identifiers: tuple[str, ...]  # valid, normalised: the id first, then charity, company
    local: bool  # its id is a publisher's own (360G-): no register's
    problems: tuple[tuple[str, str], ...]  # (path, message) for each identifier refused

    @property
    def key(self) -> str | None:
        return self.identifiers[0] if self.identifiers else None

    def as_dict(self) -> dict:
        return {
            "role": self.role,
            "name": self.name,
            "id": self.given,
            "identifiers": list(self.identifiers),
            "publishersOwnId": self.local,
        }


def recipients(grant: dict) -> list[Organisation]:
    return _organisations(grant, "recipientOrganization", "recipient")


def funders(grant: dict) -> list[Organisation]:
    return _organisations(grant, "fundingOrganization", "funder")


def _organisations(grant: dict, field: str, role: str) -> list[Organisation]:
    listed = grant.get(field)
    if not isinstance(listed, list):
        return []
    return [
        _organisation(item, f"{field}/{index}", role)
        for index, item in enumerate(listed)
        if isinstance(item, dict)
    ]


def _organisation(item: dict, path: str, role: str) -> Organisation:
    name = item.get("name") if isinstance(item.get("name"), str) else None
    given = item.get("id") if isinstance(item.get("id"), str) else None
    found: list[str] = []
    refused: list[tuple[str, str]] = []
    local = bool(given and given.upper().startswith(LOCAL_PREFIX.upper()))
    if given and not local:
        _add(org_id(given), f"{path}/id", found, refused)
    charity = item.get("charityNumber")
    if isinstance(charity, str | int) and str(charity).strip():
        number = str(charity).strip()
        scheme = "GB-SC" if number.upper().startswith("SC") else "GB-CHC"
        _add(check(scheme, number), f"{path}/charityNumber", found, refused)
    company = item.get("companyNumber")
    if isinstance(company, str | int) and str(company).strip():
        _add(check("GB-COH", str(company).strip()), f"{path}/companyNumber", found, refused)
    return Organisation(role, name, given, tuple(dict.fromkeys(found)), local, tuple(refused))


def _add(checked: Checked, path: str, found: list[str], refused: list[tuple[str, str]]) -> None:
    if checked.identifier is not None:
        found.append(str(checked.identifier))
    elif checked.problem not in {"id-missing"}:
        refused.append((path, f"{path!r}: {checked.message}: it resolves no organisation"))


def org_id(text: str) -> Checked:
    """An organisation identifier written as org-id.guide writes one (GB-COH-01234567), checked
    as every identifier is. A web address or a bare number is none, though ``check_party_id``
    would read some as a scheme it does not know (``http://a.org/x-y-z``)."""
    value = text.strip()
    if "://" in value or not _ORG_ID.fullmatch(value):
        return Checked(
            None,
            problem="malformed",
            message=f"{value[:60]!r} is not an organisation identifier (an org-id.guide list "
            "code and the organisation's id in it, such as GB-COH-01234567)",
        )
    return check_party_id(value)


def identifier_of(text: str) -> Identifier | None:
    """A recipient or funder filter as the register keeps it: the identifier, normalised."""
    return check_party_id(text).identifier
