"""The sources file: which sites to crawl and from where (feeds, sitemaps, section pages).

Validated up front so a typo fails the run with a message naming the entry, not halfway
through a crawl.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_SOURCES = Path(__file__).with_name("sources.toml")
URL_LISTS = ("feeds", "sitemaps", "sections", "start_urls")


class SourcesError(ValueError):
    """The sources file is unusable; the message names the file, entry and field."""


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    allowed_domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    article_patterns: tuple[re.Pattern[str], ...] = field(default=())

    def allows(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def is_article_url(self, url: str) -> bool | None:
        """True/False when the site gives article patterns, None when it leaves it to heuristics."""
        if not self.article_patterns:
            return None
        path = urlsplit(url).path
        return any(p.search(path) for p in self.article_patterns)


def load_sources(path: Path | str = DEFAULT_SOURCES) -> list[Site]:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesError(f"{path}: no such sources file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from exc
    entries = raw.get("site")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: needs at least one [[site]] entry")
    sites = [_site(path, i, entry) for i, entry in enumerate(entries, 1)]
    names = [s.name for s in sites]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SourcesError(f"{path}: site names must be unique, repeated: {', '.join(dupes)}")
    return sites


def sites_from_start_urls(urls: list[str], extra_domains: list[str] | None = None) -> list[Site]:
    """Sites for `crawl --start-url`: the home page is the only entry point; feeds are discovered."""
    sites = []
    for i, url in enumerate(urls, 1):
        _check_url(f"--start-url #{i}", url)
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        sites.append(Site(name=host, allowed_domains=(host, *(extra_domains or [])), start_urls=(url,)))
    return sites


def _site(path: Path, index: int, entry: object) -> Site:
    if not isinstance(entry, dict):
        raise SourcesError(f"{path}: [[site]] #{index} is not a table")
    name = entry.get("name")
    where = f"{path}: [[site]] #{index}" + (f" ({name!r})" if isinstance(name, str) else "")
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: 'name' must be a non-empty string")
    known = {"name", "allowed_domains", "article_patterns", *URL_LISTS}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise SourcesError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(known))}")
    lists: dict[str, tuple[str, ...]] = {}
    for key in URL_LISTS:
        values = entry.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise SourcesError(f"{where}: {key!r} must be a list of URL strings")
        for url in values:
            _check_url(f"{where}: {key}", url)
        lists[key] = tuple(values)
    if not any(lists.values()):
        raise SourcesError(f"{where}: give at least one of feeds, sitemaps, sections or start_urls")
    domains = entry.get("allowed_domains")
    if domains is None:
        domains = sorted({(urlsplit(u).hostname or "").removeprefix("www.") for v in lists.values() for u in v})
    if not isinstance(domains, list) or not domains or not all(isinstance(d, str) and d for d in domains):
        raise SourcesError(f"{where}: 'allowed_domains' must be a non-empty list of host names")
    patterns = entry.get("article_patterns", [])
    if not isinstance(patterns, list):
        raise SourcesError(f"{where}: 'article_patterns' must be a list of regular expressions")
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except (re.error, TypeError) as exc:
            raise SourcesError(f"{where}: article_patterns entry {pattern!r} is not a valid regex: {exc}") from exc
    return Site(name=name.strip(), allowed_domains=tuple(d.lower() for d in domains),
                article_patterns=tuple(compiled), **lists)


def _check_url(where: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourcesError(f"{where}: {url!r} is not an http(s) URL")
