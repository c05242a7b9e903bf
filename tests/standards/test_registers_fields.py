"""Reading register entries (openbook.standards.registers.fields) against any JSON at all: never
an exception, a problem with a pointer for everything refused, and normal form kept."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from openbook.standards.registers import by_code, fields

REGISTERS = list(by_code().values())

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def _near(register):
    """Objects with the register's own field names, holding anything: nearer valid entries
    than random JSON, so that the checks beyond the shape are reached too."""
    names = [field.name for field in register.fields]
    return st.dictionaries(st.sampled_from(names), json_values, max_size=len(names))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(REGISTERS), st.data())
def test_any_json_is_read_or_refused_with_pointers(register, data):
    sent = data.draw(st.one_of(json_values, _near(register)))
    entry, problems = fields.read(sent, register.fields)
    for problem in problems:
        assert problem.path == "" or problem.path.startswith("/")
        assert problem.code and problem.message
    if not problems:
        # What was read is in normal form: reading it again changes nothing.
        assert fields.read(entry, register.fields) == (entry, [])
        for problem in register.rules(entry):
            assert problem.path.startswith("/") and problem.message
        register.indexed(entry)


@given(st.text(alphabet=string.printable, max_size=40))
def test_dates_are_days_of_the_calendar_or_refused(text):
    spec = (fields.Field("day", fields.DATE, required=True),)
    entry, problems = fields.read({"day": text}, spec)
    assert bool(entry) != bool(problems)


def test_a_valid_entry_is_its_own_normal_form():
    from tests.web.test_registers_api import challenge, complaint, debarment
    from tests.web.test_suppliers_api import ACME

    kept = by_code()
    for code, sent in [
        ("debarment", debarment()),
        ("complaints", complaint("ocds-b5fd17-1")),
        ("challenges", challenge("ocds-b5fd17-1")),
        ("suppliers", ACME),
    ]:
        entry, problems = fields.read(sent, kept[code].fields)
        assert problems == [] and kept[code].rules(entry) == []
        assert fields.read(entry, kept[code].fields) == (entry, [])
    # Normalising: text trimmed, identifiers as their registers write them.
    entry, _ = fields.read({**ACME, "legalName": "  Acme  "}, kept["suppliers"].fields)
    assert entry["legalName"] == "Acme" and entry["identifiers"][0] == "GB-COH-01234567"
