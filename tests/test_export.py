import json

import pytest

from newsspider.items import ShowRecord
from pipelines.export import RecordSink, repair_torn_tail
from pipelines.state import CrawlState, StateError


def record(i: int) -> ShowRecord:
    return ShowRecord(record_id=f"r{i}", show={"title": f"Show {i}", "key": f"show-{i}", "aliases": []},
                      studios=[], platforms=[], dates=[],
                      article={"id": f"a{i}", "url": f"https://x/{i}", "canonical_url": None, "site": "x",
                               "title": None, "published": None, "also_at": []},
                      evidence=[], primary=True, extracted_at="2026-01-01T00:00:00Z",
                      extractor={"version": "0", "model": "m"})


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_records_are_written_once_across_runs(tmp_path):
    out = tmp_path / "records.jsonl"
    for _ in range(2):
        state = CrawlState(tmp_path / "state")
        sink = RecordSink(out, state, fsync_every=2)
        for i in range(5):
            sink.write(record(i))
        sink.close()
        state.close()
    assert [r["record_id"] for r in lines(out)] == [f"r{i}" for i in range(5)]


def test_lines_written_after_the_last_checkpoint_are_not_repeated(tmp_path):
    """A run killed after writing but before committing: the next run reads the ids back from the file."""
    out = tmp_path / "records.jsonl"
    state = CrawlState(tmp_path / "state")
    sink = RecordSink(out, state, fsync_every=1000)
    for i in range(3):
        sink.write(record(i))
    sink.writer.handle.flush()
    state.db.rollback()
    state.close()  # no sink.close(): ids were never committed
    state = CrawlState(tmp_path / "state")
    sink = RecordSink(out, state)
    for i in range(4):
        sink.write(record(i))
    sink.close()
    assert [r["record_id"] for r in lines(out)] == ["r0", "r1", "r2", "r3"]


def test_torn_last_line_is_set_aside(tmp_path):
    out = tmp_path / "records.jsonl"
    out.write_text('{"a": 1}\n{"b": 2}\n{"c": ')
    aside = repair_torn_tail(out)
    assert out.read_text() == '{"a": 1}\n{"b": 2}\n'
    assert aside is not None and aside.read_text() == '{"c": '


def test_overlapping_runs_are_refused(tmp_path):
    first = CrawlState(tmp_path / "state")
    with pytest.raises(StateError, match="in use"):
        CrawlState(tmp_path / "state")
    first.close()
    CrawlState(tmp_path / "state").close()
