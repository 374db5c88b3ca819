"""Reading records files: bad lines are reported as file:line and skipped, good lines still used.

This module also holds the small builders the other analysis tests import (`make_record`,
`write_records`, `run_cli`), so each test states its input in a few lines.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from newsspider import analysis_cli
from newsspider.records_io import RecordsFileError, parse_cutoff, read_records, reported_by

_PRECISIONS = [
    (r"^\d{4}-\d{2}-\d{2}$", "day"), (r"^\d{4}-\d{2}$", "month"), (r"^\d{4}-(winter|spring|summer|fall)$", "season"),
    (r"^\d{4}-Q\d$", "quarter"), (r"^\d{4}-H\d$", "half"), (r"^\d{4}$", "year"), (r"/", "range"),
    (r"^--", "day"),
]


def _date(kind: str, value: str, **extra: Any) -> dict[str, Any]:
    precision = next(p for pattern, p in _PRECISIONS if re.search(pattern, value))
    return {"kind": kind, "text": f"text for {value}", "value": value, "precision": precision, **extra}


def make_record(
    title: str,
    *,
    site: str = "example.com",
    published: str | None = "2024-01-01",
    premiere: str | None = None,
    release: str | None = None,
    announced: str | None = None,
    platforms: Iterable[str | tuple[str, str]] = (),
    studios: Iterable[str] = (),
    key: str | None = None,
    aliases: Iterable[str] = (),
    extracted_at: str = "2024-06-01T00:00:00Z",
    url: str | None = None,
    dates: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A schema-1 record dict; only what a test cares about needs saying."""
    key = key or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    url = url or f"https://{site}/news/{key}/{published or extracted_at[:10]}"
    article_id = hashlib.sha1(url.encode()).hexdigest()[:16]
    if dates is None:
        dates = []
        for kind, value in (("premiere", premiere), ("release", release), ("announcement", announced)):
            if value:
                dates.append(_date(kind, value))
    record: dict[str, Any] = {
        "schema": 1,
        "record_id": hashlib.sha1(f"{key}|{article_id}".encode()).hexdigest(),
        "show": {"title": title, "key": key, "aliases": list(aliases)},
        "studios": list(studios),
        "platforms": [
            {"name": p, "kind": "streaming"} if isinstance(p, str) else {"name": p[0], "kind": p[1]}
            for p in platforms
        ],
        "dates": dates,
        "article": {"id": article_id, "url": url, "canonical_url": url, "site": site,
                    "title": f"{title} news on {site}", "published": published, "also_at": []},
        "evidence": [],
        "primary": True,
        "extracted_at": extracted_at,
        "extractor": {"version": "0.1.0", "model": "newsspider-ner 0.1.0"},
    }
    record.update(overrides)
    return record


def write_records(path: Path, records: Sequence[dict[str, Any] | str], tail: str = "") -> Path:
    """One JSON line per record (strings are written as they are), then `tail` with no newline."""
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("".join(line + "\n" for line in lines) + tail, encoding="utf-8")
    return path


def run_cli(argv: list[str]) -> int:
    """Parse argv the way the main CLI will (register + args.func) and return the exit code."""
    parser = argparse.ArgumentParser(prog="newsspider")
    analysis_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


# --- tests -------------------------------------------------------------------------------------


