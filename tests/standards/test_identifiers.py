"""Organisation identifiers: real registers' numbers accepted, malformed ones explained."""

import csv
import itertools
import random
import re

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openbook.standards.identifiers import (
    PLATFORM_ALPHABET,
    SCHEMES,
    Identifier,
    check,
    check_party_id,
    platform_check_character,
)
from openbook.standards.organisation_names import Candidate, candidates, key
from tests.conftest import SHARED_DATA

GRANTS = SHARED_DATA / "360giving-publisher-files"
PSC = SHARED_DATA / "uk-psc-source-samples"


def _real_ids(scheme: str) -> set[str]:
    """Every id of a scheme that real 360Giving files name organisations by (recipients and
    funders are written GB-CHC-1123456)."""
    prefix = f"{scheme}-"
    return {
        text[len(prefix) :]
        for path in GRANTS.rglob("*.json")
        for text in _strings(orjson.loads(path.read_bytes()))
        if text.startswith(prefix)
    }


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize(
    ("scheme", "id_", "normal"),
    [
        ("GB-COH", "09506232", "09506232"),
        ("GB-COH", "9506232", "09506232"),  # leading zero lost in a spreadsheet
        ("GB-COH", "SC012345", "SC012345"),
        ("GB-COH", "sc 12345", "SC012345"),
        ("GB-COH", "OE012345", "OE012345"),  # a prefix no list of 2020 had: overseas entities
        ("GB-COH", "IP12345R", "IP12345R"),
        ("GB-COH", "R0000123", "R0000123"),
        ("GB-COH", "11111111.0", "11111111"),
        ("GB-CHC", "1123456", "1123456"),
        ("GB-CHC", "202918", "202918"),
        ("GB-CHC", "1123456-1", "1123456-1"),
        ("GB-SC", "SC012345", "SC012345"),
        ("GB-SC", "12345", "SC012345"),
        ("GB-NIC", "100123", "100123"),
        ("GB-NIC", "NIC100123", "100123"),
        ("GB-GOR", "PB425", "PB425"),
        ("GB-EDU", "100000", "100000"),
        ("GB-NHS", "rth01", "RTH01"),
        ("GB-UKPRN", "10007784", "10007784"),
        ("GB-MPR", "31188R", "31188R"),
        ("GB-PPON", "PMZV-7732-XXTT", "PMZV-7732-XXTT"),
        ("GB-PPON", "pmzv 7732 xxtt", "PMZV-7732-XXTT"),
        ("GB-PPON", "PMZV7732XXTT", "PMZV-7732-XXTT"),
        ("PPON", "PMZV-7732-XXTT", "PMZV-7732-XXTT"),
        ("GB-VAT", "217967235", "217967235"),  # a real publisher's (Contracts Finder sample)
        ("GB-VAT", "GB 217 9672 35", "217967235"),
        ("VAT", "217967235001", "217967235001"),  # a branch
        ("GB-VAT", "GD123", "GD123"),
        ("GG-RCE", "12345", "12345"),
        ("JE-FSC", "123456", "123456"),
        ("IM-CR", "012345c", "012345C"),
        ("GB-COH", 12345678, "12345678"),  # a number where a string belongs
    ],
)
def test_valid_ids_are_normalised(scheme, id_, normal):
    checked = check(scheme, id_)
    assert checked.ok, checked.message
    assert checked.identifier == Identifier(checked.identifier.scheme, normal)
    assert checked.identifier.scheme in SCHEMES
    assert bool(checked.changes) == (str(id_) != normal or scheme not in SCHEMES)


@pytest.mark.parametrize(
    ("scheme", "id_", "problem", "words"),
    [
        ("GB-COH", "123456789", "malformed", "8 characters"),
        ("GB-COH", "SC1234567", "malformed", "8 characters"),
        ("GB-COH", "ABC12345", "malformed", "8 characters"),
        ("GB-COH", "SC12345R", "malformed", "registered societies"),
        ("GB-COH", "12-345", "malformed", "8 characters"),
        ("GB-CHC", "Exempt", "not-an-id", "exempt or excepted charity"),
        ("GB-CHC", "1234", "malformed", "6 or 7 digits"),
        ("GB-SC", "SC1234567", "malformed", "SC and 6 digits"),
        ("GB-NIC", "XN12345", "malformed", "6 digits starting with 1"),
        ("GB-EDU", "12345", "malformed", "6 digits"),
        ("GB-UKPRN", "20007784", "malformed", "starting with 1"),
        ("GB-PPON", "PMZV-7732-XXT", "malformed", "groups of four"),
        ("GB-PPON", "PMZV-7732-XXT0", "malformed", "never contain the letter O or the digit 0"),
        ("GB-VAT", "217967236", "check-digits", "mistyped"),
        ("GB-VAT", "2179672", "malformed", "9 digits"),
        ("IM-CR", "012345", "malformed", "a letter"),
        ("GB-OPENBOOK", "ABCD-1234", "malformed", "check character"),
        ("GB-COH", "", "id-missing", "no id"),
        ("GB-COH", "N/A", "placeholder", "leave the identifier out"),
        ("GB-COH", "00000000", "placeholder", "leave the identifier out"),
        ("XI-LEI", "unknown", "placeholder", "leave the identifier out"),
        ("GB-COH", None, "id-missing", "no id"),
        ("", "01234567", "scheme-missing", "no scheme"),
        ("GB-COH", ["01234567"], "not-a-string", "the id is not a string"),
        (7, "01234567", "not-a-string", "the scheme is not a string"),
    ],
)
def test_malformed_ids_get_a_precise_message(scheme, id_, problem, words):
    checked = check(scheme, id_)
    assert not checked.ok and checked.identifier is None
    assert checked.problem == problem
    assert words in checked.message
    if problem in ("malformed", "check-digits", "not-an-id") and isinstance(id_, str):
        assert repr(id_) in checked.message and scheme in checked.message


