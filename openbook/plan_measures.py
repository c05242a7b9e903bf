"""What the platform measures of a plan's milestones, read when the plan is read (issue 10,
item 3; docs/methods/plan-milestones.md): the stored metrics' figures of the newest run
(openbook.store.metrics) and the newest bulk download's manifest, put through the measures'
rules (openbook.standards.plans.measures). A measured status is worked out each time, never
stored, so it moves with every metrics run and every export."""

from collections.abc import Mapping
from datetime import date

from openbook import config
from openbook.export import manifest
from openbook.standards.plans import measures
from openbook.store import metrics as stored
from openbook.store.database import Store


def measured(store: Store, states: Mapping[str, Mapping], plan_id: str, day: date) -> dict:
    """What is measured of each of the plan's milestones that the platform measures and that
    is in the plan (its facts not withdrawn), by record key; {} for a plan with none."""
    wanted = [
        measure
        for key, measure in measures.MEASURES.items()
        if key.split("/")[0] == plan_id and (states.get(key) or {}).get("facts") is not None
    ]
    if not wanted:
        return {}
    run = stored.latest_run(store)
    snapshot = newest_snapshot() if any(m.kind == measures.BULK_DOWNLOAD for m in wanted) else None
    found = {}
    for measure in wanted:
        facts = states[measure.milestone]["facts"]
        periods = measures.periods(measure, facts, day)
        figures: dict[tuple[str, str], measures.Counts] = {}
        if run is not None and periods:
            for metric in measure.metrics:
                for figure in stored.figures(
                    store, metric=metric, subject=measure.subject, periods=periods
                ):
                    figures[(figure.metric, figure.period)] = measures.Counts(
                        figure.for_count,
                        figure.against_count,
                        figure.excluded_count,
                        figure.pending_count,
                        figure.extra,
                    )
        found[measure.milestone] = measures.measured(
            measure,
            facts,
            run=run.as_dict() if run else None,
            figures=figures,
            snapshot=snapshot,
            today=day,
        )
    return found


def newest_snapshot() -> dict | None:
    """The newest bulk download (openbook export): when it was made, the log size it holds and
    its releases; None if there is none."""
    snapshot = manifest.read(config.downloads_dir())
    if snapshot is None:
        return None
    with snapshot:
        written = snapshot.manifest
    counts = _dict(written.get("counts"))
    log = _dict(written.get("log"))
    releases = counts.get("releases")
    return {
        "generated": written.get("generated")
        if isinstance(written.get("generated"), str)
        else None,
        "logSize": log.get("size") if isinstance(log.get("size"), int) else None,
        "releases": releases if isinstance(releases, int) else 0,
    }


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}
