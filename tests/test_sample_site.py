"""The bundled sample sites, served over real HTTP on 127.0.0.1 and read with urllib."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest

from newsspider.sample_site.server import (
    DEFAULT_ROOT,
    TRUTH_PATH,
    Routes,
    SampleSite,
    copy_sites,
    write_sources,
)

TRUTH: dict[str, dict] = json.loads(TRUTH_PATH.read_text(encoding="utf-8"))
FLAGSHIP = "/anime/metallic-rouge-bones-original-anime-announced-10231"
LATIN1 = "/news/2023/12/28/pokemon-concierge-netflix-stop-motion/"
PRIVATE = "/private/news/2023/12/15/kaiju-no-8-premiere-date-embargoed/"
MISSING = "/news/2023/05/05/retracted-story/"
MAIN_ROUTES = Routes.load(DEFAULT_ROOT / "main")
BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "li", "ul", "ol", "title", "figcaption", "header", "footer",
              "section", "article", "aside", "nav", "br", "main", "form", "button", "span", "time"}


class Fetched:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, url: str) -> None:
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self) -> str:
        charset = self.headers.get_content_charset()
        if charset:
            return self.body.decode(charset)
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            return self.body.decode("latin-1")


def fetch_like_a_crawler(url: str) -> Fetched:
    """GET with one retry on a 5xx, as Scrapy's retry middleware does."""
    page = fetch(url)
    return fetch(url) if page.status >= 500 else page


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Fetched:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Fetched(response.status, response.headers, response.read(), response.url)
    except urllib.error.HTTPError as exc:
        return Fetched(exc.code, exc.headers, exc.read(), url)


