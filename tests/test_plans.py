"""The plans register (issue 10): NAP5 transcribed from its text, loaded into the log, read back
with its dates as published and as parsed, its flags and what is overdue; a changed plan file
becoming corrections; fields and progress updates recorded, bad input refused with nothing
stored; the CLI. On both databases."""

import copy
import hashlib
import itertools
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson
import pytest

from openbook import cli, plans, transparency
from openbook.standards.plans import REGISTER, dates, document, measures
from openbook.standards.plans.document import PlanFileRefused
from openbook.store import log
from tests.conftest import SHARED_DATA, fresh_database, use_database
from tests.test_transparency import key_dir

__all__ = ["key_dir"]  # the fixture, from the transparency tests

ROOT = Path(__file__).resolve().parents[1]
TEXT = SHARED_DATA / "uk-nap5" / "uk-open-government-national-action-plan-2021-2023.txt"
BUNDLED = orjson.loads(plans.BUNDLED.read_bytes())
COMMITMENTS = len(BUNDLED["commitments"])
MILESTONES = sum(len(each["milestones"]) for each in BUNDLED["commitments"])


# Dates


@pytest.mark.parametrize(
    ("text", "precision", "first", "last", "tbc"),
    [
        ("April 2022", "month", "2022-04-01", "2022-04-30", False),
        ("Jan 2022", "month", "2022-01-01", "2022-01-31", False),
        ("Sept 2021", "month", "2021-09-01", "2021-09-30", False),
        ("February 2024", "month", "2024-02-01", "2024-02-29", False),
        ("Q1 2022", "quarter", "2022-01-01", "2022-03-31", False),
        ("q4 2023", "quarter", "2023-10-01", "2023-12-31", False),
        ("TBC 2022", "year", "2022-01-01", "2022-12-31", True),
        ("TBC Q2 2023", "quarter", "2023-04-01", "2023-06-30", True),
        ("2023", "year", "2023-01-01", "2023-12-31", False),
        ("2023-03-31", "day", "2023-03-31", "2023-03-31", False),
        ("Ongoing", "none", None, None, False),
        ("TBC", "none", None, None, True),
    ],
)
def test_dates_as_plans_write_them(text, precision, first, last, tbc):
    found = dates.parse(text).as_dict()
    assert found == {"asPublished": text, "precision": precision, "from": first, "to": last,
                     "toBeConfirmed": tbc, "ongoing": precision == "none"}  # fmt: skip


def test_dates_not_understood_say_why():
    for text, message in [
        ("Spring 2022", "'Spring 2022' is not a date a plan gives: write a month and year"),
        ("Q5 2022", "is not a date a plan gives"),
        ("2202", "names the year 2202"),
        ("2023-02-30", "'2023-02-30' is no day of the calendar"),
        ("", "is not a date a plan gives"),
    ]:
        with pytest.raises(dates.DateNotUnderstood, match=re.escape(message)):
            dates.parse(text)


# The transcription


@pytest.mark.skipif(not TEXT.is_file(), reason="the plan's text (../shared) is not here")
def test_the_bundled_plan_is_the_text_transcribed(tmp_path):
    """Rebuilding from the text gives the bundled file; counted in the text another way, the
    plan has as many commitments and milestones as the file; each milestone's row is there."""
    output = tmp_path / "nap5.json"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_plan_nap5.py"), "--source", str(TEXT),
         "--output", str(output)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert output.read_bytes() == plans.BUNDLED.read_bytes()
    lines = TEXT.read_text().splitlines()
    rows = [re.sub(r"</?p>", "", line).split("\t") for line in lines if "\t" in line]
    milestone_rows = [row for row in rows if row[1].strip() in ("New", "Ongoing")]
    numbered = [line for line in lines if re.match(r"Commitment \d+: ", line)]
    # A section with an Objective but no number: its heading is the line before "Objective".
    texts = [line.strip() for line in lines if line.strip()]
    unnumbered = [
        before
        for before, after in itertools.pairwise(texts)
        if after == "Objective" and not before.startswith("Commitment ")
    ]
    assert unnumbered == ["Local transparency"]
    assert (len(numbered) + len(unnumbered), len(milestone_rows)) == (COMMITMENTS, MILESTONES)
    assert (COMMITMENTS, MILESTONES) == (6, 22)
    milestones = [m for each in BUNDLED["commitments"] for m in each["milestones"]]
    for row, milestone in zip(milestone_rows, milestones, strict=True):
        assert milestone["text"].startswith(" ".join(row[0].split()))
        assert [cell.strip() for cell in row[1:]] == [
            milestone["newOrOngoing"], milestone["start"], milestone["end"]
        ]  # fmt: skip


def _file(plan: dict) -> bytes:
    return orjson.dumps(plan)


