"""RFC 8785 canonical JSON: the RFC's own examples, a reference writer, and properties."""

import datetime
import hashlib
import json
import math
import pickle
import struct
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openbook.standards.canonical import (
    CanonicalizationError,
    _written_as_ecmascript,
    body_hash,
    canonical_json,
    canonical_json_and_value,
    canonical_json_if_plain,
    number_text,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"

# RFC 8785 appendix B: IEEE 754 doubles (as hex) and their canonical text.
RFC_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def double(hex_bits: str) -> float:
    return struct.unpack(">d", bytes.fromhex(hex_bits))[0]


# A slow writer that follows the RFC's words one by one, to compare against.


def reference(value) -> str:
    literals = {None: "null", True: "true", False: "false"}
    if value is None or isinstance(value, bool):
        return literals[value]
    if isinstance(value, int):
        return str(value) if abs(value) <= 2**53 else reference_number(float(value))
    if isinstance(value, float):
        return reference_number(value)
    if isinstance(value, str):
        return reference_string(value)
    if isinstance(value, list):
        return "[" + ",".join(reference(item) for item in value) + "]"
    keys = sorted(value, key=lambda key: key.encode("utf-16-be"))  # UTF-16 code units
    return "{" + ",".join(reference_string(k) + ":" + reference(value[k]) for k in keys) + "}"


def reference_string(text: str) -> str:
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
    short["\r"] = "\\r"
    out = []
    for char in text:
        if char in short:
            out.append(short[char])
        elif char < " ":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def reference_number(number: float) -> str:
    """ECMA-262 Number::toString, with the digits found the way the spec defines them: the
    fewest digits k that still denote the number, the closest such value if several."""
    if number == 0:
        return "0"
    if number < 0:
        return "-" + reference_number(-number)
    exact = Decimal(number)
    for k in range(1, 18):
        candidates = []
        for rounding in (ROUND_FLOOR, ROUND_CEILING):
            with localcontext() as context:
                context.prec, context.rounding = k, rounding
                candidate = +exact
            if float(candidate) == number:
                candidates.append(candidate)
        if candidates:
            break
    best = min(candidates, key=lambda c: (abs(c - exact), c.as_tuple().digits[-1] % 2))
    _, digit_tuple, exponent = best.normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = exponent + k
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"


@pytest.mark.parametrize(("bits", "text"), RFC_NUMBERS)
def test_rfc_8785_number_table(bits, text):
    assert number_text(double(bits)) == text
    assert canonical_json(double(bits)) == text.encode()
    assert reference_number(double(bits)) == text


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1.0, "1"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (-1.5, "-1.5"),
        (0.1, "0.1"),
        (123e-20, "1.23e-18"),
    ],
)
def test_numbers_are_written_as_ecmascript_does(number, text):
    assert canonical_json(number) == text.encode()


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_nan_and_infinities_are_refused(bits):
    with pytest.raises(CanonicalizationError, match=r"^\$: .* not a JSON number"):
        canonical_json(double(bits))


def test_integers_beyond_2_53_lose_precision_as_doubles_do():
    values = [2**53, 2**53 + 1, -(2**53) - 1, 2**64, 10**21, 12345678901234567890]
    assert canonical_json(values) == (
        b"[9007199254740992,9007199254740992,-9007199254740992,18446744073709552000,"
        b"1e+21,12345678901234567000]"
    )


