"""`newsspider timeline`: claims in publication order, refinements vs changes, conflicts kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_records_io import make_record, run_cli, write_records

from newsspider.timeline import DateValue, compare


def _timeline_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], records: list, *extra: str) -> dict[str, Any]:
    path = write_records(tmp_path / "records.jsonl", records)
    assert run_cli(["timeline", str(path), "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def _steps(show: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
    return [(c["when"], c["field"], c["action"], c["new"]) for c in show["claims"]]


def test_claims_follow_published_date_not_file_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _timeline_json(tmp_path, capsys, [
        make_record("A", site="late.com", published="2023-10-01", premiere="2024-01-10"),
        make_record("A", site="early.com", published="2023-08-07", premiere="2024-01", studios=["Bones"]),
        make_record("A", site="mid.com", published="2023-09-01T09:30:00+09:00", platforms=["Netflix"]),
    ])
    assert _steps(doc["shows"][0]) == [
        ("2023-08-07", "show", "first_report", "A"),
        ("2023-08-07", "premiere", "set", "2024-01"),
        ("2023-08-07", "studios", "added", "Bones"),
        ("2023-09-01", "platforms", "added", "Netflix (streaming)"),
        ("2023-10-01", "premiere", "refinement", "2024-01-10"),
    ]
    refinement = doc["shows"][0]["claims"][-1]
    assert (refinement["old"], refinement["sources"][0]["site"]) == ("2024-01", "late.com")
    assert refinement["sources"][0]["url"] == "https://late.com/news/a/2023-10-01"


@pytest.mark.parametrize(("old", "new", "relation"), [
    ("2024-01", "2024-01-10", "refines"),
    ("2024-01-10", "2024-01", "vaguer"),
    ("2024-01-10", "2024-01-12", "differs"),
    ("2024-fall", "2024-10-04", "refines"),
    ("2024-fall", "2024-09-27", "refines"),
    ("2024-Q1", "2024-04", "differs"),
    ("2024", "2024-H2", "refines"),
    ("2024-10-18/2024-10-20", "2024-10-19", "refines"),
    ("--01-10", "2024-01-10", "refines"),
    ("2024-01-10", "--01-11", "differs"),
    ("2024-01", "2024-01", "same"),
])
def test_refinement_is_a_narrower_consistent_value(old: str, new: str, relation: str) -> None:
    assert compare(DateValue(old), DateValue(new)) == relation


def test_early_late_qualifiers_narrow_the_value() -> None:
    assert compare(DateValue("2024", "year", "early"), DateValue("2024-11", "month")) == "differs"
    assert compare(DateValue("2024", "year", "late"), DateValue("2024-11", "month")) == "refines"


def test_inconsistent_later_report_is_a_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _timeline_json(tmp_path, capsys, [
        make_record("A", site="a.com", published="2023-08-01", premiere="2024-01-10"),
        make_record("A", site="b.com", published="2023-12-01", premiere="2024-04"),
        make_record("A", site="c.com", published="2023-12-05", premiere="2024-04"),
    ])
    change = doc["shows"][0]["claims"][-1]
    assert (change["action"], change["old"], change["new"], change["precision"]) == ("change", "2024-01-10", "2024-04",
                                                                                     "month")
    assert [s["site"] for s in change["confirmed_by"]] == ["c.com"]


def test_same_day_disagreement_is_a_conflict_not_a_choice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_records(tmp_path / "records.jsonl", [
        make_record("A", site="a.com", published="2023-08-01", premiere="2024-01"),
        make_record("A", site="b.com", published="2023-11-02", premiere="2024-01-10"),
        make_record("A", site="c.com", published="2023-11-02T20:00:00Z", premiere="2024-01-12"),
        make_record("A", site="d.com", published="2023-11-20", premiere="2024-01-12"),
    ])
    assert run_cli(["timeline", str(path), "--format", "json"]) == 0
    claims = json.loads(capsys.readouterr().out)["shows"][0]["claims"]
    conflict = next(c for c in claims if c["action"] == "conflict")
    assert conflict["when"] == "2023-11-02"
    assert conflict["old"] == "2024-01"
    assert [(v["value"], [s["site"] for s in v["sources"]]) for v in conflict["values"]] == [
        ("2024-01-10", ["b.com"]), ("2024-01-12", ["c.com"]),
    ]
    settled = claims[-1]
    assert (settled["action"], settled["old"], settled["new"]) == (
        "resolution", "2024-01-10 | 2024-01-12", "2024-01-12")

    assert run_cli(["timeline", str(path)]) == 0
    text = capsys.readouterr().out
    assert "premiere CONFLICT: 2024-01-10 (b.com) vs 2024-01-12 (c.com)" in text


def test_consistent_reports_on_one_day_are_not_a_conflict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _timeline_json(tmp_path, capsys, [
        make_record("A", site="a.com", published="2023-11-02", premiere="2024-01"),
        make_record("A", site="b.com", published="2023-11-02", premiere="2024-01-10"),
    ])
    premiere = [c for c in doc["shows"][0]["claims"] if c["field"] == "premiere"]
    assert [(c["action"], c["new"]) for c in premiere] == [("set", "2024-01-10")]
    assert [s["site"] for s in premiere[0]["confirmed_by"]] == ["a.com"]


def test_records_without_published_date_use_extracted_at_and_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_records(tmp_path / "records.jsonl", [
        make_record("A", site="a.com", published="2023-08-01", premiere="2024-01"),
        make_record("A", site="b.com", published=None, extracted_at="2023-09-15T10:00:00Z", premiere="2024-02"),
    ])
    assert run_cli(["timeline", str(path), "--format", "json"]) == 0
    claims = json.loads(capsys.readouterr().out)["shows"][0]["claims"]
    assert (claims[-1]["when"], claims[-1]["basis"], claims[-1]["sources"][0]["basis"]) == (
        "2023-09-15", "extracted_at", "extracted_at")
    assert run_cli(["timeline", str(path)]) == 0
    text = capsys.readouterr().out
    assert "2023-09-15*" in text
    assert "* no published date: ordered by extraction time (extracted_at)" in text


def test_superseded_dates_in_a_record_are_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dates = [
        {"kind": "premiere", "text": "fall 2023", "value": "2023-fall", "precision": "season", "superseded": True},
        {"kind": "premiere", "text": "January 2024", "value": "2024-01", "precision": "month"},
    ]
    doc = _timeline_json(tmp_path, capsys, [make_record("A", dates=dates)])
    assert [c["new"] for c in doc["shows"][0]["claims"] if c["field"] == "premiere"] == ["2024-01"]


def test_show_option_matches_an_alias(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _timeline_json(tmp_path, capsys, [
        make_record("Frieren", aliases=["Sousou no Frieren"]), make_record("Metallic Rouge"),
    ], "--show", "SOUSOU NO FRIEREN")
    assert [s["title"] for s in doc["shows"]] == ["Frieren"]


def test_unknown_show_exits_1_with_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_records(tmp_path / "records.jsonl", [make_record("Metallic Rouge")])
    assert run_cli(["timeline", str(path), "--show", "Metalic Rouge Season"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: no show matching 'Metalic Rouge Season' among 1 shows; did you mean 'Metallic Rouge'?" in (
        captured.err)


def test_since_hides_earlier_claims_but_they_still_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _timeline_json(tmp_path, capsys, [
        make_record("A", site="a.com", published="2023-08-01", premiere="2024-01"),
        make_record("A", site="b.com", published="2023-10-01", premiere="2024-01-10"),
        make_record("B", site="a.com", published="2023-08-01"),
    ], "--since", "2023-09-01")
    assert doc["since"] == "2023-09-01"
    [show] = doc["shows"]
    assert show["hidden_before_since"] == 2
    assert [(c["action"], c["old"], c["new"]) for c in show["claims"]] == [("refinement", "2024-01", "2024-01-10")]


def test_json_document_has_the_documented_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _timeline_json(tmp_path, capsys, [make_record("A", premiere="2024-01")])
    assert list(doc) == ["format", "version", "records_file", "since", "shows"]
    assert (doc["format"], doc["version"]) == ("newsspider-timeline", 1)
    show = doc["shows"][0]
    assert list(show) == ["key", "title", "aliases", "keys", "records", "ordered_by_extraction",
                          "hidden_before_since", "claims"]
    assert list(show["claims"][1]) == ["when", "basis", "field", "action", "old", "new", "precision", "qualifier",
                                       "text", "summary", "sources", "confirmed_by", "values"]
    assert list(show["claims"][1]["sources"][0]) == ["site", "url", "title", "published", "when", "basis",
                                                     "record_id", "line"]


def test_bad_since_date_is_a_usage_error(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", [make_record("A")])
    with pytest.raises(SystemExit) as exit_info:
        run_cli(["timeline", str(path), "--since", "last week"])
    assert exit_info.value.code == 2
