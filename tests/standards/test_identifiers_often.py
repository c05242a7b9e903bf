"""``check_often``: ``check``, remembered for identifiers met again and again, answers as
``check`` does, for text, numbers and None alike, and for what it does not remember."""

import pytest

from openbook.standards.identifiers import check, check_often

VALUES = [
    ("GB-COH", "01234567"),
    ("GB-COH", "1234567"),
    ("gb-coh ", " 01234567 "),
    ("GB-COH", 1234567),
    ("GB-COH", "N/A"),
    ("GB-COH", ""),
    ("GB-COH", None),
    (None, "01234567"),
    ("", ""),
    ("VAT", "GB 123 4567 89"),
    ("XI-EXAMPLE", " A b "),
    ("GB-COH", True),  # a bool is not a number here, and is not remembered as one
    ("GB-COH", 1234567.0),
    ("GB-COH", ["01234567"]),  # unhashable: checked, not remembered
    ({"scheme": "GB-COH"}, "01234567"),
    (7, "01234567"),
]


@pytest.mark.parametrize(("scheme", "id_"), VALUES)
def test_check_often_answers_as_check(scheme, id_):
    expected = check(scheme, id_)
    assert check_often(scheme, id_) == expected
    assert check_often(scheme, id_) == expected  # the second time, remembered


def test_true_and_one_are_told_apart():
    assert check_often("GB-COH", 1) == check("GB-COH", 1)
    assert check_often("GB-COH", True) == check("GB-COH", True)
    assert check("GB-COH", 1) != check("GB-COH", True)
