"""The supplier's questions (docs/suppliers.md, "Registering as a supplier"), shared by
registering and by changing details: each read from its form into an answer, with a message at
the field for each fault; an answer shown in a summary list; the answers made into the entry the
publish API takes (openbook.standards.registers.suppliers), whose own checks stay the last word.

Text is bounded by the register's own limits, refused with NUL and other control characters
(and the replacement character a wrongly encoded form arrives with), and refused with ``<`` or
``>``, which no name or address needs."""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openbook import alerts, supplier_signup
from openbook.publishing import accounts
from openbook.standards import identifiers
from openbook.standards.registers.suppliers import FIELDS, self_declared
from openbook.store.database import Store
from openbook.web.pages.i18n import _

QUESTIONS = (
    "legal-name",
    "other-names",
    "address",
    "identifiers",
    "sme",
    "vcse",
    "contact-name",
    "password",
)
# What a signed-in supplier changes: its identifiers were checked when it registered
# (openbook.registers: administrators change them), its password is not part of its entry.
CHANGEABLE = ("legal-name", "other-names", "address", "sme", "vcse", "contact-name")

LONGEST_NAME = 500
MOST_OTHER_NAMES = 20
LONGEST_CONTACT = 200
LONGEST_LINE = 140  # two lines join into streetAddress (300)
LONGEST_TOWN = 100
LONGEST_POSTCODE = 20
LONGEST_COUNTRY = 100
LONGEST_IDENTIFIER = 60
UK = "United Kingdom"
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})")
# The boxes of the identifiers question, and the org-id.guide list each is written in.
IDENTIFIER_BOXES = ("coh", "charity", "vat", "other")


@dataclass(slots=True)
class Read:
    """A question's form as read: ``values`` to show it again, the ``answer`` (None when
    there are ``problems``)."""

    values: dict[str, str]
    answer: object = None
    problems: list[dict] = field(default_factory=list)

    def fault(self, field_id: str, message: str) -> None:
        self.problems.append({"field": field_id, "message": message, "href": f"#{field_id}"})


def title(name: str) -> str:
    titles = {
        "email": _("What is your email address?"),
        "legal-name": _("What is the supplier’s legal name?"),
        "other-names": _("Does the supplier trade under other names?"),
        "address": _("What is the supplier’s registered address?"),
        "identifiers": _("What are the supplier’s identifiers?"),
        "sme": _("Is the supplier a small or medium-sized enterprise (SME)?"),
        "vcse": _("Is the supplier a voluntary, community or social enterprise (VCSE)?"),
        "contact-name": _("Who should buyers contact?"),
        "password": _("Create a password"),
    }
    return titles[name]


def label(name: str) -> str:
    """The question's key in a summary list."""
    labels = {
        "legal-name": _("Legal name"),
        "other-names": _("Other names"),
        "address": _("Registered address"),
        "identifiers": _("Identifiers"),
        "sme": _("SME"),
        "vcse": _("VCSE"),
        "contact-name": _("Contact"),
        "password": _("Password"),
    }
    return labels[name]


def hint(name: str) -> str | None:
    hints = {
        "legal-name": _(
            "As it is registered, for example with Companies House or the Charity Commission"
        ),
        "other-names": _(
            "Optional. Names it trades under, one a line, up to %(most)s", most=MOST_OTHER_NAMES
        ),
        "identifiers": _(
            "Give those it has: buyers find the supplier by any of them. They show as "
            "self-declared until the platform’s administrators check them"
        ),
        "sme": _("Fewer than 250 staff, with a turnover or balance sheet within the limits of a "
                 "medium-sized company"),
        "vcse": _("A charity, community group, social enterprise or mutual"),
        "contact-name": _(
            "A person or team. Only buyers you give a share code see it, with your email address"
        ),
        "password": _(
            "At least %(least)s characters. Three or more random words are easy to remember "
            "and hard to guess",
            least=accounts.MINIMUM_LENGTH,
        ),
    }  # fmt: skip
    return hints.get(name)


# Reading text


def _unreadable(text: str) -> bool:
    return "\ufffd" in text or any(
        unicodedata.category(char) == "Cc" and char not in "\r\n\t" for char in text
    )


