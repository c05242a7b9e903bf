"""The JSON Canonicalization Scheme of RFC 8785, and the content hash built on it.

Every statement in the log is hashed over its canonical form (DESIGN.md, principle 1), so two
publishers, or a publisher and an auditor with any RFC 8785 library, get the same hash for the
same document whatever whitespace, key order or number spelling it arrived with.

How it is fast: one recursive walk replaces what orjson would write differently from RFC 8785
(floats, integers beyond 2**53) by ``orjson.Fragment`` values holding the ECMAScript spelling and
returns every untouched container as it was; then one ``orjson.dumps`` with ``OPT_SORT_KEYS``
writes the text. orjson's string escaping is already the one RFC 8785 section 3.2.2.2 asks for
(``\\b \\t \\n \\f \\r \\" \\\\`` in short form, other controls as lowercase ``\\u00xx``, everything
else raw, including ``/``, U+007F and U+2028). Its key order is code point order, which is the
UTF-16 code unit order of RFC 8785 section 3.2.3 unless a key holds a character above U+FFFF
(stored in UTF-16 as a surrogate pair, D800-DFFF, which sorts before E000-FFFF). Such characters
show in the output as a UTF-8 lead byte F0-F4, so only then is the text rebuilt, with those
dicts' members written in UTF-16 order. Documents nested deeper than orjson's writer allows
(254 levels) or than Python's recursion limit go through a slower iterative writer.

Faster still, and for most documents: one with no integer beyond 2**53, and no float that
orjson writes otherwise than ECMAScript (most BODS statements: strings, booleans, small
integers, shares such as 33.33), is already canonical as orjson writes it with sorted keys, and
the check for that is a plain walk of the types, without building anything, and a comparison of
each float's two spellings; whole floats within 2**53 (amounts such as ``603327.0``, which RFC
8785 writes ``603327`` and orjson ``603327.0``) are put in as integers for the writing and put
back after. ``canonical_form`` says which way the text was written, for a caller that would
otherwise read it back, or write the value again, to learn that (``_whole_floats``).
"""

import hashlib
import json
import math
import re
from typing import Any, NamedTuple

import orjson

__all__ = [
    "Canonical",
    "CanonicalizationError",
    "body_hash",
    "canonical_form",
    "canonical_json",
    "canonical_json_and_value",
    "canonical_json_if_plain",
    "number_text",
]

