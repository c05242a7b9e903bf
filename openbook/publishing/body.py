"""Reading a publish request's JSON strictly: every way a body can be unreadable gets its own
precise error, and nothing a reader could take two ways is accepted. Pure.

Stricter than the loader, which must read the world's files as they are; a publisher sending to
the API can be told exactly what to fix:

- the body must be UTF-8 (RFC 8259 section 8.1), without a byte order mark;
- JSON syntax errors are given with their line and column;
- a name repeated in one object is refused: RFC 8259 section 4 leaves its meaning open (parsers
  keep the first, or the last, or fail), so the platform and a reader of the published JSON
  could disagree on what was published;
- numbers must fit a double (RFC 8259 section 6; RFC 8785 hashes numbers as doubles): ``1e9999``
  is refused, as are NaN and Infinity, which are not JSON;
- nesting is at most ``MAX_DEPTH`` levels: a release package is about ten deep.
"""

import json
import math
from typing import Any

MAX_DEPTH = 64
# Beyond the largest double (about 1.8e308) an integer cannot be hashed as RFC 8785 asks.
_MOST_DIGITS = 308


class BodyError(Exception):
    """A body that cannot be read as JSON: ``code`` is stable, the message says where and why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse(body: bytes) -> Any:
    if not body.strip():
        raise BodyError(
            "body-empty", "the request has no body: send a release or a release package"
        )
    if body.startswith(b"\xef\xbb\xbf"):
        raise BodyError(
            "body-not-utf8", "the body starts with a byte order mark: send UTF-8 without one"
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        raise BodyError(
            "body-not-utf8",
            f"the body is not UTF-8: byte {error.start} (line {line}) is "
            f"0x{body[error.start]:02x}, which cannot begin or continue a UTF-8 character; "
            "send the JSON as UTF-8",
        ) from None
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object,
            parse_float=_float,
            parse_int=_int,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as error:
        raise BodyError(
            "body-not-json",
            f"the body is not valid JSON: {error.msg.lower()} at line {error.lineno}, column "
            f"{error.colno} (character {error.pos})",
        ) from None
    except RecursionError:
        raise BodyError("body-too-deep", _too_deep()) from None
    if _deeper_than(value, MAX_DEPTH):
        raise BodyError("body-too-deep", _too_deep())
    return value


def _too_deep() -> str:
    return (
        f"the body is nested more than {MAX_DEPTH} levels deep; an OCDS release package is "
        "about ten levels deep"
    )


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        repeated = ""
        for name, _ in pairs:
            if name in seen:
                repeated = name
                break
            seen.add(name)
        names = ", ".join(repr(name[:40]) for name, _ in pairs[:8])
        raise BodyError(
            "body-duplicate-key",
            f"the name {repeated[:80]!r} appears more than once in one object (whose names "
            f"begin {names}); JSON readers disagree on which value counts, so each name may "
            "appear once in an object",
        )
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyError("body-number-out-of-range", _out_of_range(text))
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > _MOST_DIGITS:
        raise BodyError("body-number-out-of-range", _out_of_range(text))
    return int(text)


def _constant(text: str) -> Any:
    raise BodyError(
        "body-not-json",
        f"{text} is not a JSON value (JSON has no NaN or Infinity): leave the field out instead",
    )


def _out_of_range(text: str) -> str:
    shown = text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} characters)"
    return (
        f"the number {shown} is too large: numbers must fit a double-precision number (at most "
        "about 1.8e308 either way), as RFC 8785 hashes them"
    )


def _deeper_than(value: Any, most: int) -> bool:
    """Whether ``value`` nests more than ``most`` levels, read a level at a time: a release
    package of 100 holds some 100,000 objects and arrays, and a step per level (rather than
    per node, as a walk makes) keeps this to a fraction of the parse."""
    level = [value] if type(value) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        if depth > most:
            return True
        below: list[Any] = []
        for node in level:
            children = node.values() if type(node) is dict else node
            below.extend([child for child in children if type(child) in _CONTAINERS])
        level = below
    return False


# What parse gives: json builds plain dicts and lists (and _object, plain dicts).
_CONTAINERS = (dict, list)
