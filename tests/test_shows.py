"""`newsspider shows`: one row per show, aliases merged, the current date kept at its precision."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_records_io import make_record, run_cli, write_records

from newsspider.records_io import read_records
from newsspider.shows import build_shows, find_groups, group_records


def _rows(tmp_path: Path, records: list[dict]) -> list:
    return build_shows(read_records(write_records(tmp_path / "records.jsonl", records)).records)


def test_records_of_one_key_become_one_row(tmp_path: Path) -> None:
    rows = _rows(tmp_path, [
        make_record("Metallic Rouge", site="a.com", published="2023-08-07", studios=["Bones"]),
        make_record("Metallic Rouge", site="b.com", published="2023-09-01", platforms=["Crunchyroll"]),
        make_record("Dungeon Meshi", site="a.com", published="2023-09-02"),
    ])
    assert [(r.title, r.records, r.sources) for r in rows] == [("Dungeon Meshi", 1, 1), ("Metallic Rouge", 2, 2)]
    rouge = rows[1]
    assert rouge.studios == ["Bones"]
    assert rouge.platforms == [{"name": "Crunchyroll", "kind": "streaming"}]
    assert rouge.last_seen == "2023-09-01"


def test_keys_sharing_an_alias_merge_into_one_show(tmp_path: Path) -> None:
    rows = _rows(tmp_path, [
        make_record("Frieren: Beyond Journey's End", key="frieren-beyond-journeys-end",
                    aliases=["Sousou no Frieren"], site="a.com", published="2023-05-01"),
        make_record("Frieren: Beyond Journey's End", key="frieren-beyond-journeys-end", site="c.com",
                    published="2023-05-02"),
        make_record("Sousou no Frieren", key="sousou-no-frieren", site="b.jp", published="2023-06-01",
                    studios=["Madhouse"]),
    ])
    assert len(rows) == 1
    row = rows[0]
    assert row.key == "frieren-beyond-journeys-end"
    assert row.keys == ["frieren-beyond-journeys-end", "sousou-no-frieren"]
    assert row.title == "Frieren: Beyond Journey's End"
    assert row.aliases == ["Sousou no Frieren"]
    assert row.studios == ["Madhouse"]
    assert row.sources == 3


def test_alias_match_ignores_case_and_punctuation(tmp_path: Path) -> None:
    rows = _rows(tmp_path, [
        make_record("Oshi no Ko", key="oshi-no-ko", aliases=["[Oshi No Ko]"]),
        make_record("OSHI NO KO!", key="oshi-no-ko-jp", site="b.com"),
    ])
    assert len(rows) == 1


def test_equal_titles_under_different_keys_stay_apart(tmp_path: Path) -> None:
    rows = _rows(tmp_path, [
        make_record("The Office", key="office-us", site="a.com"),
        make_record("The Office", key="office-uk", site="b.com"),
    ])
    assert sorted(r.key for r in rows) == ["office-uk", "office-us"]


def test_latest_date_keeps_the_precision_already_known(tmp_path: Path) -> None:
    rows = _rows(tmp_path, [
        make_record("A", site="a.com", published="2023-08-01", premiere="2024-01"),
        make_record("A", site="b.com", published="2023-09-01", premiere="2024-01-10"),
        make_record("A", site="c.com", published="2023-10-01", premiere="2024-01"),
    ])
    premiere = rows[0].premiere
    assert (premiere.value, premiere.precision, premiere.source.site) == ("2024-01-10", "day", "b.com")


def test_latest_inconsistent_report_wins_as_a_change(tmp_path: Path) -> None:
    rows = _rows(tmp_path, [
        make_record("A", site="a.com", published="2023-08-01", premiere="2024-01-10"),
        make_record("A", site="b.com", published="2023-12-20", premiere="2024-spring"),
    ])
    assert (rows[0].premiere.value, rows[0].premiere.precision) == ("2024-spring", "season")


def test_same_day_disagreement_is_marked_disputed(tmp_path: Path) -> None:
    rows = _rows(tmp_path, [
        make_record("A", site="a.com", published="2023-08-01", premiere="2024-01-10"),
        make_record("A", site="b.com", published="2023-08-01", premiere="2024-01-12"),
    ])
    assert rows[0].premiere.disputed == ["2024-01-10"]
    assert rows[0].premiere.value == "2024-01-12"


def test_first_announced_prefers_a_stated_announcement_date(tmp_path: Path) -> None:
    rows = _rows(tmp_path, [
        make_record("A", site="a.com", published="2023-08-01"),
        make_record("A", site="b.com", published="2023-09-01", announced="2023-03-22"),
        make_record("B", site="a.com", published="2023-08-05"),
    ])
    a, b = rows
    assert (a.first_announced.date, a.first_announced.basis, a.first_announced.source.site) == (
        "2023-03-22", "announcement", "b.com")
    assert (b.first_announced.date, b.first_announced.basis) == ("2023-08-05", "published")


def test_show_lookup_by_alias_then_by_substring(tmp_path: Path) -> None:
    path = write_records(tmp_path / "r.jsonl", [
        make_record("Frieren", aliases=["Sousou no Frieren"]), make_record("Metallic Rouge"),
    ])
    groups = group_records(read_records(path).records)
    assert [g.title for g in find_groups(groups, "sousou no frieren")] == ["Frieren"]
    assert [g.title for g in find_groups(groups, "rouge")] == ["Metallic Rouge"]
    assert find_groups(groups, "Bocchi") == []


def _fixture(tmp_path: Path) -> Path:
    return write_records(tmp_path / "records.jsonl", [
        make_record("Metallic Rouge", site="a.com", published="2023-08-07", premiere="2024-01",
                    platforms=["Crunchyroll", ("Fuji TV", "broadcast")], studios=["Bones"]),
        make_record("Frieren", aliases=["Sousou no Frieren"], site="b.com", published="2023-05-01"),
    ])


def test_text_output_is_a_plain_table_when_piped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["shows", str(_fixture(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    assert "Metallic Rouge" in out and "Crunchyroll (streaming), Fuji TV (broadcast)" in out
    assert "2024-01 premiere, month" in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_jsonl_output_file_has_one_row_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "shows.jsonl"
    assert run_cli(["shows", str(_fixture(tmp_path)), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["title"] for r in rows] == ["Frieren", "Metallic Rouge"]
    assert rows[1]["premiere"]["value"] == "2024-01"
    assert "wrote 2 shows to" in capsys.readouterr().err


def test_csv_output_flattens_lists_and_dates(tmp_path: Path) -> None:
    out = tmp_path / "shows.csv"
    assert run_cli(["shows", str(_fixture(tmp_path)), "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    rouge = rows[1]
    assert rouge["platforms"] == "Crunchyroll (streaming); Fuji TV (broadcast)"
    assert (rouge["premiere"], rouge["premiere_precision"], rouge["premiere_site"]) == ("2024-01", "month", "a.com")
    assert rows[0]["aliases"] == "Sousou no Frieren"


def test_parquet_output_keeps_nested_rows(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "shows.parquet"
    assert run_cli(["shows", str(_fixture(tmp_path)), "-o", str(out)]) == 0
    table = pq.read_table(out).to_pylist()
    assert table[1]["platforms"][1] == {"name": "Fuji TV", "kind": "broadcast"}
    assert table[0]["premiere"] is None


def test_unknown_output_extension_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["shows", str(_fixture(tmp_path)), "-o", str(tmp_path / "shows.xlsx")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
