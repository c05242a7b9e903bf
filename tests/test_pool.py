"""The load's worker pool: what its workers hand back crosses to the loading process pickled."""

import copyreg
import pickle
from collections import defaultdict

import orjson

from openbook import records
from openbook.generate import generate_releases
from openbook.standards.canonical import canonical_json
from openbook.standards.ocds import commercial_tools, summary


def _compiled(processes: int) -> list[records.records.Compiled]:
    bodies: dict[str, list[str]] = defaultdict(list)
    for release in generate_releases(processes, seed=3):
        bodies[release["ocid"]].append(canonical_json(release).decode())
    return [
        records._compile((ocid, found, records.BARE, len(found), 0, False))
        for ocid, found in bodies.items()
    ]


def test_compile_results_come_back_from_a_worker_equal_by_their_values():
    results = _compiled(60)
    summaries = [result.summary for result in results if result.summary is not None]
    # The generated processes hold every kind of value a summary carries across.
    assert any(found.parties for found in summaries)
    assert any(found.commercial_tool and found.commercial_tool.members for found in summaries)
    assert any(found.commercial_tool and found.commercial_tool.links for found in summaries)
    for kind in (
        summary.Summary,
        summary.Mention,
        commercial_tools.Facts,
        commercial_tools.Member,
        commercial_tools.Link,
    ):
        assert kind in copyreg.dispatch_table  # pickled by openbook.pool.pickle_by_values
    back = pickle.loads(pickle.dumps(results, pickle.HIGHEST_PROTOCOL))  # noqa: S301 (our own)
    assert back == results
    assert [orjson.loads(r.compiled) for r in back if r.compiled] == [
        orjson.loads(r.compiled) for r in results if r.compiled
    ]
