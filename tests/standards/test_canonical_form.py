"""canonical_form: the canonical text with what writing it found out, in one walk of the value."""

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openbook.standards import canonical
from openbook.standards.canonical import (
    CanonicalizationError,
    canonical_form,
    canonical_json,
    canonical_json_and_value,
    canonical_json_if_plain,
)


def nested(depth: int, inner):
    value = inner
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "as_given", "orjson_writes"),
    [
        ({"b": "x", "a": [1, True, None, 33.33]}, True, True),
        ({"share": 25.0, "amounts": [603327.0, -0.0]}, False, True),
        ({"big": 2**60}, False, True),  # beyond 2**53: written as the double it rounds to
        ({"big": 2**70}, False, False),  # beyond 64 bits: orjson refuses it
        ({"huge": 1e21}, False, True),  # orjson writes 1e21, ECMAScript 1e+21
        ({"\U0001f600": 1, "\uffff": 2}, False, True),  # a key above U+FFFF: UTF-16 order
        (nested(300, {"a": 1}), False, False),  # deeper than orjson writes
        (nested(300, 2.0), False, False),
    ],
)
def test_canonical_form_says_how_the_text_was_written(value, as_given, orjson_writes):
    found = canonical_form(value)
    assert found.text == canonical_json(value)
    assert found.as_given is as_given
    assert found.as_given == (canonical_json_if_plain(value) is not None)
    assert found.orjson_writes is orjson_writes
    try:
        orjson.dumps(value)
    except TypeError:
        writes = False
    else:
        writes = True
    assert found.orjson_writes is writes


def test_canonical_form_raises_as_canonical_json_does():
    with pytest.raises(CanonicalizationError, match=r"\$\.a\[0\]"):
        canonical_form({"a": [float("nan")]})


def test_whole_floats_after_other_numbers_and_containers_are_all_found():
    # The walk notes a container for its numbers and still walks the containers it holds.
    value = {"a": 0.5, "b": {"c": 2.0, "d": [1.5, {"e": 3.0}]}, "f": [4.0, [5.0]], "g": 6.0}
    assert canonical_json(value) == b'{"a":0.5,"b":{"c":2,"d":[1.5,{"e":3}]},"f":[4,[5]],"g":6}'
    assert value == {"a": 0.5, "b": {"c": 2.0, "d": [1.5, {"e": 3.0}]}, "f": [4.0, [5.0]], "g": 6.0}
    assert type(value["b"]["d"][1]["e"]) is float


def test_a_value_with_whole_floats_is_walked_once(monkeypatch):
    walks = []
    walk = canonical._whole_floats

    def counted(value):
        walks.append(value)
        return walk(value)

    monkeypatch.setattr(canonical, "_whole_floats", counted)
    value = {"interests": [{"share": {"exact": 25.0}}]}
    assert canonical_json_and_value(value) == (b'{"interests":[{"share":{"exact":25}}]}', value)
    assert len(walks) == 1
    walks.clear()
    assert not canonical_form(value).as_given
    assert len(walks) == 1


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(min_value=-1e6, max_value=1e6).map(float.__floor__).map(float)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=3), json_values, max_size=5) | st.lists(json_values))
@settings(max_examples=300, deadline=None)
def test_canonical_form_agrees_with_the_separate_calls(value):
    found = canonical_form(value)
    assert found.text == canonical_json(value)
    plain = canonical_json_if_plain(value)
    assert found.as_given == (plain is not None)
    if found.as_given:
        assert orjson.loads(found.text) == value
    try:
        orjson.dumps(value)
    except TypeError:
        assert not found.orjson_writes
    else:
        assert found.orjson_writes