def _text(
    read: Read, field_id: str, given: str, *, longest: int, what: str, required: str | None
) -> str | None:
    """One line of text, checked; None when empty or at fault."""
    text = " ".join(given.split()) if not _unreadable(given) else given
    if _unreadable(given) or "\n" in given.strip() or "\r" in given.strip():
        read.fault(
            field_id, _("%(what)s must not contain control characters or line breaks", what=what)
        )
    elif "<" in text or ">" in text:
        read.fault(field_id, _("%(what)s must not contain < or >", what=what))
    elif len(text) > longest:
        read.fault(
            field_id, _("%(what)s must be %(most)s characters or fewer", what=what, most=longest)
        )
    elif not text and required:
        read.fault(field_id, required)
    else:
        return text or None
    return None


def _form(form: Mapping[str, str], names: tuple[str, ...], cut: int) -> dict[str, str]:
    """The fields as sent, cut short for showing again (a form of megabytes is not echoed)."""
    return {name: str(form.get(name, ""))[:cut] for name in names}


# The questions


def read_email(form: Mapping[str, str]) -> Read:
    read = Read(_form(form, ("email",), alerts.MAX_EMAIL + 50))
    given = str(form.get("email", "")).strip()
    if not given:
        read.fault("email", _("Enter your email address"))
    elif len(given) > alerts.MAX_EMAIL:
        read.fault(
            "email",
            _("Enter an email address of %(most)s characters or fewer", most=alerts.MAX_EMAIL),
        )
    else:
        try:
            address = alerts.checked_email(given)
        except alerts.InvalidEmail:
            read.fault(
                "email", _("Enter an email address in the correct format, like name@example.com")
            )
        else:
            if not supplier_signup.usable_email(address):
                read.fault(
                    "email",
                    _(
                        "Enter an email address of up to 150 letters, digits and the "
                        "characters @ . + - _"
                    ),
                )
            else:
                read.answer = address
    return read


def read(name: str, form: Mapping[str, str], *, email: str, store: Store | None = None) -> Read:
    """The question's answer from its form; ``store`` to refuse identifiers already held."""
    if name == "identifiers":
        return _identifiers(form, store)
    if name == "password":
        return _password(form, email)
    if name in ("sme", "vcse"):
        return _yes_no(form, name)
    readers = {
        "legal-name": _legal_name,
        "other-names": _other_names,
        "address": _address,
        "contact-name": _contact_name,
    }
    return readers[name](form)


def _legal_name(form: Mapping[str, str]) -> Read:
    read = Read(_form(form, ("legal-name",), LONGEST_NAME + 50))
    read.answer = _text(
        read,
        "legal-name",
        str(form.get("legal-name", "")),
        longest=LONGEST_NAME,
        what=_("The legal name"),
        required=_("Enter the supplier’s legal name"),
    )
    return read


def _other_names(form: Mapping[str, str]) -> Read:
    given = str(form.get("other-names", ""))
    read = Read(_form(form, ("other-names",), (LONGEST_NAME + 2) * MOST_OTHER_NAMES))
    if _unreadable(given):
        read.fault("other-names", _("Other names must not contain control characters"))
        return read
    names = [" ".join(line.split()) for line in given.splitlines() if line.strip()]
    names = list(dict.fromkeys(names))
    if len(names) > MOST_OTHER_NAMES:
        read.fault(
            "other-names", _("Enter no more than %(most)s other names", most=MOST_OTHER_NAMES)
        )
    elif any("<" in each or ">" in each for each in names):
        read.fault("other-names", _("%(what)s must not contain < or >", what=_("Other names")))
    elif any(len(each) > LONGEST_NAME for each in names):
        read.fault(
            "other-names",
            _("Each other name must be %(most)s characters or fewer", most=LONGEST_NAME),
        )
    else:
        read.answer = names
    return read