def test_a_plan_file_with_problems_is_refused_with_each_one():
    broken = copy.deepcopy(BUNDLED)
    broken["plan"]["id"] = "UK NAP5"
    broken["commitments"][0]["milestones"][0]["end"] = "Spring 2023"
    broken["commitments"][0]["milestones"][1]["id"] = "1"
    broken["commitments"][1]["whyEmpty"].pop("leadBody")
    broken["commitments"][2]["colour"] = "blue"
    broken["commitments"][3]["milestones"][0]["objective"] = "9"
    with pytest.raises(PlanFileRefused) as refused:
        document.read_file(_file(broken), "x")
    found = {(problem.path, problem.code) for problem in refused.value.problems}
    assert found == {
        ("/plan/id", "malformed-id"),
        ("/commitments/0/milestones/0/end", "malformed-date"),
        ("/commitments/0/milestones/1/id", "duplicate-id"),
        ("/commitments/1/whyEmpty/leadBody", "reason-required"),
        ("/commitments/2/colour", "unknown-field"),
        ("/commitments/3/milestones/0/objective", "unknown-objective"),
    }, refused.value.problems
    assert "nothing was stored" in str(refused.value)
    for data, message in [
        (b"{not json", "the file is not JSON (UTF-8)"),
        (b'{"plan": "\xff"}', "the file is not JSON (UTF-8)"),
        (b"[]", "problem"),
        (b" " * (document.MOST_BYTES + 1), "a plan file is at most 5 MB"),
    ]:
        with pytest.raises(PlanFileRefused, match=re.escape(message)):
            document.read_file(data, "x")


# NAP5 loaded, read back


@dataclass
class Loaded:
    url: str
    report: dict
    again: dict
    log_size: int


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request):
    """NAP5 loaded once per database for the read-only tests here (loaded twice: the second
    load must store nothing)."""
    with fresh_database(request.param, request) as database:
        report = plans.load(database.store, recorded_by="test").as_dict()
        size = log.log_size(database.store)
        again = plans.load(database.store, recorded_by="test").as_dict()
        assert log.log_size(database.store) == size
        yield Loaded(database.url, report, again, size)


@pytest.fixture
def nap5(loaded):
    use_database(loaded.url)  # other tests point Django at their own databases
    from openbook.store.database import Store

    return Store()


def test_nap5_is_loaded_whole_and_again_stores_nothing(loaded, nap5):
    report, again = loaded.report, loaded.again
    records = 1 + COMMITMENTS + MILESTONES
    assert (report["commitments"], report["milestones"]) == (COMMITMENTS, MILESTONES)
    assert len(report["created"]) == records == loaded.log_size
    assert again["unchanged"] == records and not (again["created"] or again["corrected"])
    assert report["sha256"] == hashlib.sha256(plans.BUNDLED.read_bytes()).hexdigest()
    # The milestone that ends before it starts, in the report and in what is read back.
    inconsistent = [flag for flag in report["flags"] if flag["kind"] == "inconsistency"]
    assert [(f["commitment"], f["milestone"], f["code"]) for f in inconsistent] == [
        ("3", "2", "ends-before-start")
    ]
    assert (
        "it ends 'March 2022' (by 31 March 2022), before it starts 'April 2022'"
        in (inconsistent[0]["message"])
    )
    found = plans.plan(nap5, "uk-nap5", date(2022, 6, 1))
    assert found["flags"] == report["flags"] == again["flags"]
    assert found["summary"] == {
        "commitments": 6, "milestones": 22, "overdue": 1, "flagged": 2,
        "byStatus": {"no-evidence": 19, "not-started": 3, "limited": 0, "substantial": 0,
                     "complete": 0, "withdrawn": 0},
    }  # fmt: skip
    # Open contracting's milestones are measured (no figures here): those that start after
    # the day read are not started, whatever is recorded.
    assert [m["status"] for m in found["commitments"][0]["milestones"]] == [
        "no-evidence", "not-started", "not-started", "not-started", "no-evidence"
    ]  # fmt: skip
    assert [each["id"] for each in found["commitments"]] == [
        "1", "2", "3", "4", "5", "local-transparency"
    ]  # fmt: skip
    open_contracting, local = found["commitments"][0], found["commitments"][-1]
    assert open_contracting["title"] == "Open contracting"
    assert open_contracting["leadBody"] == {
        "value": None, "from": "plan", "whyEmpty": "not stated in the plan", "source": None,
        "recordedBy": None, "logTime": None, "seq": None,
    }  # fmt: skip
    assert open_contracting["ogpValues"]["whyEmpty"] == "not stated in the plan"
    assert open_contracting["actions"]["value"][2]["text"] == (
        "Implement the Open Contracting Data Standard"
    )
    assert [flag["code"] for flag in local["flags"]] == ["unnumbered", "no-milestones"]
    assert local["milestones"] == [] and local["number"] is None
    reports = open_contracting["milestones"][2]
    assert reports["text"].startswith("Report every year on publication of contract documents")
    assert reports["start"] == {"asPublished": "July 2022", "precision": "month",
                                "from": "2022-07-01", "to": "2022-07-31",
                                "toBeConfirmed": False, "ongoing": False}  # fmt: skip
    health = found["commitments"][3]
    assert [m["objective"] for m in health["milestones"]] == ["1", "1", "2", "2", "3", "3"]
    assert [m["start"]["precision"] for m in health["milestones"]] == [
        "month", "month", "year", "year", "quarter", "year"
    ]  # fmt: skip
    assert health["milestones"][2]["start"]["toBeConfirmed"] is True
    assert health["milestones"][4]["start"]["from"] == "2022-01-01"
    assert health["milestones"][0]["end"]["ongoing"] is True
    _overdue_by_the_end_dates_last_day(nap5)


