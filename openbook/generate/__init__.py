"""Realistic UK-style OCDS releases for demos, tests and benchmarks (``openbook generate``).

Each contracting process follows the notice sequences of the Procurement Act 2023 as the Find a
Tender Service publishes them: the notice type travels in ``documents[].noticeType`` (UK1 to
UK12, see ``NOTICES``), each notice is one release, and an edited notice is a new release with a
new id and an ``...Update`` tag. Shapes (field coverage, sizes, value spreads) are calibrated on
the real publisher samples; ``docs/generator.md`` gives the figures and the limits.

Output is deterministic for ``(processes, seed, start)`` and streamed in publication order. Each
process is planned whole from its own seed (``timeline``); between its notices the generator
holds one integer for it (next publication time, process, step) and rebuilds the plan when that
notice is due, keeping only a bounded cache of plans, so memory stays flat however many
processes are asked for (``stream``). Each notice's release is built from the plan alone
(``notices``). ``write_jsonl`` splits large runs over worker processes and merges them back in
order (``writer``).
"""

from openbook.generate.notices import EXTENSIONS, NOTICES
from openbook.generate.stream import DEFAULT_START, generate_releases
from openbook.generate.thresholds import (
    FLOOR_CENTRAL,
    FLOOR_OTHER,
    THRESHOLD_CENTRAL,
    THRESHOLD_LIGHT_TOUCH,
    THRESHOLD_SUB_CENTRAL,
    THRESHOLD_UTILITIES,
    THRESHOLD_WORKS,
)
from openbook.generate.timeline import OCID_PREFIX
from openbook.generate.writer import GeneratorFailed, write_jsonl

__all__ = [
    "DEFAULT_START",
    "EXTENSIONS",
    "FLOOR_CENTRAL",
    "FLOOR_OTHER",
    "NOTICES",
    "OCID_PREFIX",
    "THRESHOLD_CENTRAL",
    "THRESHOLD_LIGHT_TOUCH",
    "THRESHOLD_SUB_CENTRAL",
    "THRESHOLD_UTILITIES",
    "THRESHOLD_WORKS",
    "GeneratorFailed",
    "generate_releases",
    "write_jsonl",
]
