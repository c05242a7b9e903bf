"""Where each harvest is up to: a small JSON file under the data directory
(``harvest-state.json``), keyed by source address and, within it, by the database harvested into.

A harvest writes its position after each page's releases are committed, never before; so after
a crash it fetches at most one page again, whose releases the log recognises as duplicates.
"""

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from openbook.harvest.exceptions import HarvestError

FILE_NAME = "harvest-state.json"


class SavedState:
    """The saved position of one source's harvest into one database."""

    def __init__(self, path: Path, source: str, database: str) -> None:
        self.path = path
        self.source = source
        self.database = database

    def read(self) -> dict | None:
        with self._locked():
            return self._all().get(self.source, {}).get(self.database)

    def write(self, position: dict) -> None:
        self._change(
            lambda harvests: harvests.setdefault(self.source, {}).update({self.database: position})
        )

    def forget(self) -> None:
        self._change(lambda harvests: harvests.get(self.source, {}).pop(self.database, None))

    def _change(self, change: Callable[[dict], object]) -> None:
        with self._locked():
            harvests = self._all()
            change(harvests)
            harvests = {source: saved for source, saved in harvests.items() if saved}
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            temporary.write_bytes(
                orjson.dumps(
                    {"version": 1, "harvests": harvests},
                    option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS,
                )
            )
            # Atomic: a reader sees the old file or the new one, never half of one.
            temporary.replace(self.path)

    def _all(self) -> dict:
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, orjson.JSONDecodeError) as error:
            raise HarvestError(
                f"{self.path}: the harvest state cannot be read ({error}); mend or delete the "
                "file (deleting it makes every harvest start from the start)"
            ) from None
        harvests = data.get("harvests") if isinstance(data, dict) else None
        if not isinstance(harvests, dict):
            raise HarvestError(f"{self.path}: this is not a harvest state file; mend or delete it")
        return harvests

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # Harvests of other sources may run at the same time and share the file.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_name(f".{self.path.name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
