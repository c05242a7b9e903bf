"""Worker processes for a load's pure-CPU work (reviewing, compiling), started only when a
piece of work is big enough to repay starting them."""

import copyreg
import ctypes
import dataclasses
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from operator import attrgetter


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
            # fork, not spawn: a worker starts with this process's modules already imported
            # (spawn re-imports them, half a second of CPU each). The database connections it
            # inherits it never uses, nor closes: its work is pure CPU, and it ends by
            # os._exit, so no finaliser touches them either. It ends with this process too.
            context = multiprocessing.get_context("fork")
            self._executor = ProcessPoolExecutor(
                self.size, mp_context=context, initializer=_end_with, initargs=(os.getpid(),)
            )
        return self._executor

    def for_input(self, size: int, warm_up: Callable[[], object]) -> Executor | None:
        """The workers, for an input of this many bytes; started at once, each running
        ``warm_up`` so that their start-up overlaps the loading process's reading."""
        if size < self.from_bytes:
            return None
        executor = self.executor()
        if executor is not None:
            for _ in range(self.size):
                submitted(executor, warm_up)
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


def submitted(executor: Executor, work: Callable, *arguments: object) -> Future:
    """``executor.submit``, but a pool already broken (a worker ended abruptly: killed by the
    machine's out-of-memory killer, say) gives a future holding its BrokenProcessPool rather
    than raising it: a caller learns of it where it takes the results, in the order handed,
    and so keeps every result that came back before."""
    try:
        return executor.submit(work, *arguments)
    except BrokenProcessPool as broken:
        future: Future = Future()
        future.set_exception(broken)
        return future


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with(parent: int) -> None:
    """Run first in each worker: end it when the loading process ends, however that ends.

    A forked worker holds copies of its parent's descriptors, the other end of its own work
    queue among them, so a parent killed outright (SIGKILL, the machine's out-of-memory killer)
    would leave it waiting for work for ever, holding the parent's database connection open.
    On Linux the kernel sends it SIGKILL the moment its parent ends; elsewhere a thread looks
    twice a second."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # it ended before the request was made
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def pickle_by_values(*classes: type) -> None:
    """Pickle these dataclasses as their class and their values in field order, rebuilt by
    calling the class. What a worker hands back crosses to the loading process
    pickled: a frozen dataclass with slots is otherwise pickled by functions that list its
    fields again for every object, which made the compile's summaries (every process's
    Summary with its Mentions) cost the workers 1.5 and the loading process 1 CPU second at
    100,000 releases; this way, half."""
    for cls in classes:
        copyreg.pickle(cls, _by_values(cls))


def _by_values(cls: type) -> Callable[[object], tuple[type, tuple]]:
    values = attrgetter(*(field.name for field in dataclasses.fields(cls)))
    return lambda item: (cls, values(item))


@contextmanager
def few_collections() -> Iterator[None]:
    """Fewer runs of the cyclic garbage collector while a load runs (OCDS and BODS). A
    statement as read is a dozen dicts and lists, each counted by CPython's collector: with its
    usual thresholds (700, 10, 10) it walked its youngest generation every 50 or so statements
    and, as a batch's statements outlive those walks, the whole heap (every object Django and
    the modules hold) every few batches: a quarter of a BODS load's CPU time, a tenth of an
    OCDS load's loading process (docs/performance.md). Here the objects allocated before the
    load are frozen (never walked again) and the young generation is walked every 100,000
    allocations rather than 700; the older ones as usual (every 10 walks of the one before).
    Statements, releases and their reviews hold no reference cycles: they are freed by
    reference counting, as ever, so memory does not grow. Workers forked inside start with
    the same settings."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
