"""HTML reports open offline: inline SVG, no scripts, no external URL but the article links."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_records_io import make_record, run_cli, write_records


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector


def _assert_offline(page: str) -> _Collector:
    parsed = _parse(page)
    assert "svg" in parsed.tags
    assert not {"script", "link", "iframe", "img", "object", "embed"} & set(parsed.tags)
    assert not [a for a in parsed.attrs if a[1] in ("src", "srcset") or a[1].startswith("on")]
    hrefs = [value for tag, name, value in parsed.attrs if name == "href"]
    assert all(tag == "a" for tag, name, _ in parsed.attrs if name == "href")
    # Every http(s) URL in the file is an <a href>: none in styles, SVG, text or other attributes.
    urls_in_file = re.findall(r"https?://[^\"'<>\s]+", page)
    assert sorted(urls_in_file) == sorted(h for h in hrefs if h.startswith(("http://", "https://")))
    assert "url(" not in page and "@import" not in page
    return parsed


RECORDS = [
    make_record("Metallic Rouge", site="a.com", published="2023-08-07", premiere="2024-01", studios=["Bones"]),
    make_record("Metallic Rouge", site="b.com", published="2023-11-02", premiere="2024-01-10"),
    make_record("Metallic Rouge", site="c.com", published="2023-11-02", premiere="2024-01-12"),
    make_record("Metallic Rouge", site="d.com", published=None, extracted_at="2023-12-01T00:00:00Z",
                premiere="2024-04", platforms=["Netflix"]),
    make_record("Frieren", site="e.com", published="2023-05-01", premiere="2023-fall"),
    make_record("No Dates Yet", site="e.com", published="2023-05-03"),
]


def test_timeline_html_is_self_contained_with_charts_and_tables(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", RECORDS)
    out = tmp_path / "timeline.html"
    assert run_cli(["timeline", str(path), "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    parsed = _assert_offline(page)
    assert parsed.tags.count("svg") == 4  # the overview and one chart per show
    assert parsed.tags.count("table") == 3
    hrefs = {value for _, name, value in parsed.attrs if name == "href"}
    assert "https://b.com/news/metallic-rouge/2023-11-02" in hrefs
    assert '<tr class="conflict">' in page
    assert "premiere CONFLICT: 2024-01-10 (b.com) vs 2024-01-12 (c.com)" in page
    assert 'class="fallback"' in page


def test_single_show_page_has_its_slip_chart(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", RECORDS)
    out = tmp_path / "rouge.html"
    assert run_cli(["timeline", str(path), "--show", "metallic rouge", "--format", "html", "-o", str(out)]) == 0
    parsed = _assert_offline(out.read_text(encoding="utf-8"))
    assert parsed.tags.count("svg") == 1
    assert "rect" in parsed.tags and "circle" in parsed.tags


def test_shows_html_has_overview_and_table(tmp_path: Path) -> None:
    path = write_records(tmp_path / "records.jsonl", RECORDS)
    out = tmp_path / "shows.html"
    assert run_cli(["shows", str(path), "-o", str(out)]) == 0
    parsed = _assert_offline(out.read_text(encoding="utf-8"))
    assert parsed.tags.count("tr") == 4
    assert "Bones" in "".join(parsed.text)


def test_hostile_titles_are_escaped_and_odd_links_not_linked(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write_records(tmp_path / "records.jsonl", [
        make_record('<script>alert("x")</script>', key="evil", url="javascript:alert(1)", premiere="2024-01"),
        make_record("Fine", url="https://ok.example/a", premiere="2024-02"),
    ])
    assert run_cli(["timeline", str(path), "--format", "html"]) == 0
    page = capsys.readouterr().out
    parsed = _assert_offline(page)
    assert "&lt;script&gt;" in page
    assert all(not value.startswith("javascript:") for _, name, value in parsed.attrs if name == "href")