def _overdue_by_the_end_dates_last_day(nap5):
    def overdue(day: str) -> set[str]:
        found = plans.plan(nap5, "uk-nap5", date.fromisoformat(day))
        return {f"{m['commitment']}/{m['id']}" for c in found["commitments"]
                for m in c["milestones"] if m["overdue"]}  # fmt: skip

    assert overdue("2022-03-31") == set()  # 3/2 ends "March 2022": due by its last day
    assert overdue("2022-04-01") == {"3/2"}
    assert overdue("2023-04-01") == {"3/2", "5/4", "1/1", "3/1"}
    assert overdue("2024-01-01") == {"3/2", "5/4", "1/1", "3/1", "1/3", "5/2"}  # "2023": a year
    # "Ongoing" never falls due; "March 2024" does, once over.
    assert "1/2" in overdue("2024-04-01") and len(overdue("2030-01-01")) == 7


def test_one_commitment_and_one_milestone_with_their_history(loaded, nap5):
    found = plans.milestone(nap5, "uk-nap5", "3", "2", date(2022, 6, 1))
    assert (found["planTitle"], found["commitmentTitle"]) == (
        "UK Open Government National Action Plan 2021-2023",
        "Algorithmic transparency and accountability",
    )
    assert found["overdue"] and found["dueBy"] == "2022-03-31" and found["status"] == "no-evidence"
    [first] = found["history"]
    assert first["id"] == 1 and first["statement"]["statement"] == "facts"
    assert first["statement"]["facts"]["end"] == "March 2022"
    assert first["statement"]["source"]["file"] == "nap5.json"
    assert first["statement"]["recordedBy"] == "test"
    commitment = plans.commitment(nap5, "uk-nap5", "4")
    assert [m["id"] for m in commitment["milestones"]] == ["1", "2", "3", "4", "5", "6"]
    assert commitment["history"][0]["statement"]["facts"]["milestones"] == [
        "1", "2", "3", "4", "5", "6"
    ]  # fmt: skip
    for call, message in [
        (lambda: plans.plan(nap5, "uk-nap6"), "there is no plan 'uk-nap6': the plans are: uk-nap5"),
        (lambda: plans.commitment(nap5, "uk-nap5", "7"),
         "plan uk-nap5 has no commitment '7': its commitments are 1, 2, 3, 4, 5, "
         "local-transparency"),
        (lambda: plans.milestone(nap5, "uk-nap5", "3", "3"),
         "commitment uk-nap5/3 has no milestone '3': its milestones are 1, 2"),
        (lambda: plans.milestone(nap5, "uk-nap5", "9", "1"), "plan uk-nap5 has no commitment '9'"),
    ]:  # fmt: skip
        with pytest.raises(plans.NotFound, match=re.escape(message)):
            call()
    listed = plans.plans(nap5, date(2022, 6, 1))
    assert [each["id"] for each in listed] == ["uk-nap5"] and "commitments" not in listed[0]
    assert listed[0]["summary"]["overdue"] == 1


# Writing: a changed plan, fields, updates, bad input


