"""Titles and descriptions, as long and as varied as those in the real notices."""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist
from typing import TYPE_CHECKING

from openbook.generate.draws import pick
from openbook.generate.vocabulary import SENTENCES, SITES, TITLE_PATTERNS

if TYPE_CHECKING:
    from openbook.generate.timeline import Process


def title(draw: Callable[[], float], process: Process, arrival: int) -> str:
    name = process.cpv[0][1].split(",")[0].split(":")[0]
    year = 1970 + arrival // 31_557_600 + (draw() < 0.3)
    text = pick(draw, TITLE_PATTERNS[process.category]).format(
        cpv=name,
        place=process.buyer.place[0],
        site=pick(draw, SITES),
        year=year,
        year2=year + 1 + int(draw() * 3),
    )
    return text + " Framework" if process.framework and "Framework" not in text else text


def description(process: Process) -> str:
    """A description as long as those in the Contracts Finder sample (median about 800 characters).

    A specific first sentence, then sentences of the category's pool from a drawn start and
    stride; the joined tails are shared between processes.
    """
    target, start, stride = process.wording
    name = process.cpv[0][1].split(",")[0].split(":")[0].lower()
    if process.parent is not None:
        how = "after a further competition" if start % 2 else "directly"
        first = (
            f"Call-off contract awarded {how} under the framework agreement "
            f"'{process.parent.title}' ({process.parent.ocid}) for {name}."
        )
        target = 200 + target // 4
    else:
        what = "a framework agreement for" if process.framework else "a contract for"
        first = f"{process.buyer.name} is seeking suitably qualified suppliers for {what} {name}."
    pool, lengths = _POOLS[process.category]
    size = len(pool)
    start %= size
    length, count = len(first), 0
    while length < target and count < size:
        length += lengths[(start + count * stride) % size]
        count += 1
    if not count:
        return first
    key = (process.category, start, stride, count)
    tail = _TAILS.get(key)
    if tail is None:
        tail = _TAILS[key] = " ".join(pool[(start + i * stride) % len(pool)] for i in range(count))
    return f"{first} {tail}"


def wording(draw: float) -> tuple[int, int, int]:
    """Target length, first sentence and stride of a description, from one uniform draw.

    Contracts Finder: a tenth are a line or two; the rest log-normal around 850 characters.
    """
    if draw < 0.12:
        target = 60 + 1200 * draw
    else:
        target = 850 * math.exp(0.35 * _PROBIT((draw - 0.12) / 0.88 * 0.998 + 0.001))
    bits = int(draw * 1e9)
    return int(target), bits % 97, 1 + 2 * (bits // 97 % 3)  # strides 1, 3, 5: coprime with pools


_POOLS = {
    category: (pool, [len(sentence) + 1 for sentence in pool])
    for category in ("works", "goods", "services")
    for pool in [SENTENCES[category] + SENTENCES["any"]]
}
_PROBIT = NormalDist().inv_cdf
_TAILS: dict[tuple[str, int, int, int], str] = {}