def raw_request(site: SampleSite, path: str, headers: dict[str, str] | None = None,
                method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request without urllib's redirect handling or decoding."""
    host, port = urlsplit(site.main_url).hostname, urlsplit(site.main_url).port
    conn = http.client.HTTPConnection(host or "127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, rel, href)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("a", "link") and values.get("href"):
            self.links.append((tag, values.get("rel") or "", values["href"] or ""))
        if tag in ("script", "style"):
            self._skip += 1
        if tag in BLOCK_TAGS:
            self.chunks.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in BLOCK_TAGS:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def parse_html(text: str) -> _Links:
    parser = _Links()
    parser.feed(text)
    parser.close()
    return parser


def page_text(text: str) -> str:
    return re.sub(r"\s+", " ", "".join(parse_html(text).chunks))


def xml_links(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    found = []
    for el in root.iter():
        name = el.tag.rsplit("}", 1)[-1]
        if name in ("link", "loc") and el.text and el.text.strip():
            found.append(el.text.strip())
        elif name == "link" and el.get("href"):
            found.append(el.get("href", ""))
    return found


def truth_url(site: SampleSite, entry: dict) -> str:
    return site.url(entry["path"], entry["site"])


def sources_of(site: SampleSite, tmp_path: Path) -> list[dict]:
    return tomllib.loads(write_sources(site, tmp_path / "sources.toml").read_text(encoding="utf-8"))["site"]


def section_pages(start: str) -> Iterator[Fetched]:
    """A section and its older pages, following rel="next"."""
    url: str | None = start
    seen = set()
    while url and url not in seen:
        seen.add(url)
        page = fetch(url)
        assert page.status == 200, url
        yield page
        nxt = [h for tag, rel, h in parse_html(page.text).links if tag == "link" and rel == "next"]
        url = urljoin(url, nxt[0]) if nxt else None


def listed_urls(site: SampleSite, tmp_path: Path) -> tuple[set[str], set[str]]:
    """URLs named by feeds and sitemaps, and URLs linked from section pages (with pagination)."""
    from_feeds: set[str] = set()
    from_sections: set[str] = set()
    for source in sources_of(site, tmp_path):
        for url in source.get("feeds", []) + source.get("sitemaps", []):
            from_feeds.update(xml_links(fetch(url).body))
        for start in source.get("sections", []):
            for page in section_pages(start):
                from_sections.update(urldefrag(urljoin(page.url, h))[0] for _, _, h in parse_html(page.text).links)
    robots_sitemap = fetch(site.url("/sitemap.xml"))
    from_feeds.update(xml_links(robots_sitemap.body))
    return from_feeds, from_sections


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with SampleSite() as running:
        yield running


def test_serves_an_article_with_absolute_urls_filled_in(site: SampleSite) -> None:
    page = fetch(site.url(FLAGSHIP))
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "{{" not in page.text
    links = parse_html(page.text).links
    assert ("link", "canonical", site.url(FLAGSHIP)) in links
    assert "Metallic Rouge" in page_text(page.text)


def test_directory_and_extensionless_paths_resolve(site: SampleSite) -> None:
    status, headers, _ = raw_request(site, "/anime")
    assert status == 301 and headers["Location"] == site.url("/anime/")
    assert fetch(site.url("/anime/")).status == 200
    assert fetch(site.url("/_routes.json")).status == 404
    assert fetch(site.url("/../server.py")).status == 404


def test_feeds_and_sitemaps_are_valid_xml_with_absolute_urls_to_the_right_port(site: SampleSite) -> None:
    for base, paths in ((site.main_url, ("/feed.xml", "/atom.xml", "/news-sitemap.xml", "/sitemap.xml")),
                        (site.partner_url, ("/rss.xml", "/sitemap.xml"))):
        for path in paths:
            doc = fetch(base + path)
            assert doc.status == 200
            links = xml_links(doc.body)
            assert links, path
            assert all(link.startswith(base + "/") for link in links), (path, links)
    rss = ET.fromstring(fetch(site.url("/feed.xml")).body)
    items = rss.findall("./channel/item")
    assert len(items) == 15
    assert all(item.findtext("pubDate") for item in items)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(fetch(site.url("/atom.xml")).body).findall("a:entry", ns)
    assert any(e.findtext("a:updated", namespaces=ns) != e.findtext("a:published", namespaces=ns) for e in entries)
    rss_links = {item.findtext("link") for item in items}
    atom_links = {e.find("a:link", ns).get("href") for e in entries}  # type: ignore[union-attr]
    assert rss_links != atom_links and atom_links - rss_links
    news = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "n": "http://www.google.com/schemas/sitemap-news/0.9"}
    urls = ET.fromstring(fetch(site.url("/news-sitemap.xml")).body).findall("s:url", news)
    assert urls and all(u.findtext("n:news/n:publication_date", namespaces=news) for u in urls)
    assert all(u.findtext("n:news/n:title", namespaces=news) for u in urls)
    plain = ET.fromstring(fetch(site.url("/sitemap.xml")).body).findall("s:url", news)
    assert sum(1 for u in plain if u.findtext("s:lastmod", namespaces=news)) > 20


def test_flaky_page_fails_once_then_serves() -> None:
    (path,) = MAIN_ROUTES.fail_first
    with SampleSite() as fresh:
        assert fetch(fresh.url(path)).status == 500
        assert fetch(fresh.url(path)).status == 200
        assert fetch(fresh.url(path)).status == 200
        assert [r.status for r in fresh.requests if r.path == path] == [500, 200, 200]


def test_redirect_loop_never_resolves(site: SampleSite) -> None:
    status_a, headers_a, _ = raw_request(site, "/loop/a")
    status_b, headers_b, _ = raw_request(site, "/loop/b")
    assert (status_a, headers_a["Location"]) == (302, site.url("/loop/b"))
    assert (status_b, headers_b["Location"]) == (302, site.url("/loop/a"))
    assert fetch(site.url("/loop/a")).status == 302  # urllib gives up on the loop


def test_permanent_redirect_leads_to_an_article(site: SampleSite) -> None:
    page = fetch(site.url("/go/metallic-rouge"))
    assert page.status == 200
    assert page.url == site.url("/news/2023/12/07/metallic-rouge-premiere-date-january-10/")


def test_large_page_is_generated_with_its_declared_length(site: SampleSite) -> None:
    (path,) = MAIN_ROUTES.generated
    size = MAIN_ROUTES.generated[path]
    assert size == 20 * 1024 * 1024
    status, headers, body = raw_request(site, path, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert int(headers["Content-Length"]) == len(body) == size
    assert "Content-Encoding" not in headers
    assert body.startswith(b"<!DOCTYPE html>") and body.endswith(b"</body></html>\n")
    status, headers, body = raw_request(site, path, method="HEAD")
    assert (status, int(headers["Content-Length"]), body) == (200, size, b"")


def test_packaged_files_are_small() -> None:
    sizes = {p: p.stat().st_size for p in DEFAULT_ROOT.rglob("*") if p.is_file()}
    assert max(sizes.values()) < 200_000


def test_latin1_page_has_no_charset_anywhere(site: SampleSite) -> None:
    page = fetch(site.url(LATIN1))
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")
    assert b"charset" not in page.body.lower()
    text = page.body.decode("latin-1")
    assert "Pokémon" in text and "café" in text


def test_conditional_get_answers_304(site: SampleSite) -> None:
    first = fetch(site.url(FLAGSHIP))
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and modified
    assert raw_request(site, FLAGSHIP, {"If-None-Match": etag})[0] == 304
    assert raw_request(site, FLAGSHIP, {"If-Modified-Since": modified})[0] == 304
    assert raw_request(site, FLAGSHIP, {"If-None-Match": '"stale"'})[0] == 200
    assert raw_request(site, FLAGSHIP, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200


def test_text_is_gzipped_when_the_client_asks(site: SampleSite) -> None:
    status, headers, body = raw_request(site, "/feed.xml", {"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == fetch(site.url("/feed.xml")).body
    assert raw_request(site, "/feed.xml", {"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})[0] == 304


def test_edited_copy_serves_the_change_with_a_new_etag(tmp_path: Path) -> None:
    root = copy_sites(tmp_path / "sites")
    page = root / "main" / (FLAGSHIP.lstrip("/") + ".html")
    with SampleSite(root) as running:
        old = fetch(running.url(FLAGSHIP))
        assert raw_request(running, FLAGSHIP, {"If-None-Match": old.headers["ETag"]})[0] == 304
        page.write_text(page.read_text(encoding="utf-8").replace("in January 2024", "in April 2024"),
                        encoding="utf-8")
        status, headers, _ = raw_request(running, FLAGSHIP, {"If-None-Match": old.headers["ETag"]})
        new = fetch(running.url(FLAGSHIP))
    assert status == 200 and headers["ETag"] != old.headers["ETag"]
    assert "in April 2024" in new.text and "in April 2024" not in old.text


def test_robots_lists_sitemaps_and_disallows_the_linked_private_page(site: SampleSite) -> None:
    robots = fetch(site.url("/robots.txt")).text
    sitemaps = re.findall(r"(?im)^Sitemap:\s*(\S+)", robots)
    assert sitemaps == [site.url("/sitemap.xml"), site.url("/news-sitemap.xml")]
    parser = RobotFileParser()
    parser.parse(robots.splitlines())
    assert not parser.can_fetch("newsspider", site.url(PRIVATE))
    assert parser.can_fetch("newsspider", site.url(FLAGSHIP))
    section = fetch(site.url("/anime/page/2/")).text
    assert site.url(PRIVATE) in [h for _, _, h in parse_html(section).links]
    assert fetch(site.partner_url + "/robots.txt").text.count("Sitemap: " + site.partner_url) == 1


def test_sections_paginate_with_rel_next_and_older_posts(site: SampleSite) -> None:
    anime = [p.url for p in section_pages(site.url("/anime/"))]
    tv = [p.url for p in section_pages(site.url("/tv/"))]
    assert anime == [site.url("/anime/"), site.url("/anime/page/2/"), site.url("/anime/page/3/")]
    assert tv == [site.url("/tv/"), site.url("/tv/page/2/")]
    assert "Older posts" in fetch(site.url("/anime/")).text


def test_every_page_in_truth_is_listed_by_a_feed_sitemap_or_section(site: SampleSite, tmp_path: Path) -> None:
    from_feeds, from_sections = listed_urls(site, tmp_path)
    originals = [e for e in TRUTH.values() if e["variant_of"] is None]
    missing = [truth_url(site, e) for e in originals if truth_url(site, e) not in from_feeds | from_sections]
    assert not missing
    only_sections = [e["path"] for e in originals if e["is_article"]
                     and truth_url(site, e) in from_sections - from_feeds]
    assert len(only_sections) >= 3


def test_variants_are_linked_from_the_pages_they_copy_or_share(site: SampleSite) -> None:
    for entry in (e for e in TRUTH.values() if e["variant_of"]):
        original = TRUTH[entry["variant_of"]]
        pages = [truth_url(site, original), site.url("/"), site.url("/tag/crunchyroll/")]
        hrefs = {urljoin(u, h) for u in pages for _, _, h in parse_html(fetch(u).text).links}
        assert truth_url(site, entry) in hrefs, entry["path"]
        variant = fetch(truth_url(site, entry))
        assert ("link", "canonical", truth_url(site, original)) in parse_html(variant.text).links


def test_listed_links_include_every_hazard(site: SampleSite, tmp_path: Path) -> None:
    from_feeds, from_sections = listed_urls(site, tmp_path)
    home_and_tag = {urljoin(u, h) for u in (site.url("/"), site.url("/tag/crunchyroll/"))
                    for _, _, h in parse_html(fetch(u).text).links}
    everything = from_feeds | from_sections | home_and_tag
    for path in (PRIVATE, MISSING, "/loop/a", "/go/metallic-rouge", *MAIN_ROUTES.generated):
        assert site.url(path) in everything, path
    assert fetch(site.url(MISSING)).status == 404


def test_article_urls_match_the_patterns_given_to_the_crawl(site: SampleSite, tmp_path: Path) -> None:
    patterns = {s["name"]: [re.compile(p) for p in s["article_patterns"]] for s in sources_of(site, tmp_path)}
    by_site = {"main": patterns["Screen Signal (sample)"], "partner": patterns["Partner (sample)"]}
    for entry in TRUTH.values():
        path = urlsplit(entry["path"]).path
        matches = any(p.search(path) for p in by_site[entry["site"]])
        if "amp-variant" in entry["hostile"] or entry["kind"] in ("about", "tag"):
            assert not matches, path
        elif entry["variant_of"] is None:
            assert matches, path
    assert any(p.search(PRIVATE) for p in by_site["main"])  # the trap looks like an article


def test_sources_file_loads_with_the_project_loader(site: SampleSite, tmp_path: Path) -> None:
    from newsspider.sources import load_sources

    sites = load_sources(write_sources(site, tmp_path / "sources.toml"))
    assert [s.name for s in sites] == ["Screen Signal (sample)", "Partner (sample)"]
    assert sites[0].feeds == (site.url("/feed.xml"), site.url("/atom.xml"))
    assert sites[1].is_article_url(site.partner_url + "/stories/2023/godzilla-minus-one-us-release.html")
    assert not sites[1].is_article_url(site.url(FLAGSHIP))


@pytest.mark.parametrize("key", sorted(TRUTH))
def test_truth_matches_what_the_page_says(site: SampleSite, key: str) -> None:
    entry = TRUTH[key]
    page = fetch_like_a_crawler(truth_url(site, entry))
    assert page.status == 200
    text = page_text(page.text)
    assert entry["title"] in text
    for name in entry["shows"] + entry["studios"] + entry["platforms"] + [d["text"] for d in entry["dates"]]:
        assert name in text, name
    for show, relation, value in entry["links"]:
        assert show in entry["shows"] and relation in ("studio", "platform")
        assert value in entry["studios" if relation == "studio" else "platforms"]
    for date in entry["dates"]:
        assert date["kind"] in ("announcement", "premiere", "release", "other")
    if entry["published"]:
        assert entry["published"] in page.text  # in JSON-LD, Open Graph or <time datetime>
    elif entry["is_article"]:
        assert not re.search(r"\b(19|20)\d\d\b", page.text), "a dateless article must carry no year"
    for ref in ("syndicated_from", "variant_of", "canonical"):
        assert entry[ref] is None or entry[ref] in TRUTH


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def story_text(text: str) -> str:
    """The story block of a main or partner article page, without the site chrome around it."""
    for start, end in (('<div class="entry-content">', '<footer class="entry-footer">'),
                       ('<div class="story">', '<div class="more">')):
        if start in text:
            return page_text(text[text.index(start):text.index(end)])
    raise AssertionError("no story block in the page")


def test_partner_republishes_two_stories_as_near_duplicates(site: SampleSite) -> None:
    partner = [e for e in TRUTH.values() if e["site"] == "partner"]
    assert len(partner) == 4
    syndicated = [e for e in partner if e["syndicated_from"]]
    assert len(syndicated) == 2
    for entry in partner:
        assert fetch(truth_url(site, entry)).status == 200
    for entry in syndicated:
        copy = fetch(truth_url(site, entry)).text
        original = fetch(truth_url(site, TRUTH[entry["syndicated_from"]])).text
        a, b = shingles(story_text(copy)), shingles(story_text(original))
        assert 0.5 < len(a & b) / len(a | b) < 1.0
        assert copy != original
    cross = [e for e in syndicated if e["canonical"]]
    assert len(cross) == 1
    links = parse_html(fetch(truth_url(site, cross[0])).text).links
    assert ("link", "canonical", truth_url(site, TRUTH[cross[0]["canonical"]])) in links


def test_request_log_records_site_status_and_headers() -> None:
    with SampleSite() as fresh:
        fetch(fresh.url("/robots.txt"), {"User-Agent": "newsspider-test"})
        fetch(fresh.url(MISSING))
        fetch(fresh.partner_url + "/stories/")
        assert fresh.count("/robots.txt") == 1
        assert fresh.count("/stories/", site="partner") == 1
        assert fresh.count("/stories/") == 0
        assert fresh.count(PRIVATE) == 0
        first, missing = fresh.requests[0], fresh.requests[1]
        assert (first.site, first.method, first.status) == ("main", "GET", 200)
        assert first.headers["User-Agent"] == "newsspider-test"
        assert missing.status == 404


def test_command_line_serves_and_writes_sources(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    proc = subprocess.Popen([sys.executable, "-m", "newsspider.sample_site.server", "--sources", str(sources)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1], env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 20
        while not sources.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        config = tomllib.loads(sources.read_text(encoding="utf-8"))
        feed = config["site"][0]["feeds"][0]
        assert fetch(feed).status == 200
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert "Screen Signal (main):" in out
    assert err == ""
