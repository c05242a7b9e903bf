"""Organisation identifiers: parse, normalise and check the schemes UK procurement uses.

An identifier is a scheme (an org-id.guide list code, such as ``GB-COH``) and the organisation's
id in that list; OCDS carries them as ``{"scheme": "GB-COH", "id": "01234567"}`` and as a party
id ``GB-COH-01234567``. ``check`` answers, for one scheme and id, the identifier in its one
normal form, what normalising changed (each change in words, so that a report can show it), or
the problem: a code and a message saying what is wrong and what a right value looks like.

Each scheme's rule is the register's own numbering (the facts are in ``SCHEMES`` and cited in
docs/identifiers.md). Schemes not listed are accepted as given and said to be unchecked: the
world has a thousand registers, and a value this module cannot judge is not wrong.

Pure functions, no I/O.
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

__all__ = [
    "PLATFORM_ALPHABET",
    "PLATFORM_SCHEME",
    "PROBLEMS",
    "SCHEMES",
    "Checked",
    "Identifier",
    "Phrase",
    "Scheme",
    "check",
    "check_party_id",
    "is_given",
    "party_identifier",
    "platform_check_character",
]


@dataclass(frozen=True, slots=True)
class Identifier:
    scheme: str
    id: str

    def __str__(self) -> str:
        return f"{self.scheme}-{self.id}"


@dataclass(frozen=True, slots=True)
class Phrase:
    """A message as its English template (``%(name)s`` placeholders) and the values that fill
    it, some of them phrases too: ``str`` gives the English, and a page shows it in its reader's
    language by ``render`` with its translation of templates (openbook.web.pages.i18n)."""

    template: str
    values: tuple[tuple[str, object], ...] = ()

    def render(self, translate: Callable[[str], str] = str) -> str:
        filled = {
            name: value.render(translate) if isinstance(value, Phrase) else value
            for name, value in self.values
        }
        return translate(self.template) % filled if filled else translate(self.template)

    def __str__(self) -> str:
        return self.render()


def _said(template: str, **values: object) -> Phrase:
    return Phrase(template, tuple(values.items()))


@dataclass(frozen=True, slots=True)
class Checked:
    """What ``check`` found. ``identifier`` is None when ``problem`` is set."""

    identifier: Identifier | None
    changes: tuple[str, ...] = ()  # what normalising did, in words (English)
    problem: str | None = None  # a code: scheme-missing, id-missing, malformed, check-digit...
    message: str | None = None  # what is wrong, and what a right value looks like
    known: bool = True  # whether the scheme is one this module checks
    phrase: Phrase | None = None  # the message, to be shown in a reader's language
    changed: tuple[Phrase, ...] = ()  # the changes, to be shown in a reader's language

    @property
    def ok(self) -> bool:
        return self.problem is None


def _refused(problem: str, phrase: Phrase) -> Checked:
    return Checked(None, problem=problem, message=str(phrase), phrase=phrase)


def _normal(identifier: Identifier, changes: list[Phrase], known: bool = True) -> Checked:
    return Checked(identifier, tuple(map(str, changes)), known=known, changed=tuple(changes))


# Every ``Checked.problem`` code.
PROBLEMS = (
    "scheme-missing",
    "not-a-string",
    "id-missing",
    "placeholder",
    "malformed",
    "not-an-id",
    "check-digits",
)


@dataclass(frozen=True, slots=True)
class Scheme:
    code: str
    name: str
    example: str
    # Takes the id (already trimmed, upper case, inner spaces gone) and returns it in normal
    # form with what changed, or raises _Malformed.
    normalise: Callable[[str], tuple[str, list[Phrase]]] = field(repr=False)


class _Malformed(Exception):
    """Why an id is not one of its scheme's: a message template first (the Welsh catalogue's
    check reads them from the source), its problem code, the values that fill it."""

    def __init__(self, why: str, problem: str = "malformed", **values: object) -> None:
        self.phrase = _said(why, **values)
        super().__init__(str(self.phrase))
        self.problem = problem


def _pattern(what: str, regex: str) -> Callable[[str], tuple[str, list[Phrase]]]:
    compiled = re.compile(regex)

    def normalise(value: str) -> tuple[str, list[Phrase]]:
        if not compiled.fullmatch(value):
            raise _Malformed(what)
        return value, []

    return normalise


def _padded_digits(value: str, width: int, changes: list[Phrase]) -> str:
    if len(value) < width:
        changes.append(_said("zero-padded to %(width)s digits", width=width))
        return value.zfill(width)
    return value


# Companies House numbers are 8 characters: 8 digits (England and Wales companies), or a prefix
# of letters naming the register or the kind of body (SC Scotland, NI Northern Ireland, OC
# limited liability partnerships, LP limited partnerships, FC overseas companies, OE overseas
# entities, RS/IP registered societies, CE charitable incorporated organisations, and more)
# and digits; registered societies of the older form end in R (IP12345R). The rule is the shape,
# not a list of prefixes: Companies House adds prefixes, and a list goes stale.
_COMPANY = re.compile(r"(?P<letters>[A-Z]{0,2})(?P<digits>[0-9]{1,8})(?P<suffix>R?)")


def _company_number(value: str) -> tuple[str, list[Phrase]]:
    changes: list[Phrase] = []
    match = _COMPANY.fullmatch(value)
    if match is None:
        raise _Malformed(
            "a Companies House number is 8 characters: 8 digits, or one or two letters and "
            "digits (SC012345, OC301234), or IP and five digits and R (IP12345R)",
        )
    letters, digits, suffix = match.group("letters", "digits", "suffix")
    width = 8 - len(letters) - len(suffix)
    if len(digits) > width:
        raise _Malformed(
            "a Companies House number is 8 characters; %(value)s has %(length)s",
            value=repr(value),
            length=len(value),
        )
    if suffix and letters != "IP":
        raise _Malformed("only registered societies' numbers (IP12345R) end in a letter")
    return letters + _padded_digits(digits, width, changes) + suffix, changes


def _scottish_charity(value: str) -> tuple[str, list[Phrase]]:
    changes: list[Phrase] = []
    if value.isdigit():
        changes.append(_said("SC prefix added"))
        value = "SC" + value
    if not re.fullmatch(r"SC[0-9]{1,6}", value):
        raise _Malformed("a Scottish charity number is SC and 6 digits (SC012345)")
    return "SC" + _padded_digits(value[2:], 6, changes), changes


def _ni_charity(value: str) -> tuple[str, list[Phrase]]:
    changes: list[Phrase] = []
    if value.startswith("NIC"):
        changes.append(_said("NIC prefix removed"))
        value = value[3:]
    if not re.fullmatch(r"1[0-9]{5}", value):
        raise _Malformed(
            "a Northern Ireland charity number is 6 digits starting with 1 (100123)",
        )
    return value, changes


def _charity(value: str) -> tuple[str, list[Phrase]]:
    if value == "EXEMPT" or value.startswith(("EXEMPT", "EXCEPTED")):
        raise _Malformed(
            "an exempt or excepted charity has no number in this register: give another of "
            "its identifiers (GB-COH for a charitable company, GB-EDU for a school) or none",
            problem="not-an-id",
        )
    if not re.fullmatch(r"[0-9]{6,7}(-[0-9]{1,3})?", value):
        raise _Malformed(
            "a Charity Commission number is 6 or 7 digits (1123456), with -N for a linked "
            "charity (1123456-1)",
        )
    return value, []


def _vat(value: str) -> tuple[str, list[Phrase]]:
    changes: list[Phrase] = []
    if value.startswith(("GB", "XI")):
        changes.append(_said("%(prefix)s country prefix removed", prefix=value[:2]))
        value = value[2:]
    if re.fullmatch(r"(GD[0-4]|HA[5-9])[0-9]{2}", value):
        return value, changes  # government departments and health authorities
    if not re.fullmatch(r"[0-9]{9}([0-9]{3})?", value):
        raise _Malformed(
            "a UK VAT registration number is 9 digits (12 for a branch), or GD or HA and 3 "
            "digits; the GB prefix may be left out",
        )
    if not _vat_check_digits_match(value[:9]):
        raise _Malformed(
            "the last two digits are not the check digits of the first seven: a digit is "
            "probably mistyped",
            problem="check-digits",
        )
    return value, changes


def _vat_check_digits_match(nine: str) -> bool:
    # HMRC's modulus 97 check: the first seven digits weighted 8 to 2, plus the two check
    # digits, is a multiple of 97; numbers issued since 2010 use the sum plus 55.
    weighted = sum(int(nine[place]) * (8 - place) for place in range(7))
    total = weighted + int(nine[7:])
    return total % 97 == 0 or (total + 55) % 97 == 0


# The Central Digital Platform's Public Procurement Organisation Number: P and three letters,
# four digits, four letters, in groups of four (PMZV-7732-XXTT). The platform never issues the
# letter O or the digit 0, which a reader could take for each other.
_PPON = re.compile(r"P[A-Z]{3}-[0-9]{4}-[A-Z]{4}")


def _ppon(value: str) -> tuple[str, list[Phrase]]:
    changes: list[Phrase] = []
    if re.fullmatch(r"[A-Z0-9]{12}", value):
        value = f"{value[:4]}-{value[4:8]}-{value[8:]}"
        changes.append(_said("hyphens added between the groups of four"))
    swapped = value.translate(str.maketrans("O0", "0O"))
    if not _PPON.fullmatch(value) and not _PPON.fullmatch(swapped):
        raise _Malformed(
            "a PPON is P and three letters, four digits and four letters, in groups of four "
            "(PMZV-7732-XXTT)",
        )
    if "O" in value or "0" in value:
        raise _Malformed(
            "PPONs never contain the letter O or the digit 0: one is probably mistyped for "
            "the other",
        )
    return value, changes


# The platform's own supplier numbers (issued at registration): eight characters and a check
# character, XXXX-XXXX-C, from an alphabet of 31: the digits but 0 and the capitals but I, L,
# O and U, so that none is read for another (0 and O, 1 and I or L) nor spells a word.
PLATFORM_ALPHABET = "123456789ABCDEFGHJKMNPQRSTVWXYZ"


def platform_check_character(eight: str) -> str:
    """The check character of a platform supplier number's eight characters: their values
    weighted by position, summed modulo 31. As 31 is prime and larger than every weight and
    every difference of two values, any one mistyped character and any swap of two neighbours
    changes it."""
    total = sum(
        (position + 1) * PLATFORM_ALPHABET.index(char) for position, char in enumerate(eight)
    )
    return PLATFORM_ALPHABET[total % 31]


def _platform(value: str) -> tuple[str, list[Phrase]]:
    compact = value.replace("-", "")
    if len(compact) != 9 or any(char not in PLATFORM_ALPHABET for char in compact):
        raise _Malformed(
            "a platform supplier number is 8 characters and a check character, of the digits "
            "1 to 9 and the capitals but I, L, O and U (ABCD-1234-X)",
        )
    if platform_check_character(compact[:8]) != compact[8]:
        raise _Malformed(
            "the last character is not the check character of the first eight: a character "
            "is probably mistyped",
            problem="check-digits",
        )
    normal = f"{compact[:4]}-{compact[4:8]}-{compact[8]}"
    return normal, [] if normal == value else [_said("written in groups XXXX-XXXX-C")]


PLATFORM_SCHEME = "GB-OPENBOOK"

SCHEMES: dict[str, Scheme] = {
    scheme.code: scheme
    for scheme in [
        Scheme("GB-COH", "Companies House", "01234567", _company_number),
        Scheme("GB-CHC", "Charity Commission for England and Wales", "1123456", _charity),
        Scheme("GB-SC", "Scottish Charity Regulator", "SC012345", _scottish_charity),
        Scheme("GB-NIC", "Charity Commission for Northern Ireland", "100123", _ni_charity),
        Scheme(
            "GB-GOR",
            "Government Organisation Register",
            "PB425",
            _pattern(
                "a Government Organisation Register id is letters and digits (PB425, D9)",
                r"[A-Z]{1,3}[0-9]{1,5}",
            ),
        ),
        Scheme(
            "GB-EDU",
            "Department for Education (Get Information About Schools URN)",
            "100000",
            _pattern(
                "a school's unique reference number (URN) is 6 digits",
                r"[0-9]{6}",
            ),
        ),
        Scheme(
            "GB-NHS",
            "NHS Organisation Data Service",
            "RTH",
            _pattern(
                "an NHS ODS code is 3 to 6 letters and digits (RTH, RTH01, A81001)",
                r"[A-Z0-9]{3,6}",
            ),
        ),
        Scheme(
            "GB-UKPRN",
            "UK Register of Learning Providers",
            "10007784",
            _pattern(
                "a UK provider reference number is 8 digits starting with 1",
                r"1[0-9]{7}",
            ),
        ),
        Scheme(
            "GB-MPR",
            "Mutuals Public Register (Financial Conduct Authority)",
            "31188R",
            _pattern(
                "a Mutuals Public Register number is digits with a letter suffix (31188R)",
                r"(IP)?[0-9]{1,6}[A-Z]{0,2}",
            ),
        ),
        Scheme(
            "GB-PPON",
            "Public Procurement Organisation Numbers, Central Digital Platform",
            "PMZV-7732-XXTT",
            _ppon,
        ),
        Scheme("GB-VAT", "HM Revenue and Customs VAT register", "217967235", _vat),
        Scheme(
            "GG-RCE",
            "Guernsey Registry",
            "12345",
            _pattern(
                "a Guernsey Registry number is up to 6 digits",
                r"[0-9]{1,6}",
            ),
        ),
        Scheme(
            "JE-FSC",
            "Jersey Financial Services Commission companies registry",
            "12345",
            _pattern(
                "a Jersey registry number is up to 6 digits",
                r"[0-9]{1,6}",
            ),
        ),
        Scheme(
            "IM-CR",
            "Isle of Man Companies Registry",
            "012345C",
            _pattern(
                "an Isle of Man company number is digits and a letter for the kind of body "
                "(012345C, 001234V)",
                r"[0-9]{1,6}[A-Z]",
            ),
        ),
        Scheme("GB-OPENBOOK", "openbook supplier number", "ABCD-1234-X", _platform),
    ]
}
# What real files write where an id is missing: not anybody's id.
_PLACEHOLDER = re.compile(
    r"N/?A|NONE|NULL|NIL|TBC|TBA|UNKNOWN|NOT ?(APPLICABLE|KNOWN|PROVIDED)|-+|\?+|0+|X+"
)
# The Central Digital Platform's own spellings of two schemes (its scheme list says VAT; a bare
# PPON is what suppliers are told theirs is).
_ALIASES = {"VAT": "GB-VAT", "PPON": "GB-PPON"}
# Compiled once (check runs for every identifier a load indexes).
_SPACES = re.compile(r"\s+")
_SPREADSHEET_NUMBER = re.compile(r"[0-9]+\.0")


def check(scheme: object, id_: object) -> Checked:
    """The identifier a scheme and an id make, normalised; or why they make none."""
    if isinstance(id_, int) and not isinstance(id_, bool):
        id_ = str(id_)  # numbers are common in real data; their digits are the id
    absent = _absent(scheme, id_)
    if absent is not None:
        return absent
    assert isinstance(scheme, str) and isinstance(id_, str)
    changes: list[Phrase] = []
    code = scheme.strip().upper()
    if code != scheme:
        changes.append(_said("scheme written in capitals without spaces"))
    if code in _ALIASES:
        changes.append(
            _said("scheme %(code)s written as %(alias)s", code=code, alias=_ALIASES[code])
        )
        code = _ALIASES[code]
    known = SCHEMES.get(code)
    if known is None:
        # Another register's ids may be case-sensitive or hold spaces: kept as given.
        value = id_.strip()
        if value != id_:
            changes.append(_said("spaces around the id removed"))
        return _normal(Identifier(code, value), changes, known=False)
    value = _SPACES.sub("", id_).upper()
    if value != id_:
        changes.append(_said("spaces removed and letters capitalised"))
    if value.startswith(code + "-"):
        value = value[len(code) + 1 :]
        changes.append(_said("scheme repeated in the id removed"))
    if _SPREADSHEET_NUMBER.fullmatch(value):
        value = value[:-2]
        changes.append(_said("'.0' removed (the number went through a spreadsheet)"))
    try:
        normal, more = known.normalise(value)
    except _Malformed as malformed:
        said = _said(
            "%(value)s is not a %(code)s id (%(name)s): %(why)s",
            value=repr(id_),
            code=code,
            name=known.name,
            why=malformed.phrase,
        )
        return _refused(malformed.problem, said)
    return _normal(Identifier(code, normal), changes + more)


_Answer = TypeVar("_Answer")
# Arguments remembered by ``remembered``: values of these types only, so that a float or a
# boolean equal to an integer never shares its entry (``typed`` keeps 1 and "1" apart too).
_KEYS = (str, int, type(None))


def remembered(
    function: Callable[[Any, Any], _Answer], maxsize: int
) -> Callable[[Any, Any], _Answer]:
    """A pure function of a (scheme, id) pair, remembered for up to ``maxsize`` pairs of text,
    integers and None, the values met again and again (a buyer's every notice, a supplier's
    every award); called afresh for any other pair."""
    cached = functools.lru_cache(maxsize=maxsize, typed=True)(function)

    def call(scheme: Any, id_: Any) -> _Answer:
        if type(scheme) in _KEYS and type(id_) in _KEYS:
            return cached(scheme, id_)
        return function(scheme, id_)

    return call


# ``check``, remembered: the publish API checks every party of every release twice (the notice
# rules, the supplier numbers). ``check`` is pure and ``Checked`` frozen.
check_often = remembered(check, 8192)


def is_given(identifier: object) -> TypeGuard[dict]:
    """Whether an OCDS identifier object says anything: a scheme or an id that is not blank.
    Real publishers write ``{"scheme": "", "id": ""}`` for none (Contracts Finder does)."""
    if not isinstance(identifier, dict):
        return False
    return any(
        value is not None and (not isinstance(value, str) or value.strip())
        for value in (identifier.get("scheme"), identifier.get("id"))
    )


def party_identifier(party: object) -> Identifier | None:
    """An OCDS party's identifier: its ``identifier`` if valid, else its first valid one of
    ``additionalIdentifiers``; None if it has none."""
    if not isinstance(party, dict):
        return None
    more = party.get("additionalIdentifiers")
    for given in [party.get("identifier"), *(more if isinstance(more, list) else [])]:
        if is_given(given):
            checked = check(given.get("scheme"), given.get("id"))
            if checked.identifier is not None:
                return checked.identifier
    return None


def _absent(scheme: object, id_: object) -> Checked | None:
    """Why a scheme and an id are no identifier whatever the scheme, if they are not."""
    if scheme is None or (isinstance(scheme, str) and not scheme.strip()):
        return _refused("scheme-missing", _said("the identifier has no scheme"))
    if not isinstance(scheme, str):
        return _refused("not-a-string", _said("the scheme is not a string"))
    if id_ is None or (isinstance(id_, str) and not id_.strip()):
        return _refused("id-missing", _said("the identifier has no id"))
    if not isinstance(id_, str):
        return _refused("not-a-string", _said("the id is not a string"))
    if _PLACEHOLDER.fullmatch(id_.strip().upper()):
        return _refused(
            "placeholder",
            _said(
                "%(value)s stands in for an id nobody gave: leave the identifier out where the "
                "organisation has none in this register",
                value=repr(id_),
            ),
        )
    return None


def check_party_id(text: str) -> Checked:
    """An identifier written as one string, ``SCHEME-ID`` (``GB-COH-01234567``), as party ids
    and the platform's own forms take it. The scheme is the longest known code it starts with,
    else its first two hyphen-separated parts."""
    value = text.strip()
    upper = value.upper()
    for code in sorted([*SCHEMES, *_ALIASES], key=len, reverse=True):
        if upper.startswith(code + "-") and len(value) > len(code) + 1:
            return check(value[: len(code)], value[len(code) + 1 :])
    parts = value.split("-", 2)
    if len(parts) < 3 or not all(parts):
        return _refused(
            "malformed",
            _said(
                "%(value)s is not an organisation identifier: write the org-id.guide list code, "
                "a hyphen and the organisation's id in that list, such as GB-COH-01234567 (a "
                "company) or GB-GOR-PB425 (a government organisation)",
                value=repr(text),
            ),
        )
    return check(f"{parts[0]}-{parts[1]}", parts[2])
