"""The audit trail (use case): every write, for platform administrators (``openbook audit``,
``GET /api/publish/audit``; docs/publishing-api.md)."""

from openbook.publishing.publishers import find_publisher
from openbook.store import audit
from openbook.store.audit import Event
from openbook.store.database import Store


def events(
    store: Store,
    *,
    since: str | None = None,
    publisher: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[Event]:
    """Events from ``since`` (a log time), of one organisation (its number or identifier),
    after event ``after``, oldest first."""
    organisation_id = find_publisher(store, publisher).id if publisher else None
    return audit.events(
        store, since=since, organisation_id=organisation_id, after=after, limit=limit
    )
