"""schema/record.schema.json and schema/show.schema.json: valid draft 2020-12, and they agree with
the records we write (items.ShowRecord) and the rows `shows` writes."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from test_records_io import make_record, write_records

from newsspider.items import ShowRecord
from newsspider.records_io import read_records
from newsspider.shows import build_shows, rows_to_jsonl

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schema"


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


RECORD = _validator("record.schema.json")
SHOW = _validator("show.schema.json")


def _full_record() -> dict[str, Any]:
    record = make_record(
        "Metallic Rouge", premiere="2024-01", announced="2023-03-22",
        platforms=["Crunchyroll", ("Fuji TV", "broadcast")],
        studios=["Bones"], aliases=["メタリックルージュ"], supersedes="0" * 40,
    )
    record["dates"] += [
        {"kind": "other", "text": "next spring", "value": None, "precision": None},
        {"kind": "release", "text": "early 2025", "value": "2025", "precision": "year", "qualifier": "early"},
        {"kind": "premiere", "text": "fall 2023", "value": "2023-fall", "precision": "season", "superseded": True},
        {"kind": "premiere", "text": "Q3 2025", "value": "2025-Q3", "precision": "quarter"},
        {"kind": "premiere", "text": "second half of 2025", "value": "2025-H2", "precision": "half"},
        {"kind": "other", "text": "Oct 18-20", "value": "2024-10-18/2024-10-20", "precision": "range"},
        {"kind": "premiere", "text": "January 10", "value": "--01-10", "precision": "day"},
    ]
    record["evidence"] = [
        {"field": "studios", "value": "Bones", "sentence": "Bones animates it.", "start": 0, "end": 5},
    ]
    record["article"]["published"] = "2023-08-07T09:30:00+09:00"
    return record


def test_a_full_record_validates() -> None:
    errors = [e.message for e in RECORD.iter_errors(_full_record())]
    assert errors == []


def test_the_minimal_records_we_build_validate() -> None:
    assert RECORD.is_valid(make_record("A", published=None))


def _broken(change: str) -> dict[str, Any]:
    record = copy.deepcopy(_full_record())
    if change == "extra top-level field":
        record["confidence"] = 0.9
    elif change == "missing field":
        del record["evidence"]
    elif change == "other schema version":
        record["schema"] = 2
    elif change == "unknown platform kind":
        record["platforms"][0]["kind"] = "podcast"
    elif change == "month value with day precision":
        record["dates"][0]["precision"] = "day"
    elif change == "made-up date format":
        record["dates"][0]["value"] = "January 2024"
    elif change == "extracted_at without Z":
        record["extracted_at"] = "2024-06-01T00:00:00"
    elif change == "published not ISO":
        record["article"]["published"] = "yesterday"
    elif change == "unknown qualifier":
        record["dates"][0]["qualifier"] = "sometime"
    elif change == "superseded false":
        record["dates"][0]["superseded"] = False
    elif change == "extra field in show":
        record["show"]["season"] = 2
    elif change == "primary as string":
        record["primary"] = "yes"
    return record


@pytest.mark.parametrize("change", [
    "extra top-level field", "missing field", "other schema version", "unknown platform kind",
    "month value with day precision", "made-up date format", "extracted_at without Z", "published not ISO",
    "unknown qualifier", "superseded false", "extra field in show", "primary as string",
])
def test_bad_records_are_rejected(change: str) -> None:
    assert not RECORD.is_valid(_broken(change))


def test_record_schema_lists_exactly_the_show_record_fields() -> None:
    fields = {f.name for f in dataclasses.fields(ShowRecord)}
    assert set(RECORD.schema["properties"]) == fields
    optional = {f.name for f in dataclasses.fields(ShowRecord) if f.default is None}
    assert set(RECORD.schema["required"]) == fields - optional
    assert RECORD.schema["additionalProperties"] is False


def test_show_record_to_json_validates() -> None:
    data = _full_record()
    record = ShowRecord(**{k: v for k, v in data.items() if k != "schema"})
    assert RECORD.is_valid(record.to_json())


def test_show_rows_validate_against_the_show_schema(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", [
        _full_record(),
        make_record("Metallic Rouge", site="b.com", published="2023-09-01", premiere="2024-01-12"),
        make_record("Metallic Rouge", site="c.com", published="2023-09-01", premiere="2024-01-10"),
        make_record("No Dates", published=None),
    ])
    rows = build_shows(read_records(path).records)
    for line in rows_to_jsonl(rows).splitlines():
        row = json.loads(line)
        assert [e.message for e in SHOW.iter_errors(row)] == []
    assert rows[0].premiere is not None and rows[0].premiere.disputed
    assert rows[1].premiere is None


def test_show_schema_lists_exactly_the_row_fields(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", [make_record("A")])
    row = build_shows(read_records(path).records)[0].to_json()
    assert list(SHOW.schema["properties"]) == list(row)
    assert set(SHOW.schema["required"]) == set(row)