def _address(form: Mapping[str, str]) -> Read:
    names = ("address-line-1", "address-line-2", "address-town", "address-postcode",
             "address-country")  # fmt: skip
    read = Read(_form(form, names, LONGEST_LINE + 50))
    line_1 = _text(
        read,
        "address-line-1",
        str(form.get("address-line-1", "")),
        longest=LONGEST_LINE,
        what=_("Address line 1"),
        required=_("Enter address line 1, typically the building and street"),
    )
    line_2 = _text(
        read,
        "address-line-2",
        str(form.get("address-line-2", "")),
        longest=LONGEST_LINE,
        what=_("Address line 2"),
        required=None,
    )
    town = _text(
        read,
        "address-town",
        str(form.get("address-town", "")),
        longest=LONGEST_TOWN,
        what=_("Town or city"),
        required=_("Enter the town or city"),
    )
    country = _text(
        read,
        "address-country",
        str(form.get("address-country", "")),
        longest=LONGEST_COUNTRY,
        what=_("Country"),
        required=_("Enter the country"),
    )
    postcode = _text(read, "address-postcode", str(form.get("address-postcode", "")),
                     longest=LONGEST_POSTCODE, what=_("Postcode"), required=None)  # fmt: skip
    if read.problems:
        return read
    in_uk = (country or "").casefold() in {"united kingdom", "uk", "great britain", "england",
                                          "scotland", "wales", "northern ireland"}  # fmt: skip
    if in_uk:
        written = (postcode or "").upper().replace(" ", "")
        found = _POSTCODE.fullmatch(written)
        if not postcode:
            read.fault("address-postcode", _("Enter the postcode"))
        elif found is None:
            read.fault("address-postcode", _("Enter a real postcode, like SW1A 2AA"))
        else:
            postcode = f"{found.group(1)} {found.group(2)}"
    if not read.problems:
        read.answer = {
            "line1": line_1,
            "line2": line_2,
            "town": town,
            "postcode": postcode,
            "country": UK if in_uk else country,
        }
    return read


def _identifiers(form: Mapping[str, str], store: Store | None) -> Read:
    names = tuple(f"identifier-{box}" for box in IDENTIFIER_BOXES)
    read = Read(_form(form, names, LONGEST_IDENTIFIER + 50))
    found: dict[str, str] = {}
    for box in IDENTIFIER_BOXES:
        field_id = f"identifier-{box}"
        given = str(form.get(field_id, ""))
        if _unreadable(given):
            read.fault(field_id, _("An identifier must not contain control characters"))
            continue
        text = "".join(given.split())
        if not text:
            continue
        if len(text) > LONGEST_IDENTIFIER:
            read.fault(
                field_id,
                _("Enter an identifier of %(most)s characters or fewer", most=LONGEST_IDENTIFIER),
            )
            continue
        written = _identifier(read, box, text.upper() if box != "other" else text)
        if written is not None:
            found[box] = written
    if read.problems:
        return read
    seen: dict[str, str] = {}
    for box, written in found.items():
        if written in seen.values():
            read.fault(f"identifier-{box}", _("%(identifier)s is given twice", identifier=written))
        seen[box] = written
    if not read.problems and store is not None:
        for written in supplier_signup.held(store, list(found.values())):
            box = next(each for each, value in found.items() if value == written)
            read.fault(f"identifier-{box}", held_message(written))
    if not read.problems:
        read.answer = found
    return read


def held_message(identifier: str) -> str:
    """Names nothing of the supplier holding it: whether it is, is already public."""
    return _(
        "%(identifier)s is already registered to another supplier. A supplier registers once: "
        "if that registration is this supplier’s, sign in to keep it up to date; if the "
        "identifier is not theirs, contact the platform’s administrators",
        identifier=identifier,
    )


def _identifier(read: Read, box: str, text: str) -> str | None:
    """The identifier in a box, written SCHEME-ID as its register writes it."""
    written, message = _other(text) if box == "other" else _in_list(box, text)
    if message is not None:
        read.fault(f"identifier-{box}", message)
    return written


