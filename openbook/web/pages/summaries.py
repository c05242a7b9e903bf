"""What the pages show of a process in a list (search results, the home page's newest, an
organisation's notices): the same dict in the HTML and the JSON twin; its title in the reader's
language where the publisher gave it."""

from collections.abc import Sequence
from dataclasses import replace

from openbook.store import search as stored_search
from openbook.store.database import Store
from openbook.store.search import Found
from openbook.web.pages import i18n


def process_summary(found: Found) -> dict:
    return {
        "ocid": found.ocid,
        "title": found.title,
        "buyer": {"id": found.buyer_id, "name": found.buyer_name},
        "value": {"amount": found.value_amount, "currency": found.value_currency}
        if found.value_amount is not None
        else None,
        "stage": found.stage,
        "status": found.status,
        "procurementMethod": found.procurement_method,
        "published": found.published,
        "deadline": found.deadline,
        "awardDate": found.award_date,
        "contractStart": found.contract_start,
        "contractEnd": found.contract_end,
    }


def titles_in_language(store: Store, ocids: Sequence[str]) -> dict[str, str]:
    """The titles of these processes in the reader's language that differ from the English one,
    by ocid: their Welsh titles (OCDS language variants, ``title_cy``) for a reader who chose
    Welsh, as the process page shows them (i18n.localised; issue 8). Nothing to look up for a
    reader in English."""
    if i18n.current() != i18n.WELSH or not ocids:
        return {}
    return stored_search.welsh_titles(store, ocids)


def in_language(store: Store, *lists: Sequence[dict]) -> None:
    """In lists of processes (dicts with ``ocid`` and ``title``) read in another language than
    English, each title in it where the publisher gave it, and ``titleLang``, the language it is
    in (for the ``lang`` attribute). One lookup for all the lists; nothing changed in English,
    the language the titles are kept in."""
    if i18n.current() == i18n.ENGLISH:
        return
    listed = [each for shown in lists for each in shown]
    titles = titles_in_language(store, [each["ocid"] for each in listed])
    for each in listed:
        title = titles.get(each["ocid"])
        if title is not None:
            each["title"] = title
        each["titleLang"] = i18n.WELSH if title is not None else i18n.ENGLISH


def found_in_language(store: Store, items: Sequence[Found]) -> tuple[list[Found], set[str]]:
    """Found processes with their titles in the reader's language (as ``in_language``), and
    the ocids of those whose title is now in it rather than in English."""
    titles = titles_in_language(store, [item.ocid for item in items])
    shown = [
        replace(item, title=titles[item.ocid]) if item.ocid in titles else item for item in items
    ]
    return shown, set(titles)
