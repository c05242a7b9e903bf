"""Documents' file names: the name a publisher gives travels to everyone who downloads the file
(``Content-Disposition``) and into the public log, so a name that could mislead or harm is
refused with what to change, never silently rewritten. Pure.

A name is read as Unicode NFC with the spaces around it trimmed. It is refused if it has a path
(``/`` or ``\\``: a download would be saved outside the folder chosen), a control character or
an invisible formatting character (U+202E, right-to-left override, makes ``exe.pdf`` show as
``fdp.exe``), a character Windows cannot save in a name (``< > : " | ? *``), a name Windows
reserves (CON, NUL, COM1...), a leading dot (a hidden file) or a trailing dot or space, or is
longer than 255 bytes (most file systems' limit).
"""

import unicodedata

MAX_NAME_BYTES = 255
_WINDOWS_FORBIDDEN = '<>:"|?*'
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{n}" for n in range(1, 10)),
    *(f"lpt{n}" for n in range(1, 10)),
}


class NameRefused(Exception):
    """The file name cannot be used; the message says why and what to send instead."""


def checked(given: str) -> str:
    """The name as it will be kept. Raises ``NameRefused``."""
    name = unicodedata.normalize("NFC", given).strip()
    if not name:
        raise NameRefused(
            "the file name is empty: give the document's name, such as 'contract.pdf'"
        )
    for separator in ("/", "\\"):
        if separator in name:
            last = name.replace("\\", "/").rsplit("/", 1)[-1]
            raise NameRefused(
                f"the file name {_shown(name)} has a path in it ({separator!r}): send the name "
                f"alone, such as {_shown(last or 'contract.pdf')}"
            )
    for position, character in enumerate(name):
        category = unicodedata.category(character)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            what = "a control character" if category == "Cc" else "an invisible character"
            raise NameRefused(
                f"the file name has {what} (U+{ord(character):04X}, "
                f"{unicodedata.name(character, 'unnamed')}) at position {position + 1}: such "
                "characters can hide what a name really says; send the name without it"
            )
        if character in _WINDOWS_FORBIDDEN:
            raise NameRefused(
                f"the file name {_shown(name)} has the character {character!r}, which Windows "
                f"cannot save in a file name (none of {' '.join(_WINDOWS_FORBIDDEN)}): send the "
                "name without it"
            )
    if name.startswith("."):
        raise NameRefused(
            f"the file name {_shown(name)} begins with a dot, which hides a file on many "
            "systems: send the name without it"
        )
    if name.endswith((".", " ")):
        raise NameRefused(
            f"the file name {_shown(name)} ends with a dot or a space, which Windows drops: "
            "end it with its extension, such as '.pdf'"
        )
    if name.split(".", 1)[0].strip().lower() in _WINDOWS_RESERVED:
        raise NameRefused(
            f"the file name {_shown(name)} is a name Windows reserves for devices: choose "
            "another, such as 'contract.pdf'"
        )
    if len(name.encode()) > MAX_NAME_BYTES:
        raise NameRefused(
            f"the file name is {len(name.encode()):,} bytes long in UTF-8; the most is "
            f"{MAX_NAME_BYTES}: send a shorter name"
        )
    return name


def _shown(name: str) -> str:
    return repr(name if len(name) <= 80 else f"{name[:60]}...{name[-15:]}")
