"""A process pool with its size, shared by a load's reviewing and compiling."""

from concurrent.futures import Executor
from dataclasses import dataclass


@dataclass(frozen=True)
class Pool:
    executor: Executor
    size: int  # worker processes: how many tasks keep them all busy