def test_a_changed_plan_file_becomes_corrections(database, tmp_path):
    store = database.store
    plans.load(store, recorded_by="test")
    changed = copy.deepcopy(BUNDLED)
    algorithms = changed["commitments"][2]
    algorithms["milestones"][1]["end"] = "Q1 2023"  # the published inconsistency put right
    algorithms["milestones"].pop(0)  # dropped
    changed["commitments"].append(
        {"id": "6", "number": "6", "title": "A commitment added", "objectives": [],
         "whyEmpty": dict.fromkeys(("problem", "actions", "leadBody", "ogpValues"),
                                   "not stated in the plan"),
         "milestones": [{"id": "1", "text": "Do it", "newOrOngoing": "New",
                         "start": "Q1 2022", "end": "Q1 2022"}]}
    )  # fmt: skip
    path = tmp_path / "nap5-amended.json"
    path.write_bytes(orjson.dumps(changed))
    before = log.log_size(store)
    report = plans.load(store, path, recorded_by="test").as_dict()
    assert sorted(report["corrected"]) == ["uk-nap5", "uk-nap5/3", "uk-nap5/3/2"]
    assert report["withdrawn"] == ["uk-nap5/3/1"]
    assert sorted(report["created"]) == ["uk-nap5/6", "uk-nap5/6/1"]
    assert log.log_size(store) == before + 6
    assert "ends-before-start" not in {flag["code"] for flag in report["flags"]}
    # A quarter falls due after its last day.
    added = plans.milestone(store, "uk-nap5", "6", "1", date(2022, 3, 31))
    assert not added["overdue"] and added["dueBy"] == "2022-03-31"
    assert plans.milestone(store, "uk-nap5", "6", "1", date(2022, 4, 1))["overdue"]
    corrected = plans.milestone(store, "uk-nap5", "3", "2")
    assert [each["statement"]["facts"]["end"] for each in corrected["history"]] == [
        "March 2022", "Q1 2023"
    ]  # fmt: skip
    assert corrected["version"] == 2 and corrected["source"]["file"] == "nap5-amended.json"
    dropped = plans.milestone(store, "uk-nap5", "3", "1")
    assert dropped["withdrawn"]["reason"].startswith("no longer in nap5-amended.json")
    assert [m["id"] for m in plans.commitment(store, "uk-nap5", "3")["milestones"]] == ["2"]
    # The bundled plan again: back as it was published, the withdrawn milestone reinstated.
    back = plans.load(store, recorded_by="test").as_dict()
    assert back["reinstated"] == ["uk-nap5/3/1"] and back["withdrawn"] == [
        "uk-nap5/6",
        "uk-nap5/6/1",
    ]
    _fields_and_updates(store)


def _fields_and_updates(store):
    assert plans.record_field(store, "uk-nap5", "1", "leadBody", " Cabinet Office ",
                              source="https://www.gov.uk/example", recorded_by="cli:alice") == (
        "recorded"
    )  # fmt: skip
    assert plans.record_field(store, "uk-nap5", "1", "leadBody", "Cabinet Office",
                              source="https://www.gov.uk/example", recorded_by="cli:bob") == (
        "unchanged"
    )  # fmt: skip
    plans.record_field(
        store,
        "uk-nap5",
        "1",
        "ogpValues",
        "access-to-information, public-accountability",
        source="IRM review",
        recorded_by="cli:alice",
    )
    found = plans.commitment(store, "uk-nap5", "1")
    assert found["leadBody"]["value"] == "Cabinet Office"
    assert found["leadBody"]["from"] == "recorded" and found["leadBody"]["whyEmpty"] is None
    assert found["leadBody"]["source"] == "https://www.gov.uk/example"
    assert found["ogpValues"]["value"] == ["access-to-information", "public-accountability"]
    size = log.log_size(store)
    recorded = plans.record_update(
        store, "uk-nap5", "5", "4", day="2023-04-30", status="complete",
        narrative="Consulted.", evidence=[{"url": "https://example.org/r", "title": "Report"}],
        recorded_by="cli:alice",
    )  # fmt: skip
    assert recorded == "recorded" and log.log_size(store) == size + 1
    plans.record_update(store, "uk-nap5", "5", "4", day="2022-10-01", status="limited",
                        narrative="Under way.", evidence=[], recorded_by="cli:bob")  # fmt: skip
    milestone = plans.milestone(store, "uk-nap5", "5", "4", date(2024, 1, 1))
    # The newest update by its own date, whichever was recorded last: complete, not overdue.
    assert (milestone["status"], milestone["statusDate"], milestone["overdue"]) == (
        "complete",
        "2023-04-30",
        False,
    )
    assert (milestone["statusFrom"], milestone["measured"]) == ("update", None)
    assert milestone["latestUpdate"]["evidence"] == [{"url": "https://example.org/r",
                                                      "title": "Report"}]  # fmt: skip
    assert [each["statement"]["statement"] for each in milestone["history"]] == [
        "facts", "update", "update"
    ]  # fmt: skip
    assert milestone["history"][1]["statement"]["recordedBy"] == "cli:alice"
    _bad_input_stores_nothing(store)


