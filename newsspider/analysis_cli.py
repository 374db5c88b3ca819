"""The analyst commands `shows`, `timeline` and `diff`: option parsing and output only.

The main CLI calls `register(subparsers)` and then `sys.exit(args.func(args))`; every handler
returns an exit code. Exit codes: 0 success; 1 "nothing matched" (`timeline --show` naming no
show) or, for `diff`, "the two sides differ"; 2 trouble (missing or unreadable file, no usable
records, bad options, a file that cannot be written, `--strict` with skipped lines).
"""

from __future__ import annotations

import argparse
import difflib
import functools
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from newsspider import html_report
from newsspider.diff import DiffResult, Side, diff_rows
from newsspider.records_io import Problem, RecordsFile, RecordsFileError, parse_cutoff, read_records, reported_by
from newsspider.shows import (
    ShowRow,
    build_row,
    build_shows,
    find_groups,
    group_records,
    rows_document,
    rows_to_csv,
    rows_to_jsonl,
    write_parquet,
)
from newsspider.timeline import Timeline

TIMELINE_FORMAT_VERSION = 1
MAX_PROBLEMS_SHOWN = 50
EXIT_OK, EXIT_FOUND_NOTHING, EXIT_DIFFERENT, EXIT_TROUBLE = 0, 1, 1, 2

_SHOWS_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
                     ".parquet": "parquet", ".html": "html", ".htm": "html", ".txt": "text"}
_TIMELINE_EXTENSIONS = {".json": "json", ".html": "html", ".htm": "html", ".txt": "text"}


class _Trouble(Exception):
    """Stop a command with exit status 2 after printing the message."""


