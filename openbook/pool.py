"""Worker processes for a load's pure-CPU work (reviewing, compiling), started only when a
piece of work is big enough to repay starting them (about half a second each)."""

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor


class Pool:
    """A process pool started on first use; ``None`` from ``executor()`` means work inline."""

    def __init__(
        self, workers: int | None = None, from_bytes: int = 16 * 2**20, from_records: int = 2000
    ) -> None:
        self.size = workers or os.cpu_count() or 1
        self.from_bytes = from_bytes  # files at least this large are reviewed by the workers
        self.from_records = from_records  # compiles of at least this many records go to them
        self._executor: ProcessPoolExecutor | None = None

    def executor(self) -> Executor | None:
        if self.size < 2:
            return None
        if self._executor is None:
            # spawn, not fork: workers must not inherit this process's database connections.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(self.size, mp_context=context)
        return self._executor

    def for_input(self, size: int, warm_up: Callable[[], object]) -> Executor | None:
        """The workers, for an input of this many bytes; started at once, each running
        ``warm_up`` so that their start-up overlaps the loading process's reading."""
        if size < self.from_bytes:
            return None
        executor = self.executor()
        if executor is not None:
            for _ in range(self.size):
                executor.submit(warm_up)
        return executor

    def for_records(self, count: int) -> Executor | None:
        """The workers, for compiling this many records: started for that alone only when
        there are many; already running, for a tenth as many."""
        threshold = self.from_records if self._executor is None else self.from_records // 10
        return self.executor() if count >= threshold else None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