def test_other_registers_ids_are_kept_as_given():
    checked = check("CA-CC", " infrastructures-voirie-et-transports ")
    assert checked.ok and not checked.known
    assert checked.identifier == Identifier("CA-CC", "infrastructures-voirie-et-transports")


def test_party_ids_split_at_the_longest_known_scheme():
    assert check_party_id("GB-COH-01234567").identifier == Identifier("GB-COH", "01234567")
    assert check_party_id("GB-PPON-PMZV-7732-XXTT").identifier == Identifier(
        "GB-PPON", "PMZV-7732-XXTT"
    )
    assert check_party_id("gb-coh-1234567").identifier == Identifier("GB-COH", "01234567")
    assert check_party_id("XI-LEI-5493001KJTIIGC8Y1R12").identifier == Identifier(
        "XI-LEI", "5493001KJTIIGC8Y1R12"
    )
    for text in ["GB-COH", "01234567", "GB--1", ""]:
        assert check_party_id(text).problem == "malformed"


def test_every_real_companies_house_number_is_accepted():
    numbers = _real_ids("GB-COH") | {
        match.group(1)
        for path in PSC.glob("*.json")
        for match in re.finditer(r'"company_number": ?"([^"]+)"', path.read_text())
    }
    assert len(numbers) > 600
    prefixes = {re.match(r"[A-Z]*", number.strip()).group() for number in numbers}
    assert {"", "RS", "IP", "CE", "OE"} <= prefixes  # many registers, one rule
    problems = {number: check("GB-COH", number).problem for number in numbers}
    assert {number: problem for number, problem in problems.items() if problem} == {
        "NA": "placeholder",
        "n/a": "placeholder",
        "the-windmill-charlton": "malformed",  # a web address's slug, not a number
    }


def test_real_charity_numbers_are_accepted_and_exempt_is_explained():
    numbers = _real_ids("GB-CHC")
    assert len(numbers) > 1000
    results = {number: check("GB-CHC", number) for number in numbers}
    problems = {number: result.problem for number, result in results.items() if not result.ok}
    # What the real files hold that is no charity number: "Exempt", and a few short numbers.
    assert problems
    assert all(
        problem == "not-an-id" if number.strip().upper() == "EXEMPT" else problem == "malformed"
        for number, problem in problems.items()
    )
    assert all(
        len(re.sub(r"\D", "", number)) < 6 for number, p in problems.items() if p != "not-an-id"
    )
    assert len(problems) < len(numbers) / 100
    for scheme in ["GB-SC", "GB-NIC", "GB-EDU", "GB-GOR"]:
        real = _real_ids(scheme)
        assert real and all(check(scheme, number).ok for number in real), scheme


def test_a_councils_real_vat_numbers_pass_the_check_digits_but_eight():
    """Trafford Council's supplier spend names each supplier's VAT number: 730 of the 738
    pass HMRC's modulus 97 check; the rest are wrong as published."""
    path = SHARED_DATA / "lgtc-trafford" / "supplier_spend" / "trafford-supplier-spend-2026-27.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:
        numbers = {row["VATRegistrationNumber"] for row in csv.DictReader(file)} - {""}
    problems = {number: check("GB-VAT", number).problem for number in numbers}
    assert len(numbers) == 738
    assert {number: problem for number, problem in problems.items() if problem} == {
        "GB28165358": "malformed",  # 8 digits
        "GB20084738": "malformed",
        "GB0796642084": "malformed",  # 10 digits
        "GB0128940791": "malformed",
        "NA": "placeholder",
        "GB974955456": "check-digits",
        "GB158566040": "check-digits",
        "GB743731030": "check-digits",
    }