def _in_list(box: str, text: str) -> tuple[str | None, str | None]:
    """A number in the box of its list: written, or why not."""
    charity = "GB-SC" if text.startswith("SC") else "GB-CHC"
    scheme = {"coh": "GB-COH", "charity": charity, "vat": "GB-VAT"}[box]
    checked = identifiers.check_party_id(f"{scheme}-{text}")
    if checked.identifier is not None:
        return str(checked.identifier), None
    if box == "vat" and checked.problem == "check-digits":
        return None, _(
            "Check the VAT registration number: its last 2 digits do not match the others, so "
            "a digit is probably mistyped"
        )
    messages = {
        "coh": _(
            "Enter a Companies House number of 8 characters: 8 digits, or 1 or 2 letters then "
            "digits, like 01234567 or SC012345"
        ),
        "charity": _(
            "Enter a charity number: 6 or 7 digits for England and Wales, like 1123456, or SC "
            "and 6 digits for Scotland, like SC012345"
        ),
        "vat": _("Enter a VAT registration number of 9 digits, like GB123456789"),
    }
    return None, messages[box]


def _other(text: str) -> tuple[str | None, str | None]:
    if text.upper().startswith(identifiers.PLATFORM_SCHEME + "-"):
        return None, _(
            "Do not enter a platform supplier number: the platform gives the supplier its "
            "number when it registers"
        )
    checked = identifiers.check_party_id(text)
    if checked.identifier is None or not re.fullmatch(
        r"[A-Z]{2}-[A-Z0-9]+", checked.identifier.scheme
    ):
        return None, _(
            "Enter the identifier as its list’s code, a hyphen and the number, like "
            "GB-NIC-100123 (the list’s own rules are checked)"
        )
    return str(checked.identifier), None


def _yes_no(form: Mapping[str, str], name: str) -> Read:
    read = Read(_form(form, (name,), 10))
    given = str(form.get(name, ""))
    if given not in ("yes", "no"):
        read.fault(
            name,
            _("Select yes if the supplier is an SME")
            if name == "sme"
            else _("Select yes if the supplier is a VCSE"),
        )
        read.values[name] = ""
    else:
        read.answer = given == "yes"
    return read


def _contact_name(form: Mapping[str, str]) -> Read:
    read = Read(_form(form, ("contact-name",), LONGEST_CONTACT + 50))
    read.answer = _text(
        read,
        "contact-name",
        str(form.get("contact-name", "")),
        longest=LONGEST_CONTACT,
        what=_("The contact"),
        required=_("Enter the name of a person or team buyers should contact"),
    )
    return read


def _password(form: Mapping[str, str], email: str) -> Read:
    read = Read({})  # a password is never shown again
    password = str(form.get("password", ""))
    again = str(form.get("password-confirm", ""))
    if not password:
        read.fault("password", _("Enter a password"))
        return read
    problem = supplier_signup.password_problem(email, password)
    if problem == "short":
        read.fault(
            "password",
            _("Enter a password of at least %(least)s characters", least=accounts.MINIMUM_LENGTH),
        )
    elif problem == "long":
        read.fault(
            "password",
            _("Enter a password of %(most)s characters or fewer", most=accounts.MAXIMUM_LENGTH),
        )
    elif problem == "name":
        read.fault("password", _("Enter a password that does not contain your email address"))
    elif "\x00" in password:
        read.fault("password", _("A password must not contain control characters"))
    elif password != again:
        read.fault("password-confirm", _("Enter the same password twice"))
    else:
        read.answer = supplier_signup.hash_password(password)
    return read


# Answers shown and made into the entry


def values(name: str, answer: object) -> dict[str, str]:
    """A kept answer as its form's values, to change it (a password is never shown)."""
    if answer is None or name == "password":
        return {}
    if name in ("sme", "vcse"):
        return {name: "yes" if answer else "no"}
    if isinstance(answer, list):  # other names
        return {name: "\n".join(str(each) for each in answer)}
    if name == "address" and isinstance(answer, dict):
        return {f"address-{part}": answer.get(key) or "" for part, key in
                (("line-1", "line1"), ("line-2", "line2"), ("town", "town"),
                 ("postcode", "postcode"), ("country", "country"))}  # fmt: skip
    if isinstance(answer, dict):  # identifiers
        return {f"identifier-{box}": _bare(box, str(answer.get(box) or ""))
                for box in IDENTIFIER_BOXES}  # fmt: skip
    return {name: str(answer)}


def _bare(box: str, written: str) -> str:
    """An identifier without the scheme its box adds."""
    if box == "other" or not written:
        return written
    return written.split("-", 2)[-1]


