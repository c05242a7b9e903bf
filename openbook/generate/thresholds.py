"""Procurement Act 2023 thresholds: which contracts are above threshold, which are published."""

from __future__ import annotations

# Thresholds including VAT, in force from 1 January 2024 and taken into Schedule 1 to the
# Procurement Act 2023; later revisions are not applied.
THRESHOLD_WORKS = 5_372_609
THRESHOLD_CENTRAL = 139_688
THRESHOLD_SUB_CENTRAL = 214_904
THRESHOLD_UTILITIES = 429_809
THRESHOLD_LIGHT_TOUCH = 663_540
# Below these values a contract is not a regulated below-threshold contract and nothing has to be
# published: £12,000 for central government, £30,000 otherwise, both including VAT.
FLOOR_CENTRAL = 12_000
FLOOR_OTHER = 30_000
# CPV divisions of services under the light-touch regime
LIGHT_TOUCH_DIVISIONS = ("85", "80", "55", "79")  # health, social, education, catering and more

_CENTRAL = "publicAuthorityCentralGovernment"


def floor(ca_type: str) -> int:
    """The value, including VAT, below which a buyer of this UK_CA_TYPE publishes nothing."""
    return FLOOR_CENTRAL if ca_type == _CENTRAL else FLOOR_OTHER


def threshold(category: str, light_touch: bool, ca_type: str) -> int:
    """The threshold, including VAT, at or above which a contract is above threshold."""
    if category == "works":
        return THRESHOLD_WORKS
    if light_touch:
        return THRESHOLD_LIGHT_TOUCH
    if ca_type in ("publicUndertaking", "privateUtility"):
        return THRESHOLD_UTILITIES
    return THRESHOLD_CENTRAL if ca_type == _CENTRAL else THRESHOLD_SUB_CENTRAL
