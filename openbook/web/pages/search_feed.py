"""A search's newest notices as an Atom 1.0 feed (RFC 4287), for feed readers: one entry a
contracting process, linking to its page. Built as an XML tree, so that every text is escaped;
characters XML 1.0 cannot hold (control characters a publisher let through) are left out."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime

from openbook.store.search import Found
from openbook.web.pages import formats, i18n, search_form
from openbook.web.pages.i18n import _

ATOM = "application/atom+xml; charset=utf-8"
NAMESPACE = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# What XML 1.0 allows in a document (its production Char).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def atom(
    items: Sequence[Found],
    *,
    self_url: str,
    page_url: str,
    entry_url: Callable[[str], str],
    translated: Collection[str] = (),
) -> bytes:
    """The feed of these processes (newest first): its id and ``self`` link the feed's own
    address, its ``alternate`` the search page; each entry's id and link its process page.
    ``translated``: the ocids whose title is in the feed's language; the others' titles are in
    English, and say so (``xml:lang``) in a feed in another language."""
    ET.register_namespace("", NAMESPACE)
    feed = ET.Element(_name("feed"), {_XML_LANG: i18n.current()})
    _text(feed, "id", self_url)
    _text(feed, "title", _("Contracting processes found by a search – Open contracting"))
    _text(feed, "subtitle", _("The newest contracting processes that match the search"))
    instants = [_instant(item) for item in items]
    _text(feed, "updated", max(filter(None, instants), default=None) or _now())
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, page_url, "alternate", "text/html")
    author = ET.SubElement(feed, _name("author"))
    _text(author, "name", _("Open contracting"))
    for item, instant in zip(items, instants, strict=True):
        entry = ET.SubElement(feed, _name("entry"))
        address = entry_url(item.ocid)
        _text(entry, "id", address)
        _text(entry, "title", item.title or item.ocid)
        # An English title in a feed in Welsh says it is English (issue 8).
        if item.title and item.ocid not in translated and i18n.current() != i18n.ENGLISH:
            entry.find(_name("title")).set(_XML_LANG, i18n.ENGLISH)  # type: ignore[union-attr]
        _text(entry, "updated", instant or _now())
        if instant:
            _text(entry, "published", instant)
        _link(entry, address, "alternate", "text/html")
        _text(entry, "summary", summary(item))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


def summary(item: Found) -> str:
    """A line on the process: its buyer, value, stage and the ocid."""
    stages = search_form.code_labels()["stage"]
    parts = [
        item.buyer_name or _("Buyer not named"),
        formats.money(item.value_amount, item.value_currency),
        _("Stage: %(stage)s", stage=stages.get(item.stage, item.stage)) if item.stage else "",
        item.ocid,
    ]
    return " · ".join(part for part in parts if part)


def _name(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, _name(tag)).text = _NOT_XML.sub("", text)


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, _name("link"), {"rel": rel, "type": kind, "href": _NOT_XML.sub("", href)})


def _instant(item: Found) -> str | None:
    """When the process was first published, as RFC 3339 (a date alone is its first moment)."""
    text = item.published
    if not text:
        return None
    return f"{text}T00:00:00Z" if len(text) == 10 else text


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