def shown(name: str, answer: object) -> list[str]:
    """A kept answer as lines of a summary list's value (escaped when shown)."""
    if name == "password":
        return [_("Chosen (not shown)")] if answer else []
    if name in ("sme", "vcse") and isinstance(answer, bool):
        return [_("Yes") if answer else _("No")]
    if isinstance(answer, list):
        return [str(each) for each in answer]
    if name == "address" and isinstance(answer, dict):
        return [str(answer[key]) for key in ("line1", "line2", "town", "postcode", "country")
                if answer.get(key)]  # fmt: skip
    if isinstance(answer, dict):
        return [str(each) for each in answer.values()]
    return [str(answer)] if answer else []


def shown_identifiers(found: Mapping[str, Any]) -> list[str]:
    """A registered supplier's identifiers, each saying whether it is only self-declared."""
    claimed = self_declared(found)
    return [
        _("%(identifier)s (self-declared, not yet verified)", identifier=each)
        if each in claimed
        else str(each)
        for each in found.get("identifiers") or []
    ]


def entry(answers: Mapping[str, object], email: str) -> dict:
    """The entry the publish API's use case takes, from a registration's answers."""
    address = answers["address"]
    assert isinstance(address, dict)
    sent: dict = {
        "legalName": answers["legal-name"],
        "address": _entry_address(address),
        "sme": answers["sme"],
        "vcse": answers["vcse"],
        "status": "active",
        "contact": {"name": answers["contact-name"], "email": email},
    }
    if answers.get("other-names"):
        sent["otherNames"] = answers["other-names"]
    found = answers.get("identifiers")
    if isinstance(found, dict) and found:
        sent["identifiers"] = list(found.values())
    return sent


def _entry_address(address: Mapping[str, object]) -> dict:
    street = ", ".join(str(address[key]) for key in ("line1", "line2") if address.get(key))
    given = {
        "streetAddress": street,
        "locality": address.get("town"),
        "postalCode": address.get("postcode"),
        "countryName": address.get("country"),
    }
    return {name: value for name, value in given.items() if value}


def from_entry(found: Mapping[str, Any]) -> dict[str, object]:
    """A registered entry (with its private part) as the answers it would be given by."""
    address = found.get("address") if isinstance(found.get("address"), dict) else {}
    assert isinstance(address, dict)
    line1, _comma, line2 = str(address.get("streetAddress") or "").partition(", ")
    contact = found.get("contact") if isinstance(found.get("contact"), dict) else {}
    assert isinstance(contact, dict)
    return {
        "legal-name": found.get("legalName"),
        "other-names": list(found.get("otherNames") or []),
        "address": {
            "line1": line1 or None,
            "line2": line2 or None,
            "town": address.get("locality"),
            "postcode": address.get("postalCode"),
            "country": address.get("countryName"),
        },
        "identifiers": {
            str(index): str(each) for index, each in enumerate(found.get("identifiers") or [])
        },
        "sme": found.get("sme"),
        "vcse": found.get("vcse"),
        "contact-name": contact.get("name"),
    }


def changed_entry(found: Mapping[str, Any], name: str, answer: object) -> dict:
    """The whole entry as it should stand after changing one answer: every declared field as
    it is (private part included), the one changed."""
    sent: dict[str, Any] = {
        each.name: found[each.name] for each in FIELDS if found.get(each.name) is not None
    }
    if name == "legal-name":
        sent["legalName"] = answer
    elif name == "other-names":
        if answer:
            sent["otherNames"] = answer
        else:
            sent.pop("otherNames", None)
    elif name == "address":
        assert isinstance(answer, dict)
        sent["address"] = {**_region(found), **_entry_address(answer)}
    elif name in ("sme", "vcse"):
        sent[name] = answer
    elif name == "contact-name":
        contact = dict(sent.get("contact") or {})
        contact["name"] = answer
        sent["contact"] = contact
    return sent


def _region(found: Mapping[str, object]) -> dict:
    """The address's region, which the pages do not ask but keep."""
    address = found.get("address")
    region = address.get("region") if isinstance(address, dict) else None
    return {"region": region} if region else {}