def _bad_input_stores_nothing(store):
    size = log.log_size(store)
    update = {"day": "2023-01-01", "status": "limited", "narrative": "x", "evidence": [],
              "recorded_by": "t"}  # fmt: skip
    for target, changes, message in [
        (("uk-nap5", "9", "1"), {}, "plan uk-nap5 has no commitment '9'"),
        (("uk-nap5", "1", "9"), {}, "commitment uk-nap5/1 has no milestone '9': its milestones "
                                    "are 1, 2, 3, 4, 5"),
        (("uk-nap6", "1", "1"), {}, "there is no plan 'uk-nap6'"),
        (("uk-nap5", "1", "1"), {"status": "done"}, "status: 'done' is not a status; it is one "
                                                    "of: no-evidence, not-started"),
        (("uk-nap5", "1", "1"), {"day": "2023-02-30"}, "date: '2023-02-30' is no day"),
        (("uk-nap5", "1", "1"), {"day": "01/02/2023"}, "date: '01/02/2023' is not a date "
                                                       "written YYYY-MM-DD"),
        (("uk-nap5", "1", "1"), {"day": "2999-01-01"}, "date: 2999-01-01 is after today"),
        (("uk-nap5", "1", "1"), {"narrative": "x" * 10_001}, "narrative: holds 10,001 "
                                                             "characters; at most 10,000"),
        (("uk-nap5", "1", "1"), {"narrative": " "}, "narrative: is required"),
        (("uk-nap5", "1", "1"), {"evidence": [{"url": "ftp://x"}]}, "evidence 1: 'ftp://x' is "
                                                                    "not an http or https"),
        (("uk-nap5", "6", "1"), {}, "plan uk-nap5 has no commitment '6'"),  # withdrawn
        (("uk-nap5", "1", "1"), {}, "status: uk-nap5/1/1 is a milestone the platform measures "
                                    "(share, docs/methods/plan-milestones.md): its status follows "
                                    "from the figures, never from an update"),
    ]:  # fmt: skip
        with pytest.raises((plans.NotFound, plans.Invalid), match=re.escape(message)):
            plans.record_update(store, *target, **(update | changes))
    for name, value, source, message in [
        ("leadBody", "x", " ", "source: is required"),
        ("leadBody", "x" * 301, "s", "value: holds 301 characters; at most 300"),
        ("colour", "blue", "s", "field: 'colour' is not a field to record"),
        ("ogpValues", "openness", "s", "'openness' is not an OGP value; they are: "
                                       "access-to-information"),
    ]:  # fmt: skip
        with pytest.raises(plans.Invalid, match=re.escape(message)):
            plans.record_field(store, "uk-nap5", "1", name, value, source=source,
                               recorded_by="t")  # fmt: skip
    broken = plans.BUNDLED.read_bytes().replace(b'"Jan 2023"', b'"Jan 2O23"')
    with pytest.raises(PlanFileRefused) as refused:
        plans.load(store, _written(broken))
    assert [(p.path, p.code) for p in refused.value.problems] == [
        ("/commitments/2/milestones/0/end", "malformed-date")
    ]
    assert log.log_size(store) == size
    assert len(log.conflicts(store, REGISTER)) == 0


def _written(data: bytes) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "broken.json"
    path.write_bytes(data)
    return path