def test_good_lines_are_read_with_their_line_numbers(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", [make_record("A"), make_record("B")])
    loaded = read_records(path)
    assert [(r.lineno, r.title) for r in loaded.records] == [(1, "A"), (2, "B")]
    assert loaded.problems == []


def test_non_json_line_is_reported_with_file_and_line_and_skipped(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", [make_record("A"), "this is not json", make_record("B")])
    loaded = read_records(path)
    assert [r.title for r in loaded.records] == ["A", "B"]
    assert [str(p) for p in loaded.problems] == [f"{path}:2: not JSON, skipped"]


def test_torn_last_line_is_reported_as_torn_and_earlier_lines_kept(tmp_path: Path) -> None:
    torn = json.dumps(make_record("C"))[:40]
    path = write_records(tmp_path / "records.jsonl", [make_record("A"), make_record("B")], tail=torn)
    loaded = read_records(path)
    assert [r.title for r in loaded.records] == ["A", "B"]
    assert len(loaded.problems) == 1
    assert str(loaded.problems[0]).startswith(f"{path}:3: torn last line")


def test_complete_last_line_without_newline_is_accepted(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", [make_record("A")], tail=json.dumps(make_record("B")))
    assert [r.title for r in read_records(path).records] == ["A", "B"]


def test_line_of_another_schema_version_is_skipped_with_its_version(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", [make_record("A", schema=2), make_record("B")])
    loaded = read_records(path)
    assert [r.title for r in loaded.records] == ["B"]
    assert str(loaded.problems[0]) == f"{path}:1: schema version 2, this newsspider reads schema 1, skipped"


def test_record_missing_a_field_is_skipped_naming_the_field(tmp_path: Path) -> None:
    broken = make_record("A")
    del broken["show"]
    path = write_records(tmp_path / "records.jsonl", [broken, make_record("B"), '["a", "list"]'])
    messages = [str(p) for p in read_records(path).problems]
    assert messages == [
        f"{path}:1: missing field show, skipped",
        f"{path}:3: a JSON list, not a record object, skipped",
    ]


def test_missing_file_raises_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(RecordsFileError, match=r"nope\.jsonl: no such file"):
        read_records(tmp_path / "nope.jsonl")


def test_blank_lines_are_ignored_silently(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", ["", make_record("A"), "   "])
    loaded = read_records(path)
    assert [r.lineno for r in loaded.records] == [2]
    assert loaded.problems == []


def test_repeated_record_id_keeps_the_later_line(tmp_path: Path) -> None:
    first = make_record("A", premiere="2024-01")
    again = make_record("A", premiere="2024-02")
    path = write_records(tmp_path / "records.jsonl", [first, again])
    loaded = read_records(path)
    assert [r.lineno for r in loaded.records] == [2]
    assert "repeats line 1" in str(loaded.problems[0])


def test_superseded_record_is_dropped(tmp_path: Path) -> None:
    old = make_record("A", premiere="2024-01")
    new = make_record("A", premiere="2024-01-10", url="https://example.com/other", supersedes=old["record_id"])
    loaded = read_records(write_records(tmp_path / "records.jsonl", [old, new]))
    assert [r.lineno for r in loaded.records] == [2]


def test_missing_published_date_falls_back_to_extracted_at(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", [
        make_record("A", published=None, extracted_at="2024-03-05T08:00:00Z"),
        make_record("B", published="last Tuesday", extracted_at="2024-03-06T08:00:00Z"),
    ])
    loaded = read_records(path)
    assert [(r.stamp.day, r.stamp.basis) for r in loaded.records] == [
        ("2024-03-05", "extracted_at"), ("2024-03-06", "extracted_at"),
    ]
    assert "'last Tuesday' is not an ISO date" in str(loaded.problems[0])


def test_cutoff_by_day_or_instant(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", [
        make_record("A", published="2024-01-09"),
        make_record("B", published="2024-01-09T18:00:00+00:00"),
        make_record("C", published="2024-01-10"),
    ])
    lines = read_records(path).records
    assert [r.title for r in lines if reported_by(r, parse_cutoff("2024-01-09"))] == ["A", "B"]
    assert [r.title for r in lines if reported_by(r, parse_cutoff("2024-01-09T12:00:00Z"))] == ["A"]


def test_cli_reports_bad_lines_on_stderr_and_still_gives_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_records(tmp_path / "records.jsonl", [make_record("A"), "{oops", make_record("B")], tail='{"sch')
    assert run_cli(["shows", str(path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert [s["title"] for s in json.loads(out)["shows"]] == ["A", "B"]
    assert f"{path}:2: not JSON, skipped" in err
    assert f"{path}:4: torn last line" in err


def test_strict_turns_skipped_lines_into_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_records(tmp_path / "records.jsonl", [make_record("A"), "{oops"])
    assert run_cli(["shows", str(path), "--strict"]) == 2
    assert "--strict" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["shows"], ["timeline"]])
def test_empty_file_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text("")
    assert run_cli([*command, str(path)]) == 2
    assert f"{path}: no usable records (the file is empty)" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["shows"], ["timeline"]])
def test_file_with_no_usable_line_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    path = write_records(tmp_path / "records.jsonl", ["nope", make_record("A", schema=2)])
    assert run_cli([*command, str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:1: not JSON, skipped" in err
    assert "no usable records (all 2 line(s) were skipped)" in err


@pytest.mark.parametrize("command", [["shows"], ["timeline"], ["diff", "--at", "2024-01-01", "--at", "2024-02-01"]])
def test_missing_file_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    missing = tmp_path / "missing.jsonl"
    assert run_cli([command[0], str(missing), *command[1:]]) == 2
    assert f"{missing}: no such file" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["shows", "timeline", "diff"])
def test_every_command_has_help_with_examples_and_exit_statuses(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_cli([command, "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert "examples:" in help_text and "exit status" in help_text and "--strict" in help_text