def test_the_platform_check_character_catches_every_slip_of_one_character():
    generator = random.Random(5)
    for _ in range(200):
        eight = "".join(generator.choice(PLATFORM_ALPHABET) for _ in range(8))
        good = f"{eight[:4]}-{eight[4:]}-{platform_check_character(eight)}"
        assert check("GB-OPENBOOK", good).identifier == Identifier("GB-OPENBOOK", good)
        for position, other in itertools.product(range(8), PLATFORM_ALPHABET):
            if eight[position] != other:
                slipped = eight[:position] + other + eight[position + 1 :]
                assert platform_check_character(slipped) != platform_check_character(eight)
        for position in range(7):
            if eight[position] != eight[position + 1]:
                swapped = (
                    eight[:position] + eight[position + 1] + eight[position] + eight[position + 2 :]
                )
                assert platform_check_character(swapped) != platform_check_character(eight)


def test_a_spreadsheet_number_is_repaired_and_said_so():
    checked = check("GB-COH", "11111111.0")
    assert checked.identifier == Identifier("GB-COH", "11111111")
    assert any("spreadsheet" in change for change in checked.changes)
    assert orjson.dumps(checked.changes)  # changes are plain strings, reportable as JSON


def test_names_compare_as_people_read_them():
    assert key("ACME LIMITED") == key("Acme Ltd.") == key("acme ltd") == "acme"
    assert key("The Jones & Sons Company") == key("Jones and Sons Co") == "jones sons"
    assert key("Cwmni Cyf") == "cwmni"  # a Welsh legal form
    assert key("Société Générale SA") == "societe generale"
    assert key("Limited") == "limited"  # a name of a legal form only stays itself
    assert key("  ") == ""


def test_candidates_are_offered_with_a_score_never_below_the_bar():
    known = [key(name) for name in ["Acme Limited", "Leeds City Council", "Widget Works"]]
    assert candidates(key("ACME LTD"), known) == [Candidate("acme", 100.0)]
    (close,) = candidates(key("Widgets Works"), known)
    assert close.key == "widget works" and 90 <= close.score < 100
    assert candidates(key("Leeds Council"), known) == []  # alike words, another body maybe
    assert candidates("", known) == []


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from([*SCHEMES, "VAT", "XI-LEI", ""]) | JSON_VALUES, id_=JSON_VALUES)
def test_any_json_gets_an_identifier_or_a_reason_never_an_exception(scheme, id_):
    checked = check(scheme, id_)
    assert (checked.identifier is None) == (checked.problem is not None)
    assert (checked.problem is None) == (checked.message is None)
    if checked.identifier is not None and checked.known:
        again = check(checked.identifier.scheme, checked.identifier.id)
        assert again.identifier == checked.identifier and not again.changes  # normal is fixed


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60))
def test_any_text_as_a_party_id_gets_an_answer(text):
    checked = check_party_id(text)
    assert (checked.identifier is None) == (checked.problem is not None)


def test_each_problem_is_a_phrase_a_page_can_translate():
    """Every refusal carries its message as a template and values, nested where one message
    holds another, so that a page can show it in its reader's language."""
    seen: list[str] = []

    def translate(template: str) -> str:
        seen.append(template)
        return f"<{template}>"

    for written in ["GB-COH-SC1234567", "GB-VAT-123456780", "nonsense", "GB-CHC-EXEMPT"]:
        checked = check_party_id(written)
        assert checked.phrase is not None and checked.message == str(checked.phrase)
        assert checked.phrase.render(translate) != checked.message
    assert "%(value)s is not a %(code)s id (%(name)s): %(why)s" in seen
    assert "a Companies House number is 8 characters; %(value)s has %(length)s" in seen
    # Values are filled, not translated: a value is never read as a template.
    phrase = check_party_id("GB-COH-%(x)s").phrase
    assert phrase is not None and "'%(x)s'" in phrase.render(translate)


def test_every_problem_code_is_listed_and_each_change_is_a_phrase():
    """The registers' checks name a refusal by the identifier's problem code, and the pages say
    each code's summary (openbook.publishing.refusals): every code is in PROBLEMS. What
    normalising changed is a phrase too, said in a page's language; ``changes`` is its English."""
    from pathlib import Path

    from openbook.standards import identifiers

    source = Path(identifiers.__file__).read_text(encoding="utf-8")
    named = set(re.findall(r'(?:problem=|_refused\()\s*"([a-z-]+)"', source))
    assert named | {"malformed"} == set(identifiers.PROBLEMS)  # malformed: _Malformed's default
    checked = check_party_id("gb-coh-1234567")
    assert checked.changes == tuple(str(phrase) for phrase in checked.changed)
    assert checked.changes == (
        "scheme written in capitals without spaces",
        "zero-padded to 8 digits",
    )
    assert [phrase.template for phrase in checked.changed][1] == "zero-padded to %(width)s digits"
