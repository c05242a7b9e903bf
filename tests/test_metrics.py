"""The metrics computed from the log, stored, served, and recomputed by anyone from the bulk
snapshot alone (issue 7, items 1 and 2), on both databases."""

import importlib.util
from pathlib import Path

import orjson
import pytest
from django.test import Client

from openbook import metrics
from openbook.export import export
from openbook.generate import generate_releases, write_jsonl
from openbook.load.loader import load
from openbook.publishing import publishers
from openbook.publishing.withdraw import withdraw
from openbook.standards.metrics import computation, milestones
from openbook.store import log
from openbook.store import metrics as stored
from tests.conftest import reuse
from tests.publishing import BUYER, CLI, award, create_key, create_publisher, post, tender

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "recompute_metrics.py"


def recompute_script():
    spec = importlib.util.spec_from_file_location("recompute_metrics", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OCID = "ocds-metrics-1"


@pytest.fixture
def measured(store, tmp_path):
    """Generated history loaded from a file, and one process published through the API: a
    tender notice and an award notice whose own date (15 July 2025) is long before the platform
    accepted it."""
    return _measure(store, tmp_path)


@pytest.fixture(scope="module")
def _computed_once(shared_database, tmp_path_factory):
    store = reuse(shared_database).store
    _measure(store, tmp_path_factory.mktemp("measured"))
    metrics.compute(store)
    return stored.latest_run(store)


@pytest.fixture
def computed_once(shared_database, _computed_once):
    """What ``measured`` stores, its metrics computed, on one database a kind for the questions
    and settings refused: each refused setting checks that the run is still this set-up's, so
    that none replaces it for the next."""
    return reuse(shared_database).store, _computed_once


def _measure(store, tmp_path):
    source = tmp_path / "generated.jsonl"
    with source.open("wb") as out:
        write_jsonl(generate_releases(processes=120, seed=7), out)
    load(store, [source], publisher="generated")
    organisation = create_publisher(store)
    key = create_key(store, organisation)
    for release in (tender(OCID), award(OCID)):
        answer = post(Client(), "/api/publish/releases", release, key)
        assert answer.status_code == 201, answer.content
    return store


def figures_by_key(found):
    return {(f.metric, f.subject, f.period): f for f in found}


def test_anyone_recomputes_every_figure_from_the_snapshot_alone(measured, tmp_path):
    run = metrics.compute(measured)
    assert run.summary["processes"] >= 120
    platform = figures_by_key(stored.figures(measured))
    assert len(platform) > 50
    export(measured, tmp_path / "snapshot")
    recomputed = recompute_script().recompute(tmp_path / "snapshot")
    assert len(recomputed) == len(platform)
    for figure in recomputed:
        mine = platform[(figure["metric"], figure["subject"], figure["period"])]
        assert (
            mine.for_count,
            mine.against_count,
            mine.excluded_count,
            mine.pending_count,
            mine.extra,
        ) == (
            figure["for"],
            figure["against"],
            figure["excluded"],
            figure["pending"],
            figure["breakdown"],
        ), figure
        assert mine.value == pytest.approx(figure["value"]), figure


def test_the_script_refuses_a_directory_that_is_not_a_snapshot(tmp_path, capsys):
    assert recompute_script().main([str(tmp_path)]) == 2
    assert "has no manifest.json: it is not a snapshot" in capsys.readouterr().err


def test_a_release_published_on_the_platform_is_dated_by_its_log_time(measured):
    metrics.compute(measured)
    statements = log.record_statements(measured, "ocds", OCID)
    assert stored.platform_seqs(measured, log.log_size(measured)) == {
        s.entry.seq for s in statements
    }
    (item,) = [i for i in stored.items_of_process(measured, OCID) if i.metric == "tender-published"]
    assert item.outcome == "for"
    # The tender notice says 2 June 2025; the platform accepted it today.
    assert item.detail["basis"] == "platform"
    assert item.detail["published"][:10] == statements[0].entry.log_time[:10]
    assert item.day == "2025-07-14"  # placed by the award date


def test_a_computation_replaces_the_last_and_leaves_the_log_alone(measured):
    size = log.log_size(measured)
    metrics.compute(measured)
    first = figures_by_key(stored.figures(measured))
    items = len(
        stored.items(
            measured,
            metric="tender-published",
            subject=None,
            days=None,
            outcomes=list(metrics.OUTCOMES),
            limit=100_000,
        )
    )
    metrics.compute(measured)
    assert figures_by_key(stored.figures(measured)).keys() == first.keys()
    again = stored.items(
        measured,
        metric="tender-published",
        subject=None,
        days=None,
        outcomes=list(metrics.OUTCOMES),
        limit=100_000,
    )
    assert len(again) == items
    assert log.log_size(measured) == size


def test_a_withdrawn_release_no_longer_counts(measured):
    metrics.compute(measured)
    assert any(i.metric == "tender-published" for i in stored.items_of_process(measured, OCID))
    awarded = awarded_processes(measured)
    award_seq = log.record_statements(measured, "ocds", OCID)[-1].entry.seq
    organisation = publishers.find_publisher(measured, BUYER["id"])
    withdraw(measured, organisation, {"sequence": award_seq, "reason": "wrong"}, CLI)
    metrics.compute(measured)
    left = [i for i in stored.items_of_process(measured, OCID) if i.metric in milestones.METRICS]
    assert left == []  # a tender alone: counted only
    assert awarded_processes(measured) == awarded - 1


def awarded_processes(store) -> int:
    (everyone,) = stored.figures(store, metric="stage-coverage", subject="", periods=["all"])
    return everyone.extra["stages"]["award"]


# The API -------------------------------------------------------------------------------------


def get(path):
    answer = Client().get(path)
    return answer.status_code, orjson.loads(answer.content)


def test_before_any_run_there_are_no_figures(store):
    status, body = get("/api/metrics")
    assert status == 200 and body["run"] is None
    assert {m["id"] for m in body["metrics"]} >= {"tender-published", "award-published-90-days"}
    assert get("/api/metrics/tender-published")[1]["figures"] == []


def test_figures_and_the_items_behind_them(measured):
    metrics.compute(measured)
    status, body = get("/api/metrics/tender-published?subject=everyone&period=all")
    assert status == 200
    (figure,) = body["figures"]
    assert figure["target"] == 0.95
    assert figure["for"] + figure["against"] > 0
    assert figure["value"] == pytest.approx(figure["for"] / (figure["for"] + figure["against"]))
    assert figure["met"] == (figure["value"] >= 0.95)
    listed, after = [], 0
    while True:
        status, page = get(
            f"/api/metrics/tender-published/items?outcome=against&limit=7&after={after}"
        )
        listed += page["items"]
        if page["next"] is None:
            break
        after = page["next"]
    assert len(listed) == figure["against"]
    assert all(item["outcome"] == "against" and item["detail"]["reason"] for item in listed)
    central = get("/api/metrics/tender-published?subject=central")[1]["figures"]
    assert [f["subject"] for f in central] == ["*central"]
    status, one = get(f"/api/metrics/processes/{OCID}")
    assert status == 200
    assert {item["metric"] for item in one["items"]} >= {"tender-published"}


@pytest.mark.parametrize(
    ("path", "parameter", "says"),
    [
        ("/api/metrics/no-such-metric", "metric", "is not a metric"),
        ("/api/metrics/tender-published?period=2023-13", "period", "is not a period"),
        ("/api/metrics/tender-published?period=2023-H3", "period", "is not a period"),
        ("/api/metrics/tender-published?period=" + "9" * 11, "period", "at most 10"),
        ("/api/metrics/tender-published/items?outcome=maybe", "outcome", "is not one of"),
        ("/api/metrics/tender-published/items?after=-1", "after", "greater than or equal"),
        ("/api/metrics/tender-published/items?limit=1001", "limit", "less than or equal"),
        ("/api/metrics/tender-published?subject=" + "x" * 301, "subject", "300 characters"),
        ("/api/metrics/tender-published?subject=a%00b", "subject", "300 characters"),
    ],
)
def test_bad_questions_get_a_precise_answer(computed_once, path, parameter, says):
    status, body = get(path)
    assert status == 400, body
    assert body["error"]["parameter"] == parameter
    assert says in body["error"]["message"]


def test_the_command_line_computes_and_shows(measured, capsys):
    from openbook import cli

    assert cli.main(["metrics", "compute", "--no-progress"]) == 0
    assert "Computed the metrics of" in capsys.readouterr().out
    assert cli.main(["metrics", "show", "tender-published", "--subject", "central"]) == 0
    assert "Central government" in capsys.readouterr().out
    assert cli.main(["metrics", "show", "nope"]) == 2
    assert "is not a metric" in capsys.readouterr().err


def test_workers_give_the_figures_and_items_of_one_process(measured, monkeypatch):
    metrics.compute(measured, workers=1)
    inline = (stored.figures(measured), every_item(measured))
    monkeypatch.setattr(metrics, "PARALLEL_FROM_RELEASES", 0)
    monkeypatch.setattr(metrics, "BATCH_PROCESSES", 7)
    metrics.compute(measured, workers=2)
    assert (stored.figures(measured), every_item(measured)) == inline


def test_each_family_alone_gives_its_figures_and_items_of_the_whole_run(measured):
    """The benchmarks time the families apart: each alone must measure what the whole run
    does (the quality checks and red flags place a process without the milestones' items)."""
    metrics.compute(measured)
    whole = (stored.figures(measured), every_item(measured))
    for family in computation.FAMILIES:
        metrics.compute(measured, families=(family,))
        alone = (stored.figures(measured), every_item(measured))
        family_of = {name: metric.family for name, metric in metrics.METRICS.items()}
        assert alone[0] and alone[1]
        assert alone[0] == [f for f in whole[0] if family_of[f.metric] == family]
        assert alone[1] == [i for i in whole[1] if family_of[i[0]] == family]


def every_item(store):
    found = []
    for metric in metrics.METRICS:
        found += [
            (i.metric, i.subject, i.day, i.ocid, i.item, i.outcome, i.detail)
            for i in stored.items(
                store,
                metric=metric,
                subject=None,
                days=None,
                outcomes=list(metrics.OUTCOMES),
                limit=100_000,
            )
        ]
    return found


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("{not json", "is not JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"no_such_setting": 1}', "is no red-flag setting"),
        ('{"new_supplier_days": "soon"}', "new_supplier_days must be a whole number"),
        ('{"new_supplier_days": -5}', "new_supplier_days must be a whole number"),
    ],
)
def test_wrong_red_flag_settings_are_refused_and_nothing_is_replaced(
    computed_once, monkeypatch, capsys, value, says
):
    from openbook import cli

    store, before = computed_once
    assert before is not None
    monkeypatch.setenv("OPENBOOK_RED_FLAGS", value)
    assert cli.main(["metrics", "compute", "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert "OPENBOOK_RED_FLAGS" in error and says in error
    assert stored.latest_run(store) == before


def test_the_settings_used_are_published_and_change_the_flags(measured, monkeypatch):
    monkeypatch.setenv("OPENBOOK_RED_FLAGS", '{"short_period_days": 400}')
    run = metrics.compute(measured)
    assert run.summary["settings"]["short_period_days"] == 400
    assert get("/api/metrics")[1]["run"]["settings"]["short_period_days"] == 400


def test_a_damaged_snapshot_is_refused_with_the_file_at_fault(measured, tmp_path, capsys):
    import gzip

    metrics.compute(measured)
    export(measured, tmp_path / "snapshot")
    releases = tmp_path / "snapshot" / "releases.jsonl.gz"
    lines = gzip.decompress(releases.read_bytes()).splitlines(keepends=True)
    releases.write_bytes(gzip.compress(b"".join(lines[:-3])))
    assert recompute_script().main([str(tmp_path / "snapshot")]) == 2
    assert "releases.jsonl.gz holds fewer releases than the log entries" in capsys.readouterr().err
    (tmp_path / "snapshot" / "published-on-platform.jsonl.gz").unlink()
    assert recompute_script().main([str(tmp_path / "snapshot")]) == 2
    assert "published-on-platform.jsonl.gz is missing" in capsys.readouterr().err
    assert recompute_script().main([str(tmp_path / "snapshot"), "--compare", "file:///etc"]) == 2


def test_the_items_indexes_made_again_after_each_run_are_the_models():
    from openbook.store.models import MetricItem

    declared = {(index.name, tuple(index.fields)) for index in MetricItem._meta.indexes}
    assert declared == set(stored.ITEM_INDEXES)
