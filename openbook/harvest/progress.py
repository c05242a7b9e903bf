"""The harvest's progress on a terminal (tqdm): pages and releases; silent when not a terminal."""

import sys
from urllib.parse import urlsplit

from tqdm import tqdm

from openbook.harvest.report import HarvestReport


class Bar:
    def __init__(self, endpoint: str) -> None:
        # tqdm's own rule: disable=None turns the bar off when stderr is not a terminal.
        disable = None if sys.stderr.isatty() else True
        self._bar = tqdm(
            unit=" pages", desc=urlsplit(endpoint).netloc[:30], disable=disable, leave=False
        )

    def __call__(self, report: HarvestReport) -> None:
        self._bar.update(report.pages - self._bar.n)
        totals = report.totals
        self._bar.set_postfix_str(
            f"{totals['read']:,} releases, {totals['loaded']:,} new", refresh=False
        )

    def close(self) -> None:
        self._bar.close()
