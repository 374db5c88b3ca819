"""Serve the bundled sample news sites on 127.0.0.1, for `make demo` and the test suite.

Two sites run side by side, each on its own port: "main" (Screen Signal, an entertainment
news site) and "partner" (Reel Roundup, which republishes two of main's stories). Only the
standard library is used, so the server runs anywhere Python does.

Layout of a root directory (the packaged one is `sites/` next to this file)::

    ROOT/main/...          files of the main site; /x/ serves x/index.html, /x serves x or x.html
    ROOT/main/_routes.json redirects, fail-first paths and generated pages (see below)
    ROOT/main/404.html     body of every 404 answer
    ROOT/partner/...       the same for the partner site

Files may contain the placeholders `{{MAIN}}` and `{{PARTNER}}`; each is replaced at serve time
by that site's base URL (scheme, host and port, no trailing slash), so feeds, sitemaps and
canonical links are absolute and point at the right port. Names starting with `_` or `.` are
never served.

`_routes.json` (optional) holds the behaviour that is not a file::

    {"redirects":  {"/loop/a": {"location": "/loop/b", "status": 302}},
     "fail_first": {"/news/.../": 1},                 # answer 500 this many times, then 200
     "generated":  {"/archive/everything/": {"bytes": 20971520}}}   # built on the fly

Every static file gets an ETag (hash of the served bytes) and a Last-Modified (file mtime)
and answers If-None-Match / If-Modified-Since with 304. Text is gzipped when the client sends
`Accept-Encoding: gzip`; generated pages never are, so their Content-Length is their size. A
charset is declared only when the file is valid UTF-8: a Latin-1 file goes out as bare
`text/html`, as legacy servers do. The hostile cases are listed in README.md next to this file;
`truth.json` says what a perfect crawl extracts from every page.

Editing a copy (how tests simulate a site that changes between crawls)::

    root = copy_sites(tmp_path / "sites")             # mtimes are kept, so 304s still work
    page = root / "main/anime/metallic-rouge-bones-original-anime-announced-10231.html"
    page.write_text(page.read_text().replace("January 2024", "April 2024"))
    with SampleSite(root) as site:
        write_sources(site, tmp_path / "sources.toml")
        ...                                           # crawl, then look at site.requests

A new article needs its HTML file plus a link from a feed, sitemap or section page of that
copy; nothing else is registered anywhere.

Command line: `python -m newsspider.sample_site.server [--port N] [--sources FILE]` prints both
URLs and serves until Ctrl-C; with --sources the sources file is written once both sites are
listening, so a script can wait for the file to appear.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import shutil
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

DEFAULT_ROOT = Path(__file__).with_name("sites")
TRUTH_PATH = Path(__file__).with_name("truth.json")
SITES = ("main", "partner")
PLACEHOLDERS = {"main": b"{{MAIN}}", "partner": b"{{PARTNER}}"}
ROUTES_FILE = "_routes.json"
NOT_FOUND_PAGE = "404.html"
# Request headers kept in the log: what tests assert on (politeness, caching, compression).
LOGGED_HEADERS = ("User-Agent", "Accept-Encoding", "If-None-Match", "If-Modified-Since", "Referer")
CHUNK = 64 * 1024
# How often the serving loops check for stop(); short so tests start and stop sites quickly.
POLL_INTERVAL = 0.05
# Idle keep-alive connections are dropped after this many seconds.
SOCKET_TIMEOUT = 10

CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".css": "text/css",
    ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".ico": "image/x-icon",
}
COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/atom+xml",
                "application/json", "image/svg+xml")

SOURCES_TEMPLATE = """\
# Sources for the bundled sample sites, written by newsspider.sample_site.server.write_sources.
# Both sites run on one host with different ports, so allowed_domains is the same for both.

[[site]]
name = "Screen Signal (sample)"
allowed_domains = [{host}]
feeds = ["{main}/feed.xml", "{main}/atom.xml"]
sitemaps = ["{main}/news-sitemap.xml"]
sections = ["{main}/anime/", "{main}/tv/"]
article_patterns = ['/news/\\d{{4}}/\\d{{2}}/\\d{{2}}/[^/]+/$', '/anime/[a-z0-9-]+-\\d+$']

