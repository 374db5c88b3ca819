"""The "Loading the data" snippets in README.md run, as written, on a records file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_records_io import make_record, write_records

DOC = Path(__file__).resolve().parents[1] / "README.md"
LIBRARIES = {"pandas": "pandas", "duckdb": "duckdb", "polars": "polars"}


def _snippet(name: str) -> str:
    match = re.search(rf"<!-- loading-example: {name} -->\s*```python\n(.*?)```", DOC.read_text(encoding="utf-8"),
                      re.DOTALL)
    assert match, f"README.md has no loading example for {name}"
    return match.group(1)


@pytest.fixture
def records_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A records.jsonl in the working directory whose first 120 lines carry no dates, so a
    reader that guesses types from the first lines only would fail; then a few dated ones."""
    records = [make_record(f"Show {i}", site=f"site{i % 7}.com") for i in range(120)]
    records += [
        make_record("Metallic Rouge", site="a.com", published="2023-08-07", premiere="2024-01",
                    platforms=["Crunchyroll"], studios=["Bones"]),
        make_record("Metallic Rouge", site="b.com", published="2023-10-01", premiere="2024-01-10",
                    supersedes="0" * 40),
        make_record("Frieren", site="c.com", published=None, premiere="2023-fall", announced="2023-03-22"),
    ]
    write_records(tmp_path / "records.jsonl", records)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(name: str) -> dict[str, Any]:
    pytest.importorskip(LIBRARIES[name])
    namespace: dict[str, Any] = {}
    exec(compile(_snippet(name), f"README.md[{name}]", "exec"), namespace)
    return namespace


def test_pandas_snippet(records_dir: Path) -> None:
    ns = _run("pandas")
    assert len(ns["df"]) == 123
    assert "show.title" in ns["flat"].columns and "article.published" in ns["flat"].columns
    premieres = ns["premieres"]
    assert sorted(premieres["value"]) == ["2023-fall", "2024-01", "2024-01-10"]
    assert set(premieres["title"]) == {"Metallic Rouge", "Frieren"}


def test_duckdb_snippet(records_dir: Path) -> None:
    ns = _run("duckdb")
    assert ns["records"].shape[0] == 123
    rows = ns["premieres"]
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [
        ("metallic-rouge", "2024-01", "month", "a.com"),
        ("metallic-rouge", "2024-01-10", "day", "b.com"),
        ("frieren", "2023-fall", "season", "c.com"),
    ]


def test_polars_snippet(records_dir: Path) -> None:
    ns = _run("polars")
    assert ns["df"].height == 123
    assert ns["titles"].columns == ["title", "site"]
    assert ns["premieres"].to_dicts() == [
        {"key": "metallic-rouge", "premiere": "2024-01", "published": "2023-08-07"},
        {"key": "metallic-rouge", "premiere": "2024-01-10", "published": "2023-10-01"},
        {"key": "frieren", "premiere": "2023-fall", "published": None},
    ]


def test_shows_parquet_loads_in_pandas(records_dir: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from test_records_io import run_cli

    assert run_cli(["shows", "records.jsonl", "-o", "shows.parquet"]) == 0
    shows = pd.read_parquet("shows.parquet")
    assert len(shows) == 122
    rouge = shows[shows["key"] == "metallic-rouge"].iloc[0]
    assert rouge["premiere"]["value"] == "2024-01-10"