# Integers up to 2**53 are exact doubles and print the same in both worlds; beyond that RFC 8785
# (section 3.2.2.3) serialises the double the integer rounds to.
_EXACT = 2**53
# UTF-8 lead bytes of the characters above U+FFFF.
_ASTRAL_LEADS = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Exactly these types need nothing done (a container's members are walked on their own).
_PLAIN_TYPES = frozenset({str, bool, dict, list})


class CanonicalizationError(Exception):
    """The value cannot be written as RFC 8785 JSON; the message names the JSON path."""


def canonical_json(value) -> bytes:
    """Return the RFC 8785 canonical UTF-8 text of a JSON value (dict, list, str, int, float,
    bool, None). Raises CanonicalizationError for NaN, infinities, lone surrogates, non-string
    keys and other Python types."""
    whole = _whole_floats(value)
    if whole is not None:
        text = _sorted_text(value, whole)
        if text is not None:
            return text
    return _rebuilt_text(value)


class Canonical(NamedTuple):
    """``canonical_json(value)`` with what its writing found out about the value."""

    text: bytes
    # The text is orjson's with sorted keys of the value as it is (``canonical_json_if_plain``):
    # it reads back equal to the value, of the same types.
    as_given: bool
    # orjson writes the value as it is (``orjson.dumps`` does not raise): False for a value
    # nested deeper than orjson writes (254 levels), or holding what orjson refuses (an integer
    # beyond 64 bits, a float subclass, a key that is not a string, a lone surrogate).
    orjson_writes: bool


def canonical_form(value) -> Canonical:
    """``canonical_json(value)``, raising as it does, with whether the text is the value as
    given and whether orjson writes the value: one walk of the value where
    ``canonical_json_if_plain`` then ``canonical_json`` took two, and, for a value with whole
    floats (``25.0``), no second writing to learn whether orjson can write it."""
    whole = _whole_floats(value)
    if whole is not None:
        text = _sorted_text(value, whole)
        if text is not None:
            # orjson wrote it with its whole floats as integers, and writes any finite float.
            return Canonical(text, not whole, True)
    return Canonical(_rebuilt_text(value), False, _orjson_writes(value))


def _orjson_writes(value) -> bool:
    try:
        orjson.dumps(value)
    except TypeError:
        return False
    return True


def _rebuilt_text(value) -> bytes:
    """``canonical_json(value)`` for a value orjson does not write canonically as it is: numbers
    replaced (``_prepare``), dicts with keys above U+FFFF rebuilt, or the iterative writer."""
    try:
        text = orjson.dumps(_prepare(value, False), option=orjson.OPT_SORT_KEYS)
        if not text.isascii() and any(lead in text for lead in _ASTRAL_LEADS):
            text = orjson.dumps(_prepare(value, True), option=orjson.OPT_SORT_KEYS)
    except (RecursionError, TypeError, CanonicalizationError):
        # orjson raises TypeError (JSONEncodeError) for lone surrogates, non-string keys,
        # unknown types and nesting past its limit: the iterative writer handles deep documents
        # and finds the path of anything else.
        return _write_iteratively(value)
    return text


def canonical_json_and_value(value) -> tuple[bytes, Any]:
    """Return ``canonical_json(value)`` and the value read back from it (``orjson.loads``:
    what a reader of the log gets), the same as those two calls give, raising as they do."""
    text = canonical_json(value)
    return text, orjson.loads(text)


def canonical_json_if_plain(value) -> bytes | None:
    """``canonical_json(value)`` if orjson's text with sorted keys is it, else None: for a dict
    or list of strings, booleans, nulls, integers within 2**53 and floats that orjson writes as
    ECMAScript does (none of them whole: ``_whole_floats``), with no key above U+FFFF. Such a
    value reads back from the text equal to itself, of the same types, its dicts' keys sorted:
    a caller that writes it out again with sorted keys (``orjson.OPT_SORT_KEYS``) need not read
    it back."""
    whole = _whole_floats(value)
    return _sorted_text(value, whole) if whole == [] else None


def _sorted_text(value, whole: list[tuple[Any, Any, float]]) -> bytes | None:
    """orjson's text of ``value`` with sorted keys, the whole floats found by ``_whole_floats``
    written as integers (and put back after); None where orjson cannot write it (a key that is
    not a string, a lone surrogate, deep nesting) or a key above U+FFFF would be out of order."""
    for container, key, number in whole:
        container[key] = int(number)  # -0.0 too: RFC 8785 writes it 0
    try:
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    finally:
        for container, key, number in whole:
            container[key] = number
    if not text.isascii() and any(lead in text for lead in _ASTRAL_LEADS):
        return None
    return text


def _whole_floats(value) -> list[tuple[Any, Any, float]] | None:
    """Where a dict or list holds whole floats within 2**53, as (container, key or index,
    float), if it holds, at any depth, only dicts, lists, strings, booleans, None, integers within
    2**53 and floats (exactly those types, no subclasses), and its other floats are written by
    orjson as ECMAScript writes them (``_written_as_ecmascript``); None otherwise.

    The one walk of every value that canonical forms cost, so it is lean: it looks at values
    only, with dicts and lists on stacks of their own (no type test of a container), and
    goes back over a container's members, with their keys, only when it holds something other
    than a string, a boolean, None, a small integer or a container (amounts, mostly)."""
    kind = type(value)
    if kind is not dict and kind is not list:
        return None
    dicts = [value] if kind is dict else []
    lists = [value] if kind is list else []
    holding: list = []
    while dicts or lists:
        if dicts:
            container = dicts.pop()
            members = container.values()
        else:
            container = members = lists.pop()
        for item in members:
            kind = type(item)
            if kind is str:
                continue
            if kind is dict:
                dicts.append(item)
            elif kind is list:
                lists.append(item)
            elif kind is not bool and item is not None and not _small_int(kind, item):
                holding.append(container)
    return _held_floats(holding)


def _small_int(kind: type, item) -> bool:
    return kind is int and -_EXACT <= item <= _EXACT


def _held_floats(holding: list) -> list[tuple[Any, Any, float]] | None:
    """``_whole_floats`` of the containers its walk noted (once for each such member)."""
    floats: list[float] = []
    whole: list[tuple[Any, Any, float]] = []
    for container in {id(container): container for container in holding}.values():
        for key, item in container.items() if type(container) is dict else enumerate(container):
            kind = type(item)
            if kind is float:
                if item.is_integer() and -_EXACT <= item <= _EXACT:
                    whole.append((container, key, item))
                else:
                    floats.append(item)
            elif not (kind in _PLAIN_TYPES or item is None or _small_int(kind, item)):
                return None
    return whole if all(map(_written_as_ecmascript, floats)) else None


def _written_as_ecmascript(number: float) -> bool:
    """Whether orjson writes a float as ECMAScript's Number::toString does (RFC 8785 section
    3.2.2.3): a finite one that is not a whole number (orjson writes 50.0 as ``50.0``, RFC 8785
    as ``50``), whose shortest digits both lay out the same (``33.33``, not ``1e+21``)."""
    return (
        math.isfinite(number)
        and not number.is_integer()
        and orjson.dumps(number) == number_text(number).encode()
    )


def body_hash(value) -> str:
    """Return the hex SHA-256 of ``canonical_json(value)``: the content hash of a statement."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def number_text(number: float) -> str:
    """Return ECMAScript's Number::toString of a double (ECMA-262, section 6.1.6.1.20), as RFC
    8785 section 3.2.2.3 requires."""
    if not math.isfinite(number):
        raise CanonicalizationError(f"{number!r} is not a JSON number (RFC 8785 section 3.2.2.3)")
    if number == 0:
        return "0"  # also for -0.0
    # repr gives the shortest digits that round-trip, choosing the closest when several do: the
    # same digits as ECMAScript. Only the layout differs.
    text = repr(number)
    if "e" not in text:  # repr's fixed layout covers 1e-4 <= |x| < 1e16, inside ECMAScript's
        return text[:-2] if text.endswith(".0") else text
    mantissa, exponent = text.split("e")
    sign = ""
    if mantissa[0] == "-":
        sign, mantissa = "-", mantissa[1:]
    digits = mantissa.replace(".", "")
    k = len(digits)
    n = int(exponent) + 1  # the value is 0.digits * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    fraction = "." + digits[1:] if k > 1 else ""
    return f"{sign}{digits[0]}{fraction}e{'+' if n > 0 else '-'}{abs(n - 1)}"


def _number(number):
    """What to hand orjson for a float or an integer beyond 2**53."""
    if type(number) is not float:
        try:
            number = float(number)
        except OverflowError:
            message = "the integer is too large for a double (RFC 8785 section 3.2.2.3)"
            raise CanonicalizationError(message) from None
    if number.is_integer() and -_EXACT <= number <= _EXACT:
        return int(number)
    return orjson.Fragment(number_text(number))


def _prepare(value, astral_keys):
    """Return value with numbers made ECMAScript-exact, sharing every unchanged container.

    With astral_keys, dicts with a key above U+FFFF become fragments written in UTF-16 order.
    """
    kind = type(value)
    if kind is dict:
        return _prepare_object(value, astral_keys)
    if kind is list:
        return _prepare_array(value, astral_keys)
    if kind is str or kind is bool or value is None:
        return value
    if kind is float or (kind is int and not -_EXACT <= value <= _EXACT):
        return _number(value)
    if kind is int:
        return value
    raise CanonicalizationError  # subclasses and other types: the iterative writer decides


def _prepare_object(value: dict, astral_keys):
    if astral_keys and not all(type(key) is not str or _in_bmp(key) for key in value):
        return orjson.Fragment(_utf16_ordered_object(value))
    # Most containers hold nothing to change: scan first, copy only when needed, and never
    # prepare a child twice.
    change = _first_change(value.values(), astral_keys)
    if change is None:
        return value
    old, new = change
    copy = {}
    members = iter(value.items())
    for key, item in members:
        if item is old:
            copy[key] = new
            break
        copy[key] = item
    for key, item in members:
        copy[key] = _prepare(item, astral_keys)
    return copy


def _prepare_array(value: list, astral_keys):
    change = _first_change(value, astral_keys)
    if change is None:
        return value
    old, new = change
    copy = list(value)
    position = next(index for index, item in enumerate(value) if item is old)
    copy[position] = new
    for index in range(position + 1, len(value)):
        copy[index] = _prepare(value[index], astral_keys)
    return copy


def _first_change(items, astral_keys):
    """Return (item, replacement) for the first item that _prepare changes, or None."""
    for item in items:
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int and -_EXACT <= item <= _EXACT:
            continue
        new = _prepare(item, astral_keys)
        if new is not item:
            return item, new
    return None


def _in_bmp(key: str) -> bool:
    return key.isascii() or max(key) <= "\uffff"


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _utf16_ordered_object(value: dict) -> bytes:
    members = sorted(value.items(), key=lambda member: _utf16_key(member[0]))
    return b"{" + b",".join(orjson.dumps(k) + b":" + canonical_json(v) for k, v in members) + b"}"


def _write_iteratively(value) -> bytes:
    """The general writer: any depth, exact errors with their JSON path. Slower; used only when
    the fast path cannot write the value."""
    out: list[bytes] = []
    # Open containers: (iterator over the remaining (key or index, child), closing byte, path).
    stack: list[tuple] = []
    pending: list[tuple] = [(value, "$")]  # at most one value waiting to be written
    while pending or stack:
        if pending:
            item, path = pending.pop()
            opened = _write_value(item, path, out)
            if opened is not None:
                stack.append((*opened, path))
            continue
        children, closing, path = stack[-1]
        member = next(children, None)
        if member is None:
            stack.pop()
            out.append(closing)
            continue
        if out[-1] not in (b"{", b"["):
            out.append(b",")
        key, child = member
        if closing == b"}":
            child_path = _child_path(path, key)
            out.append(_string(key, child_path) + b":")
        else:
            child_path = f"{path}[{key}]"
        pending.append((child, child_path))
    return b"".join(out)


def _write_value(item, path: str, out: list[bytes]):
    """Append a scalar, or the opening of a container and return (children, closing byte)."""
    if isinstance(item, bool) or item is None:
        out.append(b"null" if item is None else b"true" if item else b"false")
    elif isinstance(item, str):
        out.append(_string(item, path))
    elif isinstance(item, int | float):
        try:
            out.append(orjson.dumps(_number(item)))
        except CanonicalizationError as error:
            raise CanonicalizationError(f"{path}: {error}") from None
    elif isinstance(item, dict):
        for key in item:
            if not isinstance(key, str):
                message = f"{path}: the key {key!r} is {_kind(key)}, not a string"
                raise CanonicalizationError(message)
        out.append(b"{")
        return iter(sorted(item.items(), key=lambda member: _utf16_key(member[0]))), b"}"
    elif isinstance(item, list):
        out.append(b"[")
        return iter(enumerate(item)), b"]"
    else:
        raise CanonicalizationError(f"{path}: {_kind(item)} is not a JSON value")
    return None


def _string(text: str, path: str) -> bytes:
    try:
        return orjson.dumps(str.__str__(text))
    except TypeError:
        surrogate = next(c for c in text if "\ud800" <= c <= "\udfff")
        raise CanonicalizationError(
            f"{path}: the string holds a lone surrogate U+{ord(surrogate):04X}, which is not "
            "Unicode text (RFC 8785 section 3.2.2.2)"
        ) from None


def _child_path(path: str, key: str) -> str:
    if _IDENTIFIER.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _kind(value) -> str:
    name = type(value).__name__
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"
