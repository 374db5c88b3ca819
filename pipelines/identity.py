"""Show identity: the one function that decides when two titles name the same show.

`show_key` folds case, accents, punctuation, leading articles and season/part suffixes, so
"Spy x Family Season 2", "SPY×FAMILY" and "Spy x Family" share a key. Known aliases
(romanised vs English titles) come from models/patterns/show_aliases.jsonl.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

ALIASES_FILE = Path(__file__).resolve().parents[1] / "models" / "patterns" / "show_aliases.jsonl"

SEASON_SUFFIX = re.compile(
    r"(\s*[-:–—,]?\s*(\(|\b)(season|series|cour)\s*(\d+|[ivx]+|one|two|three|four|five)\)?"
    r"|\s*[-:–—,]?\s*(\(|\b)(part|vol\.?|volume)\s*(\d+|[ivx]+)\)?"
    r"|\s*[-:–—,]?\s*\b(the\s+)?(\d+)(st|nd|rd|th)\s+(season|series|part|cour)\b"
    r"|\s*[-:–—,]?\s*\b(the\s+)?(final|second|third|fourth|fifth)\s+(season|part|cour)\b"
    r"|\s+s\d{1,2}\b)\s*$",
    re.I,
)
LEADING_ARTICLE = re.compile(r"^(the|a|an)\s+", re.I)


def _fold(title: str) -> str:
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("×", " x ").replace("&", " and ").replace("+", " plus ")
    return text.lower()


def base_title(title: str) -> str:
    """The title without a trailing season/part marker ("Jujutsu Kaisen Season 2" → "Jujutsu Kaisen")."""
    previous = None
    title = title.strip()
    while previous != title:
        previous = title
        title = SEASON_SUFFIX.sub("", title).strip(" -:–—,")
    return title or previous


def show_key(title: str) -> str:
    """Normalised identity of a show title, aliases resolved."""
    folded = _fold(base_title(title))
    key = re.sub(r"[^a-z0-9]+", "-", LEADING_ARTICLE.sub("", folded.strip())).strip("-")
    return _aliases().get(key, key) or re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "untitled"


@cache
def _aliases() -> dict[str, str]:
    """alias key → key of the preferred title."""
    table: dict[str, str] = {}
    if not ALIASES_FILE.exists():
        return table
    for line in ALIASES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        main = _plain_key(entry["title"])
        for alias in entry.get("aliases", []):
            table[_plain_key(alias)] = main
    return table


def _plain_key(title: str) -> str:
    folded = _fold(base_title(title))
    return re.sub(r"[^a-z0-9]+", "-", LEADING_ARTICLE.sub("", folded.strip())).strip("-")
