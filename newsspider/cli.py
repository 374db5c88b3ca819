"""`newsspider` command line: a thin face over the functions the tests call.

Exit codes: 0 ok; 1 the run finished abnormally; 2 bad input (options, sources file, article
file); 3 the state directory is in use or unusable; 4 the NER model is missing.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from newsspider import __version__

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_STATE, EXIT_MODEL = 0, 1, 2, 3, 4


def _crawl_options(parser: argparse.ArgumentParser, default_output: str) -> None:
    parser.add_argument("-o", "--output", type=Path, default=Path(default_output),
                        help=f"records JSONL file; appended to, never overwritten (default: {default_output})")
    parser.add_argument("--state", type=Path, default=None, metavar="DIR",
                        help="persistent state directory: later runs with the same DIR add only new records")
    parser.add_argument("--articles", type=Path, default=None, metavar="FILE",
                        help="where fetched articles are kept for re-extraction (default: beside --output)")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy/newsspider setting, e.g. -s NEWSSPIDER_SECTION_PAGES=5")
    parser.add_argument("--log-level", default="WARNING", help="Scrapy log level (default: WARNING)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsspider",
        description="Crawl entertainment news and write deduplicated JSON Lines records of shows, "
                    "studios, platforms and dates.")
    parser.add_argument("--version", action="version", version=f"newsspider {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = sub.add_parser("crawl", help="crawl news sites and append show records",
                           description="Crawl the sites of a sources file (or home pages) and append records.")
    crawl.add_argument("--sources", type=Path, default=None, metavar="FILE",
                       help="sources TOML (default: the bundled newsspider/sources.toml of real sites)")
    crawl.add_argument("--start-url", action="append", default=[], metavar="URL",
                       help="crawl from a home page instead of a sources file (repeatable)")
    crawl.add_argument("--allow-domain", action="append", default=[], metavar="DOMAIN",
                       help="with --start-url: another domain articles may come from (repeatable)")
    _crawl_options(crawl, "out/records.jsonl")
    crawl.set_defaults(func=cmd_crawl)

    demo = sub.add_parser("demo", help="serve the bundled sample site on 127.0.0.1 and crawl it",
                          description="Serve the bundled sample news site on 127.0.0.1 and crawl it with the "
                                      "same options as `crawl`; prints a summary.")
    _crawl_options(demo, "out/records.jsonl")
    demo.set_defaults(func=cmd_demo)

    extract = sub.add_parser("extract", help="extract records from stored articles (no crawling)",
                             description="Read Article JSON lines (at least url and text; title, published, "
                                         "emphasised, html optional) and write show records.")
    extract.add_argument("articles", type=Path, help="Article JSONL file, or - for stdin")
    extract.add_argument("-o", "--output", type=Path, required=True, help="records JSONL file (appended)")
    extract.add_argument("--state", type=Path, default=None, metavar="DIR", help="persistent state directory")
    extract.add_argument("--model", type=Path, default=None, help="spaCy pipeline directory (default: packaged)")
    extract.add_argument("--workers", type=int, default=1, help="processes for nlp.pipe (default: 1)")
    extract.add_argument("--batch-size", type=int, default=16, help="texts per nlp.pipe batch (default: 16)")
    extract.set_defaults(func=cmd_extract)

    try:
        from newsspider import analysis_cli
    except ImportError:
        analysis_cli = None  # type: ignore[assignment]
    if analysis_cli is not None:
        analysis_cli.register(sub)
    return parser


def _settings(pairs: list[str], log_level: str) -> dict[str, str]:
    settings = {"LOG_LEVEL": log_level.upper()}
    for pair in pairs:
        if "=" not in pair:
            raise SystemExit(f"newsspider: -s expects NAME=VALUE, got {pair!r}")
        name, value = pair.split("=", 1)
        settings[name.strip()] = value
    return settings


def _run(args: argparse.Namespace, sources: Path | None, start_urls: list[str],
         extra: dict[str, str] | None = None) -> int:
    from newsspider.crawl import run_crawl
    from newsspider.sources import SourcesError, load_sources, sites_from_start_urls
    from pipelines.entities import MODEL_DIR, ModelError, load_model
    from pipelines.state import StateError

    try:
        if start_urls:
            sites_from_start_urls(start_urls, args.allow_domain if hasattr(args, "allow_domain") else [])
        else:
            load_sources(sources) if sources else load_sources()
    except SourcesError as exc:
        print(f"newsspider: {exc}", file=sys.stderr)
        return EXIT_INPUT
    settings = _settings(args.set, args.log_level)
    settings.update(extra or {})
    try:
        load_model(settings.get("NEWSSPIDER_MODEL") or MODEL_DIR)
    except (ModelError, OSError) as exc:
        print(f"newsspider: {exc}", file=sys.stderr)
        return EXIT_MODEL
    try:
        summary = run_crawl(args.output, sources=sources, start_urls=start_urls,
                            allow_domains=getattr(args, "allow_domain", []), state_dir=args.state,
                            articles_output=args.articles, settings=settings)
    except StateError as exc:
        print(f"newsspider: {exc}", file=sys.stderr)
        return EXIT_STATE
    print(summary.text())
    return EXIT_OK if summary.finished else EXIT_FAILED


def cmd_crawl(args: argparse.Namespace) -> int:
    return _run(args, args.sources, args.start_url)


def cmd_demo(args: argparse.Namespace) -> int:
    from newsspider.sample_site.server import SampleSite, write_sources

    with SampleSite() as site, tempfile.TemporaryDirectory(prefix="newsspider-demo-") as tmp:
        sources = write_sources(site, Path(tmp) / "sources.toml")
        print(f"sample site: {site.main_url}/ (partner {site.partner_url}/)")
        return _run(args, sources, [], extra={"NEWSSPIDER_ALLOW_LOOPBACK": "1",
                                              "AUTOTHROTTLE_START_DELAY": "0", "DOWNLOAD_DELAY": "0",
                                              "NEWSSPIDER_RETRY_BACKOFF_BASE": "0.2"})


def cmd_extract(args: argparse.Namespace) -> int:
    from rich.console import Console

    from pipelines.batch import extract
    from pipelines.entities import ModelError
    from pipelines.state import StateError

    if str(args.articles) != "-" and not args.articles.exists():
        print(f"newsspider: {args.articles}: no such file", file=sys.stderr)
        return EXIT_INPUT
    console = Console(stderr=True)
    status = console.status("extracting…") if console.is_terminal else None
    if status is not None:
        status.start()

    def progress(summary: object) -> None:
        if status is not None:
            read = getattr(summary, "read", 0)
            seconds = getattr(summary, "seconds", 0.0) or 1e-9
            status.update(f"{read} articles, {read / seconds:.1f} articles/s")

    try:
        summary = extract(args.articles, args.output, state_dir=args.state, model=args.model,
                          batch_size=args.batch_size, workers=args.workers, progress=progress)
    except ModelError as exc:
        print(f"newsspider: {exc}", file=sys.stderr)
        return EXIT_MODEL
    except StateError as exc:
        print(f"newsspider: {exc}", file=sys.stderr)
        return EXIT_STATE
    finally:
        if status is not None:
            status.stop()
    print(summary.line(), file=sys.stderr)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
