"""The values of spending files' cells (openbook.standards.spend.values): amounts, dates,
suppliers, transaction numbers, each refused with a message that says what and why."""

from datetime import date
from decimal import Decimal

import pytest

from openbook.standards.spend import values
from openbook.standards.spend.values import DAY_FIRST, MONTH_FIRST, DateStyle, ValueProblem


@pytest.mark.parametrize(
    ("cell", "amount", "currency"),
    [
        ("1234.56", "1234.56", None),
        ("1,234.56", "1234.56", None),
        ("£1,234.56", "1234.56", "GBP"),
        (" £ 12 ", "12", "GBP"),
        ("(1,234.56)", "-1234.56", None),
        ("(£1,234.56)", "-1234.56", "GBP"),
        ("£(12.00)", "-12.00", "GBP"),
        ("1234.56-", "-1234.56", None),
        ("-£12.50", "-12.50", "GBP"),
        ("£-12.50", "-12.50", "GBP"),
        ("\u221212.50", "-12.50", None),  # the minus sign
        ("12.00 CR", "-12.00", None),
        ("12.00 DR", "12.00", None),
        ("GBP 1,000", "1000", "GBP"),
        ("1000 EUR", "1000", "EUR"),
        ("€99", "99", "EUR"),
        (".5", "0.5", None),
        ("0", "0", None),
        ("12,345,678.9", "12345678.9", None),
    ],
)
def test_amounts_in_the_forms_files_write_them(cell, amount, currency):
    assert values.amount(cell) == (Decimal(amount), currency)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("", "the amount is empty"),
        ("abc", "'abc' is not an amount"),
        ("12,34", "'12,34' is not an amount"),
        ("1.234,56", "written with a decimal comma"),
        ("--12", "it has two signs"),
        ("(12)-", "'(12)-' is not an amount"),
        ("=SUM(A1:A9)", "'=SUM(A1:A9)' is not an amount"),
        ("1e5", "'1e5' is not an amount"),
        ("12345678901234567.5", "more than 15 significant digits"),
        ("NaN", "'NaN' is not an amount"),
    ],
)
def test_what_is_not_an_amount_is_refused_with_why(cell, message):
    with pytest.raises(ValueProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        values.amount(cell)


DAY = DateStyle(DAY_FIRST, "as given")
UNSETTLED = DateStyle(None, "no date in the file shows the order")


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2022-04-01", date(2022, 4, 1)),
        ("2022-04-01T00:00:00", date(2022, 4, 1)),
        ("2022-04-01 13:45:00", date(2022, 4, 1)),
        ("2022/4/1", date(2022, 4, 1)),
        ("01/04/2022", date(2022, 4, 1)),
        ("1.4.22", date(2022, 4, 1)),
        ("01-04-2022 00:00", date(2022, 4, 1)),
        ("01-Apr-2022", date(2022, 4, 1)),
        ("1 April 2022", date(2022, 4, 1)),
        ("1st Apr 22", date(2022, 4, 1)),
        ("Friday, April 29, 2022", date(2022, 4, 29)),
        ("April 29, 2022", date(2022, 4, 29)),
        ("Friday 29 April 2022", date(2022, 4, 29)),
        ("1-Sept-2022", date(2022, 9, 1)),
        ("44652", date(2022, 4, 1)),  # an Excel day number
    ],
)
def test_dates_in_the_forms_files_write_them(cell, day):
    assert values.payment_date(cell, DAY) == day


@pytest.mark.parametrize(
    ("cell", "style", "message"),
    [
        ("03/04/2022", UNSETTLED, "could be 3 April 2022 or 4 March 2022"),
        ("25/04/2022", UNSETTLED, "reads only as day/month/year"),
        ("04/25/2022", DAY, "not a date in the file's order, day/month/year"),
        ("31/02/2022", DAY, "not a real date"),
        ("Thursday, April 29, 2022", DAY, "contradicts itself: 2022-04-29 is a Friday"),
        ("1 Avril 2022", DAY, "'avril' is not the name of a month"),
        ("00001", DAY, "a payment date is between 1980 and 2100"),
        ("next Tuesday", DAY, "is not a date"),
        ("", DAY, "the date is empty"),
    ],
)
def test_dates_that_cannot_be_read_surely_are_refused(cell, style, message):
    with pytest.raises(ValueProblem, match=message):
        values.payment_date(cell, style)


def test_a_day_and_month_alike_need_no_order():
    assert values.payment_date("04/04/2022", UNSETTLED) == date(2022, 4, 4)


def test_the_files_own_dates_settle_the_order():
    day_first = values.date_style([(2, "01/04/2022"), (3, "25/04/2022"), (4, "2022-04-02")])
    assert day_first.order == DAY_FIRST and "row 3: 25/04/2022" in day_first.description
    month_first = values.date_style([(2, "04/25/2022")])
    assert month_first.order == MONTH_FIRST
    assert values.payment_date("04/01/2022", month_first) == date(2022, 4, 1)
    unsettled = values.date_style([(2, "01/04/2022"), (3, "2022-04-30")])
    assert unsettled.order is None
    given = values.date_style([(2, "25/04/2022")], MONTH_FIRST)
    assert given.order == MONTH_FIRST and given.evidence == "as given"


def test_a_file_whose_dates_contradict_each_other_has_none_trusted():
    style = values.date_style([(2, "25/04/2022"), (7, "04/26/2022")])
    assert style.conflict == "row 2: 25/04/2022; row 7: 04/26/2022"
    with pytest.raises(ValueProblem, match="in two orders"):
        values.payment_date("25/04/2022", style)


@pytest.mark.parametrize(
    "cell",
    [
        "Redacted Personal Information",
        "REDACTED PERSONAL DATA",
        "Redacted",
        "Personal Data",
        "Name withheld",
        "Private Individual",
        "Individual",
    ],
)
def test_withheld_names_stay_withheld(cell):
    assert values.supplier(cell) == {"redacted": True, "asPublished": cell}


def test_a_supplier_is_kept_as_written_and_never_evaluated():
    formula = "=cmd|' /C calc'!A0"
    assert values.supplier(formula) == {"name": formula}
    assert values.supplier("  ACME   Ltd ") == {"name": "ACME Ltd"}
    assert values.supplier("Confidential Shredding Ltd") == {"name": "Confidential Shredding Ltd"}
    with pytest.raises(ValueProblem, match="empty"):
        values.supplier("  ")


def test_transaction_numbers():
    assert values.transaction_number(" 5105788808 ") == "5105788808"
    assert values.transaction_number("N/A") is None
    assert values.transaction_number("") is None
    with pytest.raises(ValueProblem, match="scientific notation"):
        values.transaction_number("5.10579E+09")


def test_totals_labels():
    assert values.is_totals("Grand Total") and values.is_totals("Sub-total")
    assert values.is_totals("TOTAL") and not values.is_totals("Totally Local Ltd")
