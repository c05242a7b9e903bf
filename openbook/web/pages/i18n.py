"""Interface text in English and Welsh: the language a reader chose, and the Welsh catalogue.

The catalogue is gettext ``.po`` files (openbook/web/locale/cy/*.po, one an area of the
interface), the format translators' tools read, loaded as they are: no compiled ``.mo`` to fall
out of step. English is the source
text. Every Welsh entry carries the flag ``needs-review`` until a professional translator has
checked it (issue 8; docs/welsh.md); an entry marked ``fuzzy`` is not used.

Notice content is shown in the reader's language where the publisher gave it, as OCDS language
variants (``title_cy`` beside ``title``): ``localised``.
"""

import ast
import contextvars
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openbook.standards.identifiers import Phrase

ENGLISH = "en"
WELSH = "cy"
LANGUAGES = {ENGLISH: "English", WELSH: "Cymraeg"}
COOKIE = "openbook_language"
CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "locale"
REVIEW_FLAG = "needs-review"

_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=ENGLISH)


def current() -> str:
    return _language.get()


def use(language: str) -> contextvars.Token:
    """Make ``language`` the current one (for this request or thread); returns what resets it."""
    return _language.set(language if language in LANGUAGES else ENGLISH)


def reset(token: contextvars.Token) -> None:
    _language.reset(token)


@dataclass(slots=True)
class Entry:
    """One message of a ``.po`` file."""

    msgid: str
    msgstr: str = ""
    msgid_plural: str = ""
    plurals: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


class CatalogueError(Exception):
    """A ``.po`` file that cannot be read: the file, line and why."""


def read_po(path: Path) -> list[Entry]:
    """The entries of a ``.po`` file (the header entry, msgid "", left out)."""
    entries: list[Entry] = []
    flags: set[str] = set()
    target: tuple[str, int | None] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if not entries or target is None:
                raise CatalogueError(f"{path}:{number}: a string continues nothing")
            _append(entries[-1], target, _unquote(line, path, number))
            continue
        keyword, _, rest = line.partition(" ")
        value = _unquote(rest, path, number) if keyword.startswith("msg") else ""
        if keyword == "msgid":
            entries.append(Entry(value, flags=flags, line=number))
            flags = set()
            target = ("msgid", None)
        elif not entries:
            raise CatalogueError(f"{path}:{number}: {keyword} before any msgid")
        else:
            target = _keyword(entries[-1], keyword, value, path, number)
    return [entry for entry in entries if entry.msgid]


def _keyword(
    entry: Entry, keyword: str, value: str, path: Path, number: int
) -> tuple[str, int | None]:
    """Set what ``keyword`` gives; returns where continuation strings go."""
    if keyword == "msgid_plural":
        entry.msgid_plural = value
        return ("msgid_plural", None)
    if keyword == "msgstr":
        entry.msgstr = value
        return ("msgstr", None)
    if keyword.startswith("msgstr[") and keyword.endswith("]") and keyword[7:-1].isdigit():
        index = int(keyword[7:-1])
        entry.plurals[index] = value
        return ("plural", index)
    raise CatalogueError(f"{path}:{number}: {keyword[:20]!r} is not a .po keyword")


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"'}
_ESCAPE = re.compile(r'\\(.)|(")')


def _unquote(text: str, path: Path, number: int) -> str:
    """A .po string's value: C's escapes for newline, tab, return, backslash and quote."""
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise CatalogueError(f"{path}:{number}: expected a quoted string")

    def unescape(match: re.Match) -> str:
        if match.group(2) or match.group(1) not in _ESCAPES:
            raise CatalogueError(
                f"{path}:{number}: the string is not well quoted ({match.group(0)!r} inside it)"
            )
        return _ESCAPES[match.group(1)]

    return _ESCAPE.sub(unescape, text[1:-1])


def _append(entry: Entry, target: tuple[str, int | None], text: str) -> None:
    kind, index = target
    if kind == "msgid":
        entry.msgid += text
    elif kind == "msgid_plural":
        entry.msgid_plural += text
    elif kind == "msgstr":
        entry.msgstr += text
    elif index is not None:
        entry.plurals[index] += text


@functools.cache
def catalogue(language: str) -> dict[str, Entry]:
    """The usable translations of a language: entries translated and not marked fuzzy."""
    if language == ENGLISH:
        return {}
    return {
        entry.msgid: entry
        for path in sorted((CATALOGUE_DIR / language).glob("*.po"))
        for entry in read_po(path)
        if "fuzzy" not in entry.flags and (entry.msgstr or entry.plurals)
    }


def gettext(message: str, **values: object) -> str:
    """``message`` in the current language; ``%(name)s`` placeholders filled from ``values``,
    a value that is a phrase (openbook.standards.identifiers.Phrase: a message of the domain,
    such as why an identifier is wrong) in the current language too."""
    entry = catalogue(current()).get(message)
    text = entry.msgstr if entry is not None and entry.msgstr else message
    return text % _rendered(values) if values else text


def said(phrase: Phrase | None) -> str:
    """A phrase of the domain (why an identifier is wrong, say) in the current language."""
    return phrase.render(template_gettext) if phrase is not None else ""


def rule_said(code: str, message: str) -> str:
    """A problem the publish checks found, as a page shows it: its own message in English, which
    names the values found; in another language the summary of its code translated (a notice
    rule's, openbook.standards.uk.rules, or a review code's, validate.SUMMARIES, or a publishing
    use case's refusal's, openbook.publishing.refusals), since the checks' messages are English
    text. A code without a summary: its message."""
    if current() != ENGLISH:
        summary = _summaries().get(code)
        if summary is not None and summary in catalogue(current()):
            return template_gettext(summary)
    return message