[[site]]
name = "Partner (sample)"
allowed_domains = [{host}]
feeds = ["{partner}/rss.xml"]
sitemaps = ["{partner}/sitemap.xml"]
sections = ["{partner}/stories/"]
article_patterns = ['^/stories/\\d{{4}}/[a-z0-9-]+\\.html$']
"""


@dataclass(frozen=True, slots=True)
class RequestLogEntry:
    """One request as the server answered it; `path` keeps the query string."""

    site: str
    method: str
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Routes:
    """The non-file behaviour of one site, read from its `_routes.json`."""

    redirects: dict[str, tuple[str, int]] = field(default_factory=dict)
    fail_first: dict[str, int] = field(default_factory=dict)
    generated: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, site_dir: Path) -> Routes:
        path = site_dir / ROUTES_FILE
        if not path.is_file():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                redirects={k: (v["location"], int(v.get("status", 302)))
                           for k, v in raw.get("redirects", {}).items()},
                fail_first={k: int(v) for k, v in raw.get("fail_first", {}).items()},
                generated={k: int(v["bytes"]) for k, v in raw.get("generated", {}).items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}: not a valid routes file ({exc}); see the module docstring "
                             "of newsspider.sample_site.server for its shape") from exc


@dataclass(slots=True)
class _Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    stream: Iterator[bytes] | None = None
    length: int | None = None


class SampleSite:
    """Both sample sites on `host`, each on its own port (0 picks a free one). A context manager.

    `requests` logs every request (thread-safe appends); `count()` sums them by path prefix.
    """

    def __init__(self, root: Path | None = None, host: str = "127.0.0.1", main_port: int = 0,
                 partner_port: int = 0) -> None:
        self.root = Path(root) if root is not None else DEFAULT_ROOT
        missing = [name for name in SITES if not (self.root / name).is_dir()]
        if missing:
            raise FileNotFoundError(f"{self.root}: no {' or '.join(missing)} directory; a sample-site "
                                    "root holds main/ and partner/ (see copy_sites)")
        self.host = host
        self.ports = {"main": main_port, "partner": partner_port}
        self.main_url = ""
        self.partner_url = ""
        self.requests: list[RequestLogEntry] = []
        self._lock = threading.Lock()
        self._servers: dict[str, _SiteServer] = {}
        self._threads: list[threading.Thread] = []

    def start(self) -> SampleSite:
        if self._servers:
            return self
        try:
            for name in SITES:
                self._servers[name] = _SiteServer((self.host, self.ports[name]), name, self.root / name, self)
        except BaseException:
            for srv in self._servers.values():
                srv.server_close()
            self._servers.clear()
            raise
        urls = {name: f"http://{self.host}:{srv.server_address[1]}" for name, srv in self._servers.items()}
        self.main_url, self.partner_url = urls["main"], urls["partner"]
        replacements = [(PLACEHOLDERS[name], url.encode("ascii")) for name, url in urls.items()]
        for name, srv in self._servers.items():
            srv.base_url = urls[name]
            srv.replacements = replacements
            thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": POLL_INTERVAL},
                                      name=f"sample-site-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for srv in self._servers.values():
            srv.shutdown()
            srv.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> SampleSite:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def url(self, path: str, site: str = "main") -> str:
        """Absolute URL of `path` on one of the sites."""
        return (self.main_url if site == "main" else self.partner_url) + path

    def count(self, path_prefix: str, site: str = "main") -> int:
        """How many requests to `site` had a path (with query) starting with `path_prefix`."""
        with self._lock:
            return sum(1 for r in self.requests if r.site == site and r.path.startswith(path_prefix))

    def _record(self, entry: RequestLogEntry) -> None:
        with self._lock:
            self.requests.append(entry)


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], name: str, site_dir: Path, owner: SampleSite) -> None:
        self.routes = Routes.load(site_dir)  # before binding, so a bad file leaves no open socket
        super().__init__(address, _Handler)
        self.name = name
        self.site_dir = site_dir
        self.owner = owner
        self.base_url = ""
        self.replacements: list[tuple[bytes, bytes]] = []
        self.failures: dict[str, int] = {}
        self.failures_lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up mid-response (a crawler cancelling the 20 MB page) are normal here.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def fill(self, data: bytes) -> bytes:
        for placeholder, url in self.replacements:
            data = data.replace(placeholder, url)
        return data


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"
    server_version = "newsspider-sample-site/1"
    timeout = SOCKET_TIMEOUT

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the request log on SampleSite is the record."""

    def _serve(self, head: bool) -> None:
        response = self._respond()
        headers = {name: value for name in LOGGED_HEADERS if (value := self.headers.get(name)) is not None}
        self.server.owner._record(RequestLogEntry(self.server.name, self.command, self.path,
                                                  response.status, headers))
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status != 304:
            length = response.length if response.length is not None else len(response.body)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if head or response.status == 304:
            return
        try:
            if response.stream is not None:
                for chunk in response.stream:
                    self.wfile.write(chunk)
            else:
                self.wfile.write(response.body)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _respond(self) -> _Response:
        srv = self.server
        path = unquote(urlsplit(self.path).path) or "/"
        if path in srv.routes.redirects:
            location, status = srv.routes.redirects[path]
            return _redirect(srv.base_url + location, status)
        if path in srv.routes.fail_first:
            with srv.failures_lock:
                seen = srv.failures.get(path, 0)
                srv.failures[path] = seen + 1
            if seen < srv.routes.fail_first[path]:
                return _html(500, b"<!DOCTYPE html><title>Server error</title><h1>500 Internal Server Error</h1>"
                                  b"<p>Temporary failure. Please try again.</p>\n")
        if path in srv.routes.generated:
            size = srv.routes.generated[path]
            return _Response(200, [("Content-Type", "text/html; charset=utf-8")], stream=_large_page(size),
                             length=size)
        found = _resolve(srv.site_dir, path)
        if isinstance(found, str):
            return _redirect(srv.base_url + found, 301)
        if found is None:
            return self._not_found()
        return self._static(found)

    def _static(self, file: Path) -> _Response:
        body = self.server.fill(file.read_bytes())
        ctype = _content_type(file, body)
        digest = hashlib.sha1(body).hexdigest()[:20]
        mtime = int(file.stat().st_mtime)
        compress = ctype.startswith(COMPRESSIBLE) and _accepts_gzip(self.headers.get("Accept-Encoding", ""))
        etag = f'"{digest}-gzip"' if compress else f'"{digest}"'
        headers = [("Content-Type", ctype), ("ETag", etag), ("Last-Modified", formatdate(mtime, usegmt=True))]
        if ctype.startswith(COMPRESSIBLE):
            headers.append(("Vary", "Accept-Encoding"))
        if self._not_modified({f'"{digest}"', f'"{digest}-gzip"'}, mtime):
            return _Response(304, [h for h in headers if h[0] != "Content-Type"])
        if compress:
            body = gzip.compress(body, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        return _Response(200, headers, body)

    def _not_modified(self, etags: set[str], mtime: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            offered = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in offered or bool(offered & etags)
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError):
                return False
            return mtime <= since
        return False

    def _not_found(self) -> _Response:
        page = self.server.site_dir / NOT_FOUND_PAGE
        body = self.server.fill(page.read_bytes()) if page.is_file() else b"<h1>Not found</h1>\n"
        return _html(404, body)


def _html(status: int, body: bytes) -> _Response:
    return _Response(status, [("Content-Type", "text/html; charset=utf-8")], body)


def _redirect(location: str, status: int) -> _Response:
    body = f'<!DOCTYPE html><title>Moved</title><p>Moved to <a href="{location}">{location}</a></p>\n'
    response = _html(status, body.encode("utf-8"))
    response.headers.append(("Location", location))
    return response


def _resolve(site_dir: Path, path: str) -> Path | str | None:
    """The file serving `path`, a path to redirect to (directory without slash), or None."""
    segments = [s for s in path.split("/") if s]
    if any(s in (".", "..") or s.startswith(("_", ".")) or "\\" in s for s in segments):
        return None
    target = site_dir.joinpath(*segments)
    if path.endswith("/"):
        target = target / "index.html"
    elif target.is_dir():
        return path + "/" if (target / "index.html").is_file() else None
    elif not target.is_file():
        target = target.with_name(target.name + ".html")
    return target if target.is_file() else None


def _content_type(file: Path, body: bytes) -> str:
    suffix = file.suffix.lower()
    if suffix == ".xml":
        start = body[:512]
        ctype = ("application/rss+xml" if b"<rss" in start else
                 "application/atom+xml" if b"<feed" in start else "application/xml")
    else:
        ctype = CONTENT_TYPES.get(suffix, "application/octet-stream")
    if ctype.startswith(COMPRESSIBLE):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return ctype  # unknown legacy encoding: say nothing, as old servers do
        return f"{ctype}; charset=utf-8"
    return ctype


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _large_page(size: int) -> Iterator[bytes]:
    """An HTML page of exactly `size` bytes, produced chunk by chunk so it is never held whole."""
    head = (b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            b"<title>Complete archive | Screen Signal</title></head>\n<body><h1>Complete archive</h1>\n")
    tail = b"</body></html>\n"
    line = b'<p class="archive-row">An entry from the Screen Signal back catalogue.</p>\n'
    room = size - len(head) - len(tail)
    if room < 0:
        raise ValueError(f"generated page size {size} is smaller than its frame ({len(head) + len(tail)})")
    block = line * (CHUNK // len(line))
    lines, padding = divmod(room, len(line))
    yield head
    full_blocks, rest = divmod(lines, CHUNK // len(line))
    for _ in range(full_blocks):
        yield block
    yield line * rest + b" " * padding
    yield tail


def copy_sites(dest: Path, root: Path | None = None) -> Path:
    """Copy a sample-site root (the packaged one by default) to `dest`, keeping mtimes; returns dest."""
    shutil.copytree(root or DEFAULT_ROOT, dest, copy_function=shutil.copy2)
    return dest


def write_sources(site: SampleSite, path: Path) -> Path:
    """Write the sources TOML that crawls both running sample sites; returns `path`."""
    if not site.main_url:
        raise RuntimeError("start the SampleSite before writing its sources file: the ports are not known yet")
    host = urlsplit(site.main_url).hostname or site.host
    text = SOURCES_TEMPLATE.format(host=json.dumps(host), main=site.main_url, partner=site.partner_url)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def serve_forever(root: Path | None = None, host: str = "127.0.0.1", port: int = 0,
                  partner_port: int | None = None, sources: Path | None = None) -> None:
    """Serve both sites until interrupted; the partner takes `port + 1` unless told otherwise."""
    if partner_port is None:
        partner_port = port + 1 if port else 0
    with SampleSite(root, host, port, partner_port) as site:
        print(f"Screen Signal (main):   {site.main_url}/", flush=True)
        print(f"Reel Roundup (partner): {site.partner_url}/", flush=True)
        if sources is not None:
            print(f"Sources file:           {write_sources(site, sources)}", flush=True)
        print("Serving until Ctrl-C.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsspider.sample_site.server",
                                     description="Serve the bundled sample news sites.")
    parser.add_argument("--port", type=int, default=0,
                        help="port of the main site (default: a free port); the partner uses the next one")
    parser.add_argument("--partner-port", type=int, default=None, help="port of the partner site")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--root", type=Path, default=None, help="a sample-site root (default: the packaged one)")
    parser.add_argument("--sources", type=Path, default=None,
                        help="write a sources TOML for these sites here once they are listening")
    args = parser.parse_args(argv)
    try:
        serve_forever(args.root, args.host, args.port, args.partner_port, args.sources)
    except (OSError, ValueError) as exc:
        print(f"sample site: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
