"""The pipeline register's reading of a planning release (openbook.pipeline.expected_date):
which field says when the tender notice is expected, whatever shape real data gives it."""

import pytest

from openbook.pipeline import expected_date


@pytest.mark.parametrize(
    "release, expected",
    [
        (
            {"tender": {"communication": {"futureNoticeDate": "2026-03-01"}}},
            ("2026-03-01T00:00:00Z", "tender.communication.futureNoticeDate"),
        ),
        (  # an offset is turned into UTC
            {"tender": {"communication": {"futureNoticeDate": "2026-07-01T09:00:00+01:00"}}},
            ("2026-07-01T08:00:00Z", "tender.communication.futureNoticeDate"),
        ),
        (  # the earliest lot's, when the tender gives none
            {
                "tender": {
                    "lots": [
                        {"communication": {"futureNoticeDate": "2026-05-01"}},
                        {"communication": {"futureNoticeDate": "2026-04-01"}},
                        {"communication": "soon"},
                        "lot 3",
                    ]
                }
            },
            ("2026-04-01T00:00:00Z", "tender.lots.communication.futureNoticeDate"),
        ),
        (
            {"tender": {"tenderPeriod": {"startDate": "2099-01-01T00:00:00Z"}}},
            ("2099-01-01T00:00:00Z", "tender.tenderPeriod.startDate"),
        ),
        (  # the tender's own date comes before a planned period's
            {
                "tender": {
                    "communication": {"futureNoticeDate": "2026-03-01"},
                    "tenderPeriod": {"startDate": "2026-02-01"},
                }
            },
            ("2026-03-01T00:00:00Z", "tender.communication.futureNoticeDate"),
        ),
        ({"tender": {"communication": {"futureNoticeDate": "next spring"}}}, None),
        ({"tender": {"communication": {"futureNoticeDate": 20260301}}}, None),
        ({"tender": {"lots": "all", "tenderPeriod": []}}, None),
        ({"tender": "planned"}, None),
        ({}, None),
    ],
)
def test_the_expected_date_and_its_field(release, expected):
    assert expected_date(release) == expected