def _day_arg(text: str) -> str:
    try:
        return parse_cutoff(text)[0]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cutoff_arg(text: str) -> str:
    try:
        parse_cutoff(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `shows`, `timeline` and `diff` subcommands to the main parser."""
    formatter = argparse.RawDescriptionHelpFormatter
    shows = subparsers.add_parser(
        "shows", formatter_class=formatter,
        help="one row per show: dates, platforms, studios, sources",
        description="Summarise a records file into one row per show (merged by show.key and shared aliases):\n"
        "title and aliases, studios, platforms, the current premiere/release date and its precision,\n"
        "when it was first announced and by whom, number of sources, and when it was last seen.",
        epilog="examples:\n  newsspider shows records.jsonl\n  newsspider shows records.jsonl -o shows.csv\n"
        "  newsspider shows records.jsonl --format json | jq '.shows[].title'\n\n"
        "exit status: 0 ok; 2 missing file, no usable records, bad options or unwritable output",
    )
    shows.add_argument("records", metavar="RECORDS.jsonl", help="records file written by crawl or extract")
    shows.add_argument("-o", "--output", metavar="FILE",
                       help="write to FILE; the format follows its extension (.jsonl .json .csv .parquet .html)")
    shows.add_argument("--format", choices=["text", "json", "jsonl", "csv", "parquet", "html"],
                       help="output format (default: from -o's extension, else a text table)")
    _common(shows)
    shows.set_defaults(func=run_shows)

    timeline = subparsers.add_parser(
        "timeline", formatter_class=formatter,
        help="per show, what was reported when, by whom",
        description="Per show, a chronological list of claims: the first report, each date set, refined\n"
        "(2024-01 -> 2024-01-10) or changed (2024-01-10 -> 2024-04), each platform or studio added,\n"
        "with the sites and article links. Reports on the same published day that disagree are shown\n"
        "as a CONFLICT. Records with no published date are ordered by extracted_at and marked '*'.",
        epilog="examples:\n  newsspider timeline records.jsonl --show 'Metallic Rouge'\n"
        "  newsspider timeline records.jsonl --since 2024-01-01 --format html -o timeline.html\n\n"
        "exit status: 0 ok; 1 no show matches --show; 2 missing file, no usable records or bad options",
    )
    timeline.add_argument("records", metavar="RECORDS.jsonl", help="records file written by crawl or extract")
    timeline.add_argument("--show", metavar="TITLE",
                          help="only shows whose key, title or alias is TITLE (loosely compared), else contains it")
    timeline.add_argument("--since", metavar="DATE", type=_day_arg,
                          help="only claims reported on or after DATE (YYYY-MM-DD); earlier ones still count")
    timeline.add_argument("--format", choices=["text", "json", "html"],
                          help="output format (default: from -o's extension, else text)")
    timeline.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    _common(timeline)
    timeline.set_defaults(func=run_timeline)

    diff = subparsers.add_parser(
        "diff", formatter_class=formatter,
        help="shows added, removed and changed between two record sets",
        description="Compare two crawls (OLD.jsonl NEW.jsonl), or one growing file at two dates\n"
        "(FILE --at DATE1 --at DATE2: records published, else extracted, on or before each DATE).\n"
        "Reports shows added and removed, and per show the facts that changed (title, aliases,\n"
        "studios, platforms, premiere, release) with the article that gave the new value.",
        epilog="examples:\n  newsspider diff yesterday.jsonl today.jsonl\n"
        "  newsspider diff records.jsonl --at 2024-01-01 --at 2024-02-01 --format json\n\n"
        "exit status (like diff): 0 no differences; 1 differences; 2 trouble",
    )
    diff.add_argument("files", metavar="FILE", nargs="+", help="OLD.jsonl NEW.jsonl, or one FILE with two --at")
    diff.add_argument("--at", metavar="DATE", action="append", type=_cutoff_arg, default=[],
                      help="compare FILE as of this date (give twice: old, then new)")
    diff.add_argument("--format", choices=["text", "json"], default="text", help="output format (default text)")
    diff.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    _common(diff)
    diff.set_defaults(func=run_diff)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strict", action="store_true",
                        help="exit 2 if any line of the input had to be skipped, instead of warning")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one analysis command without the main CLI (`python -m newsspider.analysis_cli`)."""
    parser = argparse.ArgumentParser(prog="newsspider")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


# --- shared plumbing -------------------------------------------------------------------------


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _report(problems: Sequence[Problem]) -> None:
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        _err(str(problem))
    if len(problems) > MAX_PROBLEMS_SHOWN:
        _err(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more problems")


def _load(path: str, strict: bool, allow_empty: bool = False) -> RecordsFile:
    """Read a records file, print its problems; raise _Trouble when nothing usable is left."""
    try:
        loaded = read_records(path)
    except RecordsFileError as exc:
        raise _Trouble(str(exc)) from None
    _report(loaded.problems)
    skipped = [p for p in loaded.problems if p.message.endswith("skipped")]
    if strict and skipped:
        raise _Trouble(f"{path}: {len(skipped)} line(s) skipped and --strict given")
    if not loaded.records and not (allow_empty and loaded.empty):
        why = "the file is empty" if loaded.empty else f"all {loaded.lines} line(s) were skipped"
        raise _Trouble(f"{path}: no usable records ({why})")
    return loaded


def _render(stream: IO[str], draw: Callable[[Console], None]) -> None:
    """Colour and terminal width on a TTY; plain, wide text without trailing blanks otherwise,
    so piped output greps and diffs cleanly (FORCE_COLOR and friends are ignored there)."""
    if stream.isatty():
        draw(Console(file=stream, highlight=False, emoji=False))
        return
    buffer = io.StringIO()
    draw(Console(file=buffer, color_system=None, force_terminal=False, force_jupyter=False, width=240,
                 highlight=False, emoji=False, no_color=True, legacy_windows=False))
    stream.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


def _format(explicit: str | None, output: str | None, extensions: dict[str, str]) -> str:
    if explicit:
        return explicit
    if output:
        suffix = Path(output).suffix.lower()
        if suffix not in extensions:
            raise _Trouble(f"{output}: cannot tell the format from {suffix or 'no extension'!r}; "
                           f"use --format ({', '.join(sorted(set(extensions.values())))})")
        return extensions[suffix]
    return "text"


def _emit(output: str | None, write: Callable[[IO[str]], object]) -> None:
    """Call write(stream) on standard output or on the -o file; a write failure is trouble."""
    if output is None or output == "-":
        try:
            write(sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader (`| head`) has gone: stop quietly, keeping the command's own exit status.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as stream:
            write(stream)
    except OSError as exc:
        raise _Trouble(f"{output}: cannot write: {exc.strerror or exc}") from None


def _dump_json(document: Any) -> Callable[[IO[str]], None]:
    def write(stream: IO[str]) -> None:
        json.dump(document, stream, ensure_ascii=False, indent=2)
        stream.write("\n")
    return write


Handler = Callable[[argparse.Namespace], int]


def _guarded(run: Handler) -> Handler:
    """Turn _Trouble into its message on stderr and exit status 2."""
    @functools.wraps(run)
    def handler(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except _Trouble as exc:
            _err(str(exc))
            return EXIT_TROUBLE
    return handler


# --- shows ---------------------------------------------------------------------------------------


@_guarded
def run_shows(args: argparse.Namespace) -> int:
    """`newsspider shows RECORDS.jsonl [-o FILE] [--format F]`."""
    fmt = _format(args.format, args.output, _SHOWS_EXTENSIONS)
    if fmt == "parquet" and (args.output in (None, "-")):
        raise _Trouble("Parquet is binary: give -o FILE.parquet")
    loaded = _load(args.records, args.strict)
    groups = group_records(loaded.records)
    timelines = [group.timeline() for group in groups]
    rows = [build_row(group, timeline) for group, timeline in zip(groups, timelines, strict=True)]
    if fmt == "parquet":
        try:
            write_parquet(rows, args.output)
        except ImportError as exc:
            raise _Trouble(str(exc)) from None
        except OSError as exc:
            raise _Trouble(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    elif fmt == "json":
        _emit(args.output, _dump_json(rows_document(rows, args.records)))
    elif fmt == "jsonl":
        _emit(args.output, lambda stream: stream.write(rows_to_jsonl(rows)))
    elif fmt == "csv":
        _emit(args.output, lambda stream: stream.write(rows_to_csv(rows)))
    elif fmt == "html":
        _emit(args.output, lambda stream: stream.write(html_report.render_shows(rows, timelines, args.records)))
    else:
        _emit(args.output, lambda stream: _render(stream, lambda console: console.print(shows_table(rows))))
    if args.output not in (None, "-"):
        _err(f"wrote {len(rows)} shows to {args.output}")
    return EXIT_OK


def shows_table(rows: Sequence[ShowRow]) -> Table:
    """The text form of `shows`: one table row per show."""
    table = Table(box=box.SIMPLE_HEAD, title=f"{len(rows)} shows", title_justify="left")
    for column in ("Title", "Studios", "Platforms", "Premiere / release", "First announced", "Sources",
                   "Last seen"):
        table.add_column(column, overflow="fold")
    for row in rows:
        title = Text(row.title, style="bold")
        if row.aliases:
            title.append("\n" + ", ".join(row.aliases), style="dim")
        dated = row.premiere or row.release
        date_cell = Text()
        if dated:
            kind = "premiere" if row.premiere else "release"
            date_cell.append(dated.label, style="red" if dated.disputed else "")
            date_cell.append(f" {kind}, {dated.precision or 'unknown precision'}\n{dated.source.site}", style="dim")
        announced = Text(row.first_announced.date)
        announced.append(f"\n{row.first_announced.source.site}", style="dim")
        table.add_row(
            title,
            Text(", ".join(row.studios)),
            Text(", ".join(f"{p['name']} ({p['kind']})" if p["kind"] else p["name"] for p in row.platforms)),
            date_cell,
            announced,
            Text(str(row.sources)),
            Text(row.last_seen),
        )
    return table


# --- timeline -----------------------------------------------------------------------------------


@_guarded
def run_timeline(args: argparse.Namespace) -> int:
    """`newsspider timeline RECORDS.jsonl [--show TITLE] [--since DATE] [--format F] [-o FILE]`."""
    fmt = _format(args.format, args.output, _TIMELINE_EXTENSIONS)
    loaded = _load(args.records, args.strict)
    groups = group_records(loaded.records)
    if args.show:
        matched = find_groups(groups, args.show)
        if not matched:
            titles = [g.title for g in groups]
            close = difflib.get_close_matches(args.show, titles, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(repr(t) for t in close)}?" if close else ""
            _err(f"{args.records}: no show matching {args.show!r} among {len(groups)} shows{hint}")
            return EXIT_FOUND_NOTHING
        groups = matched
    timelines = [group.timeline() for group in groups]
    since = args.since
    if since:
        timelines = [t for t in timelines if t.since(since)]
        if not timelines:
            _err(f"{args.records}: no claims reported on or after {since}")
    if fmt == "json":
        _emit(args.output, _dump_json(timeline_document(timelines, args.records, since)))
    elif fmt == "html":
        _emit(args.output, lambda stream: stream.write(html_report.render_timelines(timelines, args.records, since)))
    else:
        _emit(args.output, lambda stream: _render(stream, lambda console: print_timelines(console, timelines, since)))
    if args.output not in (None, "-"):
        _err(f"wrote the timeline of {len(timelines)} show(s) to {args.output}")
    return EXIT_OK


def timeline_document(timelines: Sequence[Timeline], records_file: str, since: str | None) -> dict[str, Any]:
    """The `timeline --format json` document (see docs/analysis.md)."""
    return {
        "format": "newsspider-timeline",
        "version": TIMELINE_FORMAT_VERSION,
        "records_file": records_file,
        "since": since,
        "shows": [t.to_json(since) for t in timelines],
    }


_ACTION_STYLES = {"conflict": "bold red", "change": "yellow", "refinement": "green", "resolution": "magenta",
                  "first_report": "bold", "set": "cyan", "added": ""}


def print_timelines(console: Console, timelines: Sequence[Timeline], since: str | None) -> None:
    """The text form of `timeline`: a heading and a table of claims per show."""
    fallback_used = False
    for number, timeline in enumerate(timelines):
        if number:
            console.print()
        heading = Text(timeline.title, style="bold")
        heading.append(f"  [{timeline.key}]", style="dim")
        if timeline.aliases:
            heading.append(f"  also: {', '.join(timeline.aliases)}", style="dim")
        console.print(heading)
        claims = timeline.since(since) if since else timeline.claims
        hidden = len(timeline.claims) - len(claims)
        if hidden:
            console.print(Text(f"({hidden} earlier claim(s) before {since} not shown)", style="dim"))
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("When", no_wrap=True)
        table.add_column("What", overflow="fold")
        table.add_column("Reported by", overflow="fold")
        table.add_column("Article", overflow="fold")
        for claim in claims:
            when = claim.when + ("*" if claim.basis == "extracted_at" else "")
            fallback_used |= claim.basis == "extracted_at"
            if claim.action == "conflict":
                sources = [s for v in claim.values for s in v.sources]
            else:
                sources = list(claim.sources)
            who = Text(", ".join(dict.fromkeys(s.site for s in sources)))
            if claim.confirmed_by:
                who.append(f" (+{len(claim.confirmed_by)} later: "
                           f"{', '.join(dict.fromkeys(s.site for s in claim.confirmed_by))})", style="dim")
            links = Text("\n".join(dict.fromkeys(s.url for s in sources)))
            table.add_row(Text(when), Text(claim.summary, style=_ACTION_STYLES[claim.action]), who, links)
        console.print(table)
    if fallback_used:
        console.print(Text("* no published date: ordered by extraction time (extracted_at)", style="dim"))


# --- diff ---------------------------------------------------------------------------------------


@_guarded
def run_diff(args: argparse.Namespace) -> int:
    """`newsspider diff OLD.jsonl NEW.jsonl` or `newsspider diff FILE --at DATE1 --at DATE2`."""
    if len(args.files) == 2 and not args.at:
        old_loaded = _load(args.files[0], args.strict, allow_empty=True)
        new_loaded = _load(args.files[1], args.strict, allow_empty=True)
        old_lines, new_lines = old_loaded.records, new_loaded.records
        old_side_at = new_side_at = None
    elif len(args.files) == 1 and len(args.at) == 2:
        loaded = _load(args.files[0], args.strict)
        old_side_at, new_side_at = args.at
        old_lines = [line for line in loaded.records if reported_by(line, parse_cutoff(old_side_at))]
        new_lines = [line for line in loaded.records if reported_by(line, parse_cutoff(new_side_at))]
    else:
        raise _Trouble("diff needs OLD.jsonl NEW.jsonl, or one FILE with --at DATE1 --at DATE2 "
                       f"(got {len(args.files)} file(s) and {len(args.at)} --at)")
    old_path = args.files[0]
    new_path = args.files[-1]
    old_rows, new_rows = build_shows(old_lines), build_shows(new_lines)
    result = diff_rows(
        old_rows, new_rows,
        Side(old_path, old_side_at, len(old_lines), len(old_rows)),
        Side(new_path, new_side_at, len(new_lines), len(new_rows)),
    )
    if args.format == "json":
        _emit(args.output, _dump_json(result.to_json()))
    else:
        _emit(args.output, lambda stream: _render(stream, lambda console: print_diff(console, result)))
    return EXIT_DIFFERENT if result.differs else EXIT_OK


def print_diff(console: Console, result: DiffResult) -> None:
    """The text form of `diff`: +, - and ~ lines per show, with the article behind each change."""
    console.print(Text(f"--- {result.old.label}  ({result.old.records} records, {result.old.shows} shows)"))
    console.print(Text(f"+++ {result.new.label}  ({result.new.records} records, {result.new.shows} shows)"))
    if not result.differs:
        console.print(Text("no differences"))
        return
    for row in result.added:
        line = Text(f"+ {row.title} [{row.key}]", style="green")
        dated = row.premiere or row.release
        if dated:
            line.append(f"  {'premiere' if row.premiere else 'release'} {dated.label}")
        source = row.first_announced.source
        line.append(f"  — {source.site} {source.url}", style="dim")
        console.print(line)
    for row in result.removed:
        console.print(Text(f"- {row.title} [{row.key}]", style="red"))
    for show in result.changed:
        console.print(Text(f"~ {show.title} [{show.key}]", style="yellow"))
        for change in show.changes:
            line = Text(f"    {change.summary}")
            if change.source:
                line.append(f"  — {change.source.site} {change.source.url}", style="dim")
            console.print(line)
    console.print(Text(f"{len(result.added)} added, {len(result.removed)} removed, {len(result.changed)} changed"))


if __name__ == "__main__":
    sys.exit(main())