def test_rfc_8785_example():
    # RFC 8785 section 3.2.2: input as a JSON text, expected output as bytes.
    source = (
        r'{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        r' "string": "\u20ac$\u000F\u000aA'
        "'"
        r'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}'
    )
    expected = (
        b'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        b'"string":"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(json.loads(source)) == expected


def test_rfc_8785_sorting_example():
    # RFC 8785 section 3.2.3: keys sort by UTF-16 code units, so the emoji (D83D DE00) comes
    # before U+FB33 although its code point is larger.
    source = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    assert list(orjson.loads(canonical_json(source))) == order
    assert canonical_json(source).decode() == reference(source)


def test_astral_keys_are_ordered_inside_nested_containers():
    inner = {"\ue000": 1, "\U0001f600": 2.5, "a": [{"\uffff": 0, "\U00010000": 1}]}
    value = {"list": [inner, {"x": inner}], "\ufb33": inner}
    assert canonical_json(value).decode() == reference(value)


def test_string_escaping_is_the_rfcs():
    text = "".join(map(chr, range(0x20))) + '\x7f/"\\\u2028\u2029é€\U0001f600'
    expected = (
        '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r'
        "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018"
        '\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\x7f/\\"\\\\\u2028\u2029é€\U0001f600"'
    )
    assert canonical_json(text).decode() == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"tender": {"value": {"amount": math.nan}}}, r"^\$\.tender\.value\.amount: nan "),
        ({"a": [1, {"b": -math.inf}]}, r"^\$\.a\[1\]\.b: -inf "),
        ({"title": "caf\ud800"}, r"^\$\.title: .*lone surrogate U\+D800"),
        ({"\udc00": 1}, r'^\$\["\\udc00"\]: .*lone surrogate U\+DC00'),
        ({"a b": {1: "x"}}, r'^\$\["a b"\]: the key 1 is an int, not a string'),
        ({"items": (1, 2)}, r"^\$\.items: a tuple is not a JSON value"),
        ({"date": datetime.date(2024, 1, 1)}, r"^\$\.date: a date is not a JSON value"),
        ([{"big": 10**400}], r"^\$\[0\]\.big: the integer is too large for a double"),
    ],
)
def test_what_cannot_be_written_is_refused_with_its_path(value, message):
    with pytest.raises(CanonicalizationError, match=message):
        canonical_json(value)


def test_deep_nesting_is_written_without_recursion_limits():
    value: object = 0.5
    for _ in range(5000):
        value = {"k": [value]}
    assert canonical_json(value) == b'{"k":[' * 5000 + b"0.5" + b"]}" * 5000


def test_subclasses_are_written_as_their_base_types():
    class Name(str):
        pass

    class Mapping(dict):
        pass

    assert canonical_json(Mapping(b=Name("x"), a=True)) == b'{"a":true,"b":"x"}'


def test_the_input_is_not_changed():
    value = {"b": [1.0, {"z": 2.5, "a": 2**60}], "a": 1}
    copy = json.loads(json.dumps(value))
    canonical_json(value)
    assert value == copy
    assert list(value) == ["b", "a"]


def test_body_hash_is_the_sha256_of_the_canonical_text():
    value = {"b": 1.0, "a": "x"}
    assert body_hash(value) == hashlib.sha256(b'{"a":"x","b":1}').hexdigest()
    assert body_hash({"a": "x", "b": 1}) == body_hash(value)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not present")
def test_real_releases_match_the_reference():
    folder = SHARED / "ocds-real-publisher-samples"
    for path in sorted(folder.glob("*/sample/releases/*.json"))[::7]:
        value = orjson.loads(path.read_bytes())
        assert canonical_json(value).decode() == reference(value), path


keys = st.text(st.characters(codec="utf-8"), max_size=6)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8"), max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=30,
)


@given(json_values)
@settings(max_examples=400, deadline=None)
def test_matches_the_reference_writer(value):
    assert canonical_json(value).decode() == reference(value)


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_canonical_text_is_a_fixed_point(value):
    text = canonical_json(value)
    assert canonical_json(orjson.loads(text)) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
@settings(max_examples=2000, deadline=None)
def test_numbers_match_the_reference(number):
    assert number_text(number) == reference_number(number)


# canonical_json_and_value: the fast path for documents without floats must give exactly what
# canonical_json gives, and refuse what it refuses.


@given(json_values)
@settings(max_examples=400, deadline=None)
def test_the_text_and_value_are_canonical_json_and_its_reading(value):
    text, read = canonical_json_and_value(value)
    assert text == canonical_json(value)
    assert read == orjson.loads(text) and type(read) is type(orjson.loads(text))


plain_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) - 2, max_value=2**53 + 2)
    | st.text(st.characters(codec="utf-8"), max_size=12)
)


@given(
    st.recursive(
        plain_scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(keys, c, max_size=4)
    )
)
@settings(max_examples=400, deadline=None)
def test_documents_without_floats_match_the_reference_writer(value):
    assert canonical_json_and_value(value)[0].decode() == reference(value)


@pytest.mark.parametrize(
    "value",
    [
        {"share": 50.0},  # written 50, not 50.0
        [1e21, -0.0, 2**53, 2**53 + 1, -(2**60)],
        {"\U0001f600": 1, "\ufb33": 2},  # keys in UTF-16 order
        {"a": [{"\U00010000": None, "\uffff": True}]},
        {"k": [{"k": [0]}] * 3},
    ],
)
def test_what_orjson_writes_otherwise_takes_the_usual_path(value):
    assert canonical_json_and_value(value) == (
        canonical_json(value),
        orjson.loads(canonical_json(value)),
    )


