"""What the red flags read from the registers (openbook.standards.metrics.reading.Context): the
central debarment list, the register of suppliers, and when suppliers' companies were
incorporated, as the beneficial ownership data (BODS ``foundingDate``) says. The context itself
is made by the pure ``registers_context``, which a recomputation from a snapshot uses too."""

from collections.abc import Iterator, Sequence

import orjson

from openbook.standards.bods import REGISTER as BODS
from openbook.standards.metrics.reading import Context, registers_context
from openbook.standards.registers.debarment import ACTIVE
from openbook.standards.registers.debarment import REGISTER as DEBARMENT
from openbook.standards.registers.suppliers import REGISTER as SUPPLIERS
from openbook.store import ownership, records, registers
from openbook.store.database import Store, among, chunked


def context(store: Store) -> Context:
    """The registers as the red flags read them. Reads the active debarment entries and the
    register of suppliers whole (thousands of entries, not millions), and the ownership records
    only of organisations that processes name as suppliers or that registered."""
    debarment = [
        _as_given(entry) for entry in registers.every(store, DEBARMENT.code, status=ACTIVE)
    ]
    suppliers = [_as_given(entry) for entry in registers.every(store, SUPPLIERS.code)]
    wanted = {*ownership.suppliers_with_owners(store)}
    wanted.update(identifier for entry in suppliers for identifier in entry.get("identifiers", ()))
    return registers_context(debarment, suppliers, _entities(store, sorted(wanted)))


def _as_given(entry: registers.Entry) -> dict:
    """An entry as the API and the bulk files give it, as far as the context reads it: its
    fields, its id, and when it was first recorded."""
    return {**entry.entry, "id": entry.entry_id, "created": entry.created_time}


def _entities(store: Store, identifiers: Sequence[str]) -> Iterator[dict]:
    """The compiled BODS records of the entities that give any of these identifiers."""
    record_ids: set[str] = set()
    with store.cursor() as cursor:
        for chunk in chunked(identifiers, 500):
            condition, params = among(store, "identifier", chunk)
            cursor.execute(f"SELECT record_id FROM ownership_identifier WHERE {condition}", params)
            record_ids.update(row[0] for row in cursor.fetchall())
    for _, text in sorted(records.compiled_of(store, BODS, sorted(record_ids)).items()):
        yield orjson.loads(text)
