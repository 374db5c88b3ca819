"""Shared fixtures: the sample site on 127.0.0.1 and a crawl run as a real subprocess.

A crawl runs in its own process because Twisted's reactor cannot be restarted in one
process, and because several tests kill it on purpose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsspider.sample_site.server import SampleSite, copy_sites, write_sources

ROOT = Path(__file__).resolve().parents[1]
FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "NEWSSPIDER_RETRY_BACKOFF_BASE=0.05",
        "-s", "NEWSSPIDER_ALLOW_LOOPBACK=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        "-s", "AUTOTHROTTLE_ENABLED=0"]


@dataclass
class Crawl:
    returncode: int
    stdout: str
    stderr: str
    output: Path

    def records(self) -> list[dict]:
        if not self.output.exists():
            return []
        return [json.loads(line) for line in self.output.read_text(encoding="utf-8").splitlines()]

    def articles(self) -> list[dict]:
        path = self.output.with_name("articles.jsonl")
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def crawl_command(sources: Path, output: Path, state: Path | None, *extra: str) -> list[str]:
    cmd = [sys.executable, "-m", "newsspider.cli", "crawl", "--sources", str(sources), "-o", str(output), *FAST,
           *extra]
    if state is not None:
        cmd += ["--state", str(state)]
    return cmd


def run_crawl(sources: Path, output: Path, state: Path | None = None, *extra: str, timeout: int = 240) -> Crawl:
    proc = subprocess.run(crawl_command(sources, output, state, *extra), capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return Crawl(proc.returncode, proc.stdout, proc.stderr, output)


@pytest.fixture
def sample_site() -> Iterator[SampleSite]:
    with SampleSite() as site:
        yield site


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """An editable copy of the sample sites (serve it with SampleSite(root))."""
    return copy_sites(tmp_path / "sites")


@pytest.fixture
def sources_for(tmp_path: Path):
    def make(site: SampleSite) -> Path:
        return write_sources(site, tmp_path / "sources.toml")
    return make
