"""The files the loading commands read (spending files, contracts registers, grants files):
read whole, once their size is known to be within what such a file can be, so that a mistaken
path to a disk image is refused at once rather than read into memory."""

from pathlib import Path

from openbook.standards.spend.text import MAX_FILE_BYTES, FileRefused


def read_within_limit(path: Path, what: str, advice: str = "") -> bytes:
    """The file's bytes; ``FileRefused`` if it cannot be read or is larger than
    ``MAX_FILE_BYTES`` (saying what such a file is, ``what``, and the ``advice``: ": split it
    by month")."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileRefused(
                f"the file is {size:,} bytes; {what} is at most "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB{advice}"
            )
        return path.read_bytes()
    except OSError as error:
        raise FileRefused(f"cannot be read: {error.strerror}") from None
