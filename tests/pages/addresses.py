"""One address of every page type, on a site's data: what the structural, accessibility and
browser tests visit, and bench/pages.py times. A new page type is added here."""

from openbook.store.database import Store


def page_addresses(store: Store) -> dict[str, str]:
    """Page type: an address of it on this store's data (``?lang=cy``: read in Welsh)."""
    found = {
        "home": "/",
        "home in Welsh": "/?lang=cy",
    }
    # Each area adds its page types below its marker (found["name"] = address).
    # search pages
    # process pages
    # organisation pages
    # register and progress pages
    return found  # noqa: RET504 (the areas add to it above)