def test_the_commands(database, capsys, tmp_path):
    assert cli.main(["plans", "load"]) == 0
    out = capsys.readouterr().out
    assert "nap5.json: plan uk-nap5, 6 commitments, 22 milestones: 29 records new" in out
    assert "inconsistency: 3/2: ends-before-start: it ends 'March 2022'" in out
    assert cli.main(["plans", "show", "uk-nap5", "--on", "2022-06-01"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"2  no-evidence  April 2022 to March 2022 OVERDUE ends-before-start", out)
    assert cli.main(["plans", "set", "uk-nap5", "1", "leadBody", "Cabinet Office",
                     "--source", "https://example.org"]) == 0  # fmt: skip
    assert "uk-nap5/1 leadBody recorded" in capsys.readouterr().out
    assert cli.main(["plans", "show", "uk-nap5", "1", "5"]) == 0
    shown = orjson.loads(capsys.readouterr().out)
    assert shown["text"].startswith("Issue twice-yearly report") and shown["history"]
    assert cli.main(["plans", "list", "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)[0]["id"] == "uk-nap5"
    assert cli.main(["plans", "show", "uk-nap5", "8"]) == 1
    assert "plan uk-nap5 has no commitment '8'" in capsys.readouterr().err
    assert cli.main(["plans", "show", "uk-nap5", "--on", "tomorrow"]) == 2
    assert cli.main(["plans", "set", "uk-nap5", "1", "ogpValues", "x", "--source", "s"]) == 2
    assert "'x' is not an OGP value" in capsys.readouterr().err
    assert cli.main(["plans", "load", str(tmp_path / "missing.json")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "openbook-plan"}')
    assert cli.main(["plans", "load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "/formatVersion: required" in err and "/plan: required" in err
    # Progress updates and assessments: thin wrappers over the use cases.
    notes = tmp_path / "narrative.txt"
    notes.write_text("Consulted on the strategy.\n", encoding="utf-8")
    update = ["plans", "update", "uk-nap5", "5", "4", "--date", "2022-12-20", "--status",
              "complete", "--narrative-file", str(notes)]  # fmt: skip
    assert cli.main([*update, "--evidence", "https://example.org/s", "The strategy"]) == 0
    assert "uk-nap5/5/4 recorded" in capsys.readouterr().out
    shown = plans.milestone(database.store, "uk-nap5", "5", "4")
    assert shown["latestUpdate"]["narrative"] == "Consulted on the strategy."
    assert shown["latestUpdate"]["evidence"] == [{"url": "https://example.org/s",
                                                  "title": "The strategy"}]  # fmt: skip
    assert shown["latestUpdate"]["recordedBy"].startswith("cli:")
    size = log.log_size(database.store)
    notes.write_bytes("Caf\xe9 consulted".encode("latin-1"))
    for arguments, status, says in [
        (update, 2, "not UTF-8 text (byte 4 is 0xe9): save it as UTF-8"),
        ([*update[:-2], "--narrative", "x", "--evidence", "https://e.org", "a", "b"], 2,
         "--evidence 1: give an address and at most a title (in quotes), not 3 words"),
        ([*update[:-2], "--narrative", "x", "--evidence", "e.org"], 2,
         "evidence 1: 'e.org' is not an http or https address"),
        ([*update[:-3], "finished", "--narrative", "x"], 2, "'finished' is not a status"),
        (["plans", "update", "uk-nap5", "5", "9", "--date", "2022-12-20", "--status", "limited",
          "--narrative", "x"], 1, "commitment uk-nap5/5 has no milestone '9'"),
        (["plans", "update", "uk-nap5", "1", "2", "--date", "2022-12-20", "--status", "limited",
          "--narrative", "x"], 2, "uk-nap5/1/2 is a milestone the platform measures"),
        (["plans", "assess", "uk-nap5", "1", "--date", "2022-06-01", "--source", "s"], 2,
         "indicators: give at least one of: verifiable"),
        (["plans", "assess", "uk-nap5", "1", "--date", "2022-06-01", "--source", "s",
          "--verifiable", "yes", "--lens-values", "civic-participation"], 2,
         "verifiable: 'yes' is not on its scale: verifiable, not-verifiable"),
        (["plans", "assess", "uk-nap5", "9", "--date", "2022-06-01", "--source", "s",
          "--completion", "complete"], 1, "plan uk-nap5 has no commitment '9'"),
    ]:  # fmt: skip
        assert cli.main(arguments) == status, arguments
        err = capsys.readouterr().err
        assert says in err, err
        if status == 2 and "--evidence 1" not in says and "UTF-8" not in says:
            assert "nothing was recorded" in err
    assert log.log_size(database.store) == size
    assert cli.main(["plans", "assess", "uk-nap5", "1", "--date", "2022-06-01", "--source",
                     "https://example.org/irm", "--verifiable", "verifiable", "--lens", "yes",
                     "--lens-values", "access-to-information,public-accountability",
                     "--potential", "substantial", "--assessed-by", "OGP IRM"]) == 0  # fmt: skip
    assert "uk-nap5/1 assessment recorded" in capsys.readouterr().out
    lens = plans.commitment(database.store, "uk-nap5", "1")["assessment"]["openGovernmentLens"]
    assert (lens["value"], lens["label"], lens["lensValues"], lens["assessedBy"]) == (
        "yes", "Yes", ["access-to-information", "public-accountability"], "OGP IRM"
    )  # fmt: skip
    assert cli.main(["plans", "show", "uk-nap5"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"4  complete +March 2022 to Dec 2022\s*\n", out), out
    assert "measured: no figures have been computed yet" in out


# Measured milestones (issue 10, item 3): the rules, on figures given


def _facts(milestone: str) -> dict:
    commitment, ident = milestone.split("/")[1:]
    [found] = [c for c in BUNDLED["commitments"] if c["id"] == commitment]
    return next(m for m in found["milestones"] if m["id"] == ident)


RUN = {"logSize": 500, "asOf": "2024-06-30", "computed": "2024-07-01T00:00:00Z",
       "methods": {"milestones": "1"}}  # fmt: skip


def test_a_measured_status_follows_from_the_figures_and_the_target():
    tenders = measures.MEASURES["uk-nap5/1/1"]
    facts = _facts("uk-nap5/1/1")  # April 2022 to March 2023, 95%

    def read(figures, *, run=RUN, today=date(2024, 7, 1)):
        return measures.measured(tenders, facts, run=run, figures=figures, snapshot=None,
                                 today=today)  # fmt: skip

    months = measures.periods(tenders, facts, date(2024, 7, 1))
    assert (months[0], months[-1], len(months)) == ("2022-04", "2023-03", 12)
    spread = {("tender-published", month): measures.Counts(8, 0, 2, 0) for month in months}
    spread[("tender-published", "2022-05")] = measures.Counts(1, 9, 0, 1)
    spread[("tender-published", "2023-04")] = measures.Counts(0, 50)  # after its period
    found = read(spread)
    assert (found["for"], found["against"], found["excluded"], found["pending"]) == (
        89, 9, 22, 1
    )  # fmt: skip
    assert (found["status"], found["reason"], found["met"], found["whole"]) == (
        "limited", "below-target", False, True
    )  # fmt: skip
    assert found["why"] == "90.8% of 98 against the target of 95%: below it"
    assert found["period"] == {"from": "2022-04", "to": "2023-03"}
    assert (found["methodVersion"], found["metricsMethodVersion"], found["run"]["logSize"]) == (
        "1", "1", 500
    )  # fmt: skip
    spread[("tender-published", "2022-05")] = measures.Counts(4, 0)
    assert (read(spread)["status"], read(spread)["reason"]) == ("complete", "target-met")
    early = {**RUN, "asOf": "2023-02-01"}  # the period not yet counted whole
    assert read(spread, run=early)["status"] == "substantial"
    assert read({})["reason"] == "nothing-counted" and read({})["status"] == "no-evidence"
    assert read(spread, run=None)["reason"] == "no-run"
    assert read(spread, today=date(2022, 3, 31))["status"] == "not-started"
    # Awards within 90 days are central government's; the yearly documents report is made for
    # each calendar year its dates span, once the year is over and counted.
    assert measures.MEASURES["uk-nap5/1/2"].subject == "*central"
    documents = measures.MEASURES["uk-nap5/1/3"]
    facts = _facts("uk-nap5/1/3")
    assert measures.periods(documents, facts, date(2024, 7, 1)) == ["2022", "2023"]
    counted = {("contract-documents", "2022"): measures.Counts(
        3, 1, breakdown={"withheld": {"with withheld information": 2}})}  # fmt: skip
    found = measures.measured(documents, facts, run=RUN, figures=counted, snapshot=None,
                              today=date(2024, 7, 1))  # fmt: skip
    assert (found["status"], found["due"], found["reported"]) == ("limited", 2, 1)
    assert found["periods"][0] == {
        "period": "2022", "due": True, "counted": 4, "whole": True, "reported": True,
        "report": "/api/reports/documents/2022", "for": 3, "against": 1, "value": 0.75,
        "withheld": 2,
    }  # fmt: skip
    counted[("contract-documents", "2023")] = measures.Counts(0, 5)
    assert measures.measured(documents, facts, run=RUN, figures=counted, snapshot=None,
                             today=date(2024, 7, 1))["status"] == "complete"  # fmt: skip
    assert measures.measured(documents, facts, run=RUN, figures=counted, snapshot=None,
                             today=date(2022, 12, 1))["reason"] == "none-due"  # fmt: skip
    # The twice-yearly report: each half-year since April 2022 that is over.
    halves = measures.MEASURES["uk-nap5/1/5"]
    facts = _facts("uk-nap5/1/5")
    assert measures.periods(halves, facts, date(2023, 8, 1)) == [
        "2022-H1", "2022-H2", "2023-H1", "2023-H2"
    ]  # fmt: skip
    figures = {("award-published-90-days", "2022-H2"): measures.Counts(1),
               ("contract-documents", "2023-H1"): measures.Counts(0, 1)}  # fmt: skip
    found = measures.measured(halves, facts, run=RUN, snapshot=None, today=date(2023, 8, 1),
                              figures=figures)  # fmt: skip
    assert (found["status"], found["due"], found["reported"]) == ("limited", 3, 2)
    # The bulk download, as the newest snapshot's manifest says.
    bulk, facts = measures.MEASURES["uk-nap5/1/4"], _facts("uk-nap5/1/4")
    for snapshot, status in [
        (None, "no-evidence"),
        ({"generated": "2024-05-01T10:00:00Z", "logSize": 9, "releases": 0}, "limited"),
        ({"generated": "2024-05-01T10:00:00Z", "logSize": 9, "releases": 7}, "complete"),
    ]:
        found = measures.measured(bulk, facts, run=None, figures={}, snapshot=snapshot,
                                  today=date(2024, 7, 1))  # fmt: skip
        assert found["status"] == status
    assert found["asOf"] == "2024-05-01" and found["why"].endswith("holds 7 releases in OCDS")


# Assessments, and redacting a statement of the register


def test_assessments_and_a_redaction(database, key_dir):
    from openbook.publishing.publishers import Actor
    from openbook.redaction import redact

    store = database.store
    plans.load(store, recorded_by="test")

    def assess(**given):
        values = {"day": "2022-06-01", "source": "https://example.org/irm-review",
                  "indicators": {}, "recorded_by": "cli:alice"} | given  # fmt: skip
        return plans.record_assessment(store, "uk-nap5", "1", **values)

    review = {"verifiable": "verifiable", "openGovernmentLens": "yes",
              "potentialForResults": "modest"}  # fmt: skip
    assert assess(indicators=review, lens_values=["civic-participation"],
                  assessed_by="OGP Independent Reporting Mechanism") == "recorded"  # fmt: skip
    results = {"completion": "substantial", "earlyResults": "marginal"}
    said = {"day": "2024-04-01", "source": "UK Results Report 2021-2023, page 12",
            "indicators": results, "note": "Most data published."}  # fmt: skip
    assert assess(**said) == "recorded"
    size = log.log_size(store)
    assert assess(**said) == "unchanged" and log.log_size(store) == size
    # An older assessment recorded later does not replace a newer one's values.
    assert assess(day="2022-01-15", indicators={"potentialForResults": "substantial"}) == (
        "recorded"
    )
    found = plans.commitment(store, "uk-nap5", "1")
    assessed = found["assessment"]
    assert found["assessments"] == 3
    assert (assessed["potentialForResults"]["value"], assessed["potentialForResults"]["date"]) == (
        "modest", "2022-06-01"
    )  # fmt: skip
    assert {k: v for k, v in assessed["completion"].items() if k not in ("logTime", "seq")} == {
        "value": "substantial", "label": "Substantial", "date": "2024-04-01",
        "source": "UK Results Report 2021-2023, page 12", "assessedBy": None,
        "note": "Most data published.", "recordedBy": "cli:alice",
        "publisher": found["history"][2]["publisher"],
    }  # fmt: skip
    assert assessed["completion"]["seq"] == found["history"][2]["seq"]
    assert assessed["openGovernmentLens"]["lensValues"] == ["civic-participation"]
    assert assessed["earlyResults"]["label"] == "Marginal"
    assert [each["statement"]["statement"] for each in found["history"]] == [
        "facts", "assessment", "assessment", "assessment"
    ]  # fmt: skip
    size = log.log_size(store)
    for given, message in [
        ({"indicators": {"completion": "done"}}, "completion: 'done' is not on its scale: "
                                                 "no-evidence, not-started, limited"),
        ({"indicators": {"colour": "blue"}}, "colour: is not an indicator; they are: verifiable"),
        ({"indicators": {"verifiable": "verifiable"}, "lens_values": ["civic-participation"]},
         "lensValues: are the values an open government lens advances: give them with "
         "openGovernmentLens yes"),
        ({"indicators": {"openGovernmentLens": "yes"}, "lens_values": "openness"},
         "lensValues: 'openness' is not an OGP value"),
        ({"indicators": review, "source": " "}, "source: is required"),
        ({"indicators": review, "day": "2999-01-01"}, "date: 2999-01-01 is after today"),
        ({"indicators": review, "assessed_by": "x" * 301}, "assessed by: holds 301 characters"),
        ({"indicators": review, "note": "\x00"}, "note: holds a NUL character"),
    ]:  # fmt: skip
        with pytest.raises(plans.Invalid, match=re.escape(message)):
            assess(**given)
    with pytest.raises(plans.NotFound, match="plan uk-nap5 has no commitment '9'"):
        plans.record_assessment(store, "uk-nap5", "9", day="2022-06-01", source="s",
                                indicators=review, recorded_by="t")  # fmt: skip
    assert log.log_size(store) == size
    # Redacting a statement takes what it said from the register's row too: an update's status,
    # an assessment's values.
    plans.record_update(store, "uk-nap5", "5", "4", day="2022-12-20", status="complete",
                        narrative="A named official said so.", evidence=[],
                        recorded_by="cli:alice")  # fmt: skip
    updated = plans.milestone(store, "uk-nap5", "5", "4", date(2024, 1, 1))
    assert (updated["status"], updated["overdue"]) == ("complete", False)
    transparency.sign_tree_head(store)
    redact(store, updated["history"][-1]["seq"], "Personal data", Actor("cli:test"))
    redacted = plans.milestone(store, "uk-nap5", "5", "4", date(2024, 1, 1))
    assert (redacted["status"], redacted["overdue"], redacted["latestUpdate"]) == (
        "no-evidence", True, None
    )  # fmt: skip
    assert redacted["history"][-1]["statement"] is None and redacted["statements"] == 2
    redact(store, found["history"][2]["seq"], "Court order", Actor("cli:test"))
    assessed = plans.commitment(store, "uk-nap5", "1")["assessment"]
    assert assessed["completion"] is None and assessed["earlyResults"] is None
    assert assessed["potentialForResults"]["value"] == "modest"
    # The next statement of a record is numbered after the redacted ones.
    again = plans.record_update(store, "uk-nap5", "5", "4", day="2022-12-21", status="limited",
                                narrative="Again.", evidence=[], recorded_by="t")  # fmt: skip
    assert again == "recorded"
    assert plans.milestone(store, "uk-nap5", "5", "4")["history"][-1]["id"] == 3