@functools.cache
def _summaries() -> dict[str, str]:
    from openbook.publishing import refusals
    from openbook.standards.ocds.validate import SUMMARIES
    from openbook.standards.uk.rules.table import RULES

    rules = {rule.code: rule.summary for rule in RULES}
    return {**refusals.SUMMARIES, **SUMMARIES, **rules}


def _rendered(values: dict[str, object]) -> dict[str, object]:
    return {
        name: value.render(template_gettext) if isinstance(value, Phrase) else value
        for name, value in values.items()
    }


def ngettext(singular: str, plural: str, count: int, **values: object) -> str:
    """The form for ``count``; ``%(num)s`` is the count. Welsh has six plural forms; the
    catalogue's header gives its rule (``welsh_plural``)."""
    entry = catalogue(current()).get(singular)
    values.setdefault("num", count)
    if entry is not None and entry.plurals:
        index = welsh_plural(count) if current() == WELSH else int(count != 1)
        text = entry.plurals.get(index) or entry.plurals.get(0) or singular
    else:
        text = singular if count == 1 else plural
    return text % _rendered(values)


def template_gettext(message: str) -> str:
    """For Jinja's newstyle ``_()``: the translated text, which Jinja fills itself."""
    entry = catalogue(current()).get(message)
    return entry.msgstr if entry is not None and entry.msgstr else message


def template_ngettext(singular: str, plural: str, count: int) -> str:
    """For Jinja's newstyle ``ngettext()``: the form for ``count``, which Jinja fills itself
    (``%(num)s`` and any other placeholders)."""
    entry = catalogue(current()).get(singular)
    if entry is not None and entry.plurals:
        index = welsh_plural(count) if current() == WELSH else int(count != 1)
        return entry.plurals.get(index) or entry.plurals.get(0) or singular
    return singular if count == 1 else plural


def welsh_plural(n: int) -> int:
    """The plural form of ``n`` in Welsh, as CLDR and gettext number them: 0 zero, 1 one, 2 two,
    3 few, 6 many, else other (nplurals=6)."""
    return {0: 0, 1: 1, 2: 2, 3: 3, 6: 4}.get(n, 5)


_ = gettext


def localised(value: dict, field_name: str) -> tuple[object, str]:
    """A notice field in the reader's language where the publisher gave it (OCDS language
    variants: ``title_cy`` beside ``title``), with the language it is in, for the ``lang``
    attribute. Publishers give English plainly; the Welsh variant is ``_cy``."""
    language = current()
    if language != ENGLISH:
        for key in (f"{field_name}_{language}", f"{field_name}_{language.upper()}"):
            if value.get(key) not in (None, ""):
                return value[key], language
    return value.get(field_name), ENGLISH


def interface_messages() -> dict[str, str]:
    """Every message the interface can show: those of the templates' ``_()`` calls and
    ``{% trans %}`` blocks and of ``_()`` in the pages' Python, each with where it first is."""
    from jinja2 import Environment

    root = CATALOGUE_DIR.parent
    extractor = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    found: dict[str, str] = {}
    for template in sorted((root / "templates").rglob("*.html")):
        source = template.read_text(encoding="utf-8")
        for line, _function, message in extractor.extract_translations(source):  # type: ignore[attr-defined]
            # A plural message is catalogued under its singular (its msgid).
            text = message[0] if isinstance(message, tuple) else message
            if isinstance(text, str):
                found.setdefault(text, f"{template.relative_to(root)}:{line}")
    for module in sorted(root.rglob("*.py")):  # the pages, and the web views that render
        for line, text in messages_in_python(module.read_text(encoding="utf-8")):
            found.setdefault(text, f"{module.relative_to(root)}:{line}")
    # The notice forms' questions and answer problems, which the publisher pages translate.
    from openbook.publishing import notice_forms

    for forms in sorted(Path(notice_forms.__file__).parent.glob("*.py")):
        source = forms.read_text(encoding="utf-8")
        for line, text in messages_in_python(source, ("AnswerProblem",)):
            found.setdefault(text, f"publishing/notice_forms/{forms.name}:{line}")
    for text in notice_forms.texts():
        found.setdefault(text, "publishing/notice_forms/")
    # Why an identifier is wrong, which pages show inside their own messages.
    from openbook.standards import identifiers

    source = Path(identifiers.__file__).read_text(encoding="utf-8")
    for line, text in messages_in_python(source, ("_Malformed", "_said", "_pattern")):
        found.setdefault(text, f"standards/identifiers.py:{line}")
    # The publish checks' summaries, which pages show in place of their English messages.
    for summary in _summaries().values():
        found.setdefault(summary, "the publish checks' summaries (i18n.rule_said)")
    return found


def messages_in_python(
    source: str, functions: tuple[str, ...] = ("_", "gettext", "ngettext")
) -> Iterator[tuple[int, str]]:
    """The literal messages of ``_("...")``, ``gettext("...")`` and ``ngettext(...)`` calls
    (or of other ``functions``) in Python source, for the catalogue check."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        if node.func.id not in functions:
            continue
        # A plural message (ngettext) is catalogued under its singular, its first argument.
        argument = node.args[0] if node.args else None
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            yield node.lineno, argument.value
