"""`newsspider diff`: shows added, removed and changed, with exit status 0/1/2 like diff(1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_records_io import make_record, run_cli, write_records

BASE = [
    make_record("Metallic Rouge", site="a.com", published="2023-08-07", premiere="2024-01",
                platforms=["Crunchyroll"], studios=["Bones"]),
    make_record("Old Show", site="a.com", published="2023-08-08"),
]


def _diff_json(capsys: pytest.CaptureFixture[str], argv: list[str], expected_exit: int) -> dict[str, Any]:
    assert run_cli(["diff", *argv, "--format", "json"]) == expected_exit
    return json.loads(capsys.readouterr().out)


def test_same_records_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write_records(tmp_path / "old.jsonl", BASE)
    new = write_records(tmp_path / "new.jsonl", [*BASE, make_record("Metallic Rouge", site="b.com",
                                                                     published="2023-09-01", premiere="2024-01")])
    assert run_cli(["diff", str(old), str(new)]) == 0
    assert "no differences" in capsys.readouterr().out


def test_added_removed_and_changed_shows_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write_records(tmp_path / "old.jsonl", BASE)
    new = write_records(tmp_path / "new.jsonl", [
        BASE[0],
        make_record("Metallic Rouge", site="crunchyroll.com", published="2023-10-01", premiere="2024-01-09",
                    platforms=["Crunchyroll", "Netflix"]),
        make_record("Dungeon Meshi", site="b.com", published="2023-10-02", premiere="2024-01-04"),
    ])
    doc = _diff_json(capsys, [str(old), str(new)], 1)
    assert doc["summary"] == {"added": 1, "removed": 1, "changed": 1}
    assert [s["title"] for s in doc["added"]] == ["Dungeon Meshi"]
    assert [s["title"] for s in doc["removed"]] == ["Old Show"]
    [changed] = doc["changed"]
    assert changed["key"] == "metallic-rouge"
    summaries = {c["summary"]: c["source"]["site"] if c["source"] else None for c in changed["changes"]}
    assert summaries == {
        "platforms + Netflix (streaming)": "crunchyroll.com",
        "premiere 2024-01 → 2024-01-09 (refinement)": "crunchyroll.com",
    }

    assert run_cli(["diff", str(old), str(new)]) == 1
    text = capsys.readouterr().out
    assert "+ Dungeon Meshi [dungeon-meshi]" in text
    assert "- Old Show [old-show]" in text
    assert "~ Metallic Rouge [metallic-rouge]" in text
    assert "premiere 2024-01 → 2024-01-09 (refinement)  — crunchyroll.com https://crunchyroll.com/news/" in text
    assert "1 added, 1 removed, 1 changed" in text


def test_inconsistent_date_is_changed_not_refined(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write_records(tmp_path / "old.jsonl", BASE)
    new = write_records(tmp_path / "new.jsonl", [*BASE, make_record("Metallic Rouge", site="b.com",
                                                                     published="2023-12-01", premiere="2024-04")])
    [change] = _diff_json(capsys, [str(old), str(new)], 1)["changed"][0]["changes"]
    assert (change["field"], change["change"], change["old"], change["new"]) == ("premiere", "changed", "2024-01",
                                                                                 "2024-04")


def test_at_two_dates_on_one_growing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_records(tmp_path / "records.jsonl", [
        *BASE,
        make_record("Metallic Rouge", site="b.com", published="2023-10-01", studios=["Bones", "Studio X"]),
        make_record("Late Show", site="c.com", published=None, extracted_at="2023-11-15T00:00:00Z"),
    ])
    doc = _diff_json(capsys, [str(path), "--at", "2023-09-01", "--at", "2023-12-31"], 1)
    assert (doc["old"]["at"], doc["old"]["records"], doc["new"]["records"]) == ("2023-09-01", 2, 4)
    assert [s["title"] for s in doc["added"]] == ["Late Show"]
    assert doc["removed"] == []
    assert [c["summary"] for c in doc["changed"][0]["changes"]] == ["studios + Studio X"]

    doc = _diff_json(capsys, [str(path), "--at", "2023-10-02", "--at", "2023-11-01"], 0)
    assert doc["summary"] == {"added": 0, "removed": 0, "changed": 0}


def test_empty_old_file_means_every_show_is_added(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.jsonl"
    old.write_text("")
    new = write_records(tmp_path / "new.jsonl", BASE)
    doc = _diff_json(capsys, [str(old), str(new)], 1)
    assert doc["summary"]["added"] == 2


def test_trouble_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_records(tmp_path / "good.jsonl", BASE)
    garbage = write_records(tmp_path / "garbage.jsonl", ["not json", "still not"])
    assert run_cli(["diff", str(good), str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: no such file" in capsys.readouterr().err
    assert run_cli(["diff", str(good), str(garbage)]) == 2
    assert f"{garbage}:1: not JSON, skipped" in capsys.readouterr().err
    assert run_cli(["diff", str(good)]) == 2
    assert "diff needs OLD.jsonl NEW.jsonl" in capsys.readouterr().err
    assert run_cli(["diff", str(good), str(good), "--at", "2024-01-01"]) == 2


def test_skipped_lines_warn_but_still_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write_records(tmp_path / "old.jsonl", BASE)
    new = write_records(tmp_path / "new.jsonl", BASE, tail='{"schema": 1, "rec')
    assert run_cli(["diff", str(old), str(new)]) == 0
    assert f"{new}:3: torn last line" in capsys.readouterr().err
