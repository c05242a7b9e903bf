"""Putting a finished snapshot in place of the previous one, atomically.

The new snapshot is written into a temporary directory beside the target (the same file system),
then the two directories are exchanged in one step with Linux's ``renameat2(RENAME_EXCHANGE)``:
a reader sees the whole previous snapshot or the whole new one, never a mixture and never
nothing. Where the exchange is not available (another kernel, a file system without it), the
previous snapshot is renamed aside and the new one renamed in: two steps, with a moment in which
the directory is missing (a reader then gets "no snapshot yet" and tries again), but never a
half-written snapshot.
"""

import ctypes
import errno
import os
import shutil
from pathlib import Path

RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100  # fcntl.h


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths atomically; False if this system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def replace_directory(new: Path, target: Path) -> None:
    """Put ``new`` where ``target`` is (or create it), then remove the previous contents."""
    if not target.exists():
        new.rename(target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)  # now the previous snapshot
        return
    aside = new.with_name(new.name + ".previous")
    target.rename(aside)
    new.rename(target)
    shutil.rmtree(aside)
