"""The load's progress bar on a terminal (tqdm); silent when output is not a terminal."""

import sys
from pathlib import Path

from tqdm import tqdm

from openbook.load.loader import Progress


class Bar(Progress):
    def __init__(self) -> None:
        self._bar: tqdm | None = None
        self._position = 0
        # tqdm's own rule: disable=None turns the bar off when stderr is not a terminal.
        self._disable = None if sys.stderr.isatty() else True

    def start_file(self, path: Path, size: int) -> None:
        self.close()
        self._position = 0
        self._bar = tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            desc=path.name[:30],
            disable=self._disable,
            leave=False,
        )

    def advance(self, position: int) -> None:
        if self._bar is not None and position > self._position:
            self._bar.update(position - self._position)
            self._position = position

    def start_compile(self, total: int) -> None:
        self.close()
        self._bar = tqdm(
            total=total, unit=" processes", desc="compiling", disable=self._disable, leave=False
        )

    def compiled(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
