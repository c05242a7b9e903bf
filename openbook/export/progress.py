"""The export's progress bar on a terminal (tqdm); silent when output is not a terminal."""

import sys

from tqdm import tqdm

from openbook.export.snapshot import Progress


class Bar(Progress):
    def __init__(self) -> None:
        self._bar: tqdm | None = None
        # tqdm's own rule: disable=None turns the bar off when stderr is not a terminal.
        self._disable = None if sys.stderr.isatty() else True

    def stage(self, name: str, total: int | None = None) -> None:
        self.close()
        self._bar = tqdm(total=total, desc=name, disable=self._disable, leave=False)

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