class Text(str):
    pass


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"items": (1, 2)}, r"^\$\.items: a tuple is not a JSON value"),
        ({"date": datetime.date(2024, 1, 1)}, r"^\$\.date: a date is not a JSON value"),
        ({"title": "caf\ud800"}, r"lone surrogate U\+D800"),
        ({"a b": {1: "x"}}, r"the key 1 is an int, not a string"),
        ({"n": math.nan}, r"^\$\.n: nan "),
    ],
)
def test_the_fast_path_refuses_what_canonical_json_refuses(value, message):
    with pytest.raises(CanonicalizationError, match=message):
        canonical_json_and_value(value)


def test_subclasses_and_deep_documents_are_written_as_canonical_json_writes_them():
    deep: object = 1
    for _ in range(1000):
        deep = [deep]
    for value in ({"a": Text("x")}, deep, [True, {"b": [None]}]):
        assert canonical_json_and_value(value)[0] == canonical_json(value)


# Floats on the fast path. A float orjson writes as ECMAScript does (a share such as
# 33.33) leaves a document on it; one it writes otherwise (50.0, 1e+21, 0.000001) sends the
# document the usual way. Either way the text is the reference writer's.

finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@given(
    st.recursive(
        plain_scalars | finite_floats,
        lambda c: st.lists(c, max_size=4) | st.dictionaries(keys, c, max_size=4),
    )
)
@settings(max_examples=400, deadline=None)
def test_documents_with_floats_match_the_reference_writer(value):
    text, read = canonical_json_and_value(value)
    assert text.decode() == reference(value)
    assert read == orjson.loads(text)


@given(finite_floats)
@settings(max_examples=2000, deadline=None)
def test_a_float_on_the_fast_path_is_written_as_the_reference_writes_it(number):
    text, _ = canonical_json_and_value({"share": number})
    assert text.decode() == '{"share":' + reference_number(number) + "}"
    if _written_as_ecmascript(number):
        assert orjson.dumps(number).decode() == reference_number(number)


@pytest.mark.parametrize(
    ("number", "fast"),
    [
        *[(33.33, True), (0.5, True), (12.5, True), (1e-7, True), (0.30000000000000004, True)],
        *[(50.0, False), (-0.0, False), (1e21, False), (0.000001, False), (1e16 + 2, False)],
        *[(math.nan, False), (math.inf, False)],
    ],
)
def test_which_floats_orjson_writes_as_ecmascript(number, fast):
    assert _written_as_ecmascript(number) is fast


@given(json_values)
@settings(max_examples=400, deadline=None)
def test_plain_text_is_canonical_and_reads_back_equal_sorted(value):
    text = canonical_json_if_plain(value)
    if text is None:
        return
    assert text == canonical_json(value)
    read = orjson.loads(text)
    assert read == value
    assert orjson.dumps(value, option=orjson.OPT_SORT_KEYS) == orjson.dumps(read)


@pytest.mark.parametrize(
    "value",
    [{"share": 50.0}, {"n": 2**53 + 1}, {"\U0001f600": 1}, {"a": Text("x")}, "text", 3],
)
def test_what_is_not_plain_has_no_plain_text(value):
    assert canonical_json_if_plain(value) is None


whole_floats = st.integers(min_value=-(2**60), max_value=2**60).map(float) | st.sampled_from(
    [0.0, -0.0, float(2**53), float(-(2**53)), float(2**53 + 2), 603327.0]
)
documents_with_whole_floats = st.recursive(
    scalars | whole_floats,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=30,
).filter(lambda value: isinstance(value, dict | list))


@given(documents_with_whole_floats)
@settings(max_examples=400, deadline=None)
def test_whole_floats_are_written_as_the_reference_writes_them_and_left_as_floats(value):
    """Amounts such as 603327.0 are written as integers by putting integers in for the writing:
    the text is the reference's, and the value keeps its floats, of type float, in place."""
    before = pickle.dumps(value)
    assert canonical_json(value).decode() == reference(value)
    assert pickle.dumps(value) == before  # the same values, types and key order


def test_a_release_with_whole_amounts_is_written_as_the_reference_writes_it():
    release = {"ocid": "ocds-x-1", "awards": [{"value": {"amount": 603327.0, "currency": "GBP"}}]}
    release["tender"] = {"value": {"amount": -0.0}, "minValue": {"amount": 2.5}}
    text = canonical_json(release)
    assert text == reference(release).encode()
    assert b'"amount":603327,' in text and b'"amount":0}' in text
    assert type(release["awards"][0]["value"]["amount"]) is float
