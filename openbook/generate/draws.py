"""Seeded draws: uniform numbers made into choices, spreads and stable noise.

Every number the generator uses comes from a ``random.Random`` seeded by the run's seed and a
process key, or from ``noise`` of integers, so a run is reproducible piece by piece.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

_MASK64 = (1 << 64) - 1


def pick(draw: Callable[[], float], choices: Sequence[T]) -> T:
    return choices[int(draw() * len(choices))]


def lognormal(draw: Callable[[], float], median: float, sigma: float) -> float:
    """``median * e**(sigma * Z)`` with Z standard normal (Box-Muller from two uniform draws)."""
    normal = math.sqrt(-2.0 * math.log(1.0 - draw())) * math.cos(2.0 * math.pi * draw())
    return median * math.exp(sigma * normal)


def round_estimate(draw: Callable[[], float], amount: float) -> float:
    """Estimates are mostly round figures (as in the Contracts Finder sample); some are exact."""
    if draw() < 0.7:
        digits = 2 if draw() < 0.6 else 3
        scale = 10 ** max(0, int(math.log10(amount)) + 1 - digits)
        return float(round(amount / scale) * scale)
    return float(round(amount))


def _mix(*values: int) -> int:
    """A stable 64-bit number from integers (SplitMix64's mixing), cheaper than seeding a Random."""
    acc = 0
    for value in values:
        acc = ((acc ^ value) + 0x9E3779B97F4A7C15) & _MASK64
        acc = ((acc ^ (acc >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        acc = ((acc ^ (acc >> 27)) * 0x94D049BB133111EB) & _MASK64
    return acc ^ (acc >> 31)


def noise(*values: int) -> float:
    """A stable number in [0, 1) from integers."""
    return (_mix(*values) >> 11) / 9_007_199_254_740_992
