"""Web tests: real HTTP through Django's test client, on both databases."""

import pytest
from django.test import Client

from openbook.records import compile_pending
from openbook.store import log
from tests.factories import create_release, create_statement


@pytest.fixture
def client(database) -> Client:
    return Client()


@pytest.fixture
def reader() -> Client:
    # a client that brings no database (``client`` brings a fresh one), for the tests
    # on a module's shared database (tests/conftest.py shared_database), which their own
    # fixture points Django at.
    return Client()


def publish(store, releases: list[dict], publisher: str = "Test Council") -> list[int]:
    """Append releases to the log as one batch and compile their records; returns their seqs."""
    appended = log.append(store, "ocds", [create_statement(r) for r in releases], publisher)
    compile_pending(store)
    return [seq for _, seq in appended.entries]


def a_process(ocid: str, buyer: str = "Leeds City Council", supplier: str | None = None):
    """A tender and, with a supplier, an award: a small but whole contracting process."""
    party = {"id": "GB-GOR-LCC", "name": buyer, "roles": ["buyer"]}
    releases = [
        create_release(
            ocid,
            f"{ocid}-tender",
            tag=["tender"],
            parties=[party],
            buyer={"id": "GB-GOR-LCC", "name": buyer},
            tender={"id": "t1", "title": "Road repairs", "status": "active"},
        )
    ]
    if supplier:
        releases.append(
            create_release(
                ocid,
                f"{ocid}-award",
                date="2026-02-01T00:00:00Z",
                tag=["award"],
                parties=[
                    party,
                    {
                        "id": "GB-COH-01234567",
                        "name": supplier,
                        "roles": ["supplier"],
                        "identifier": {"scheme": "GB-COH", "id": "01234567"},
                    },
                ],
                awards=[
                    {
                        "id": "a1",
                        "status": "active",
                        "suppliers": [{"id": "GB-COH-01234567", "name": supplier}],
                    }
                ],
            )
        )
    return releases
