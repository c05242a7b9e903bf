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
from openbook.standards.metrics import milestones
from openbook.store import log
from openbook.store import metrics as stored
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
    award_entry = log.record_statements(measured, "ocds", OCID)[-1].entry
    assert stored.platform_seqs(measured, log.log_size(measured)) == {
        s.entry.seq for s in log.record_statements(measured, "ocds", OCID)
    }
    (item,) = [
        i for i in stored.items_of_process(measured, OCID) if i.metric == "award-published-90-days"
    ]
    assert item.detail["publishedBasis"] == "platform"
    assert item.detail["published"][:10] == award_entry.log_time[:10]
    assert item.detail["awardDate"] == "2025-07-14"


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
    assert any(
        i.metric == "award-published-90-days" for i in stored.items_of_process(measured, OCID)
    )
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
    assert {item["metric"] for item in one["items"]} >= {"award-published-90-days"}


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
def test_bad_questions_get_a_precise_answer(store, path, parameter, says):
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
