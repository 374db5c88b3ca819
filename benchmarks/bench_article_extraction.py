"""Body-text F1 of newsspider's article extractor on the article-extraction benchmark.

Data: ../shared/data/article-extraction-benchmark (181 real pages with ground truth, MIT).
Metric as that benchmark defines it: per page, multisets of 4-gram shingles of \\w+ tokens;
TP/FP/FN normalised per page to sum 1; precision and recall macro-averaged; F1 of the averages.
Prints ours beside trafilatura alone (default settings) measured in the same run.

    python benchmarks/bench_article_extraction.py [--data DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipelines.articles import NotAnArticle, extract_article

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "article-extraction-benchmark"
TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def page_scores(predicted: str, truth: str) -> tuple[float, float, float]:
    """TP, FP, FN for one page, normalised to sum 1 (the benchmark's convention)."""
    p, t = shingles(predicted), shingles(truth)
    tp = sum((p & t).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    if total == 0:
        return 1.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def evaluate(pages: dict[str, tuple[str, str, str]], extractor: Callable[[str, str], str]) -> dict[str, float]:
    precisions, recalls = [], []
    started = time.perf_counter()
    for html, url, truth in pages.values():
        tp, fp, fn = page_scores(extractor(html, url), truth)
        precisions.append(tp / (tp + fp) if tp + fp else 0.0)
        recalls.append(tp / (tp + fn) if tp + fn else 0.0)
    elapsed = time.perf_counter() - started
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pages_per_s": len(pages) / elapsed}


def ours(html: str, url: str) -> str:
    try:
        return extract_article(html, url).text
    except NotAnArticle:
        return ""


def trafilatura_alone(html: str, url: str) -> str:
    return trafilatura.extract(html, url=url) or ""


def load(data: Path) -> dict[str, tuple[str, str, str]]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for item_id, entry in truth.items():
        html = gzip.decompress((data / "html" / f"{item_id}.html.gz").read_bytes()).decode("utf-8", "replace")
        pages[item_id] = (html, entry["url"], entry["articleBody"])
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not (args.data / "ground-truth.json").exists():
        print(f"benchmark data not found at {args.data}", file=sys.stderr)
        return 2
    pages = load(args.data)
    rows = [("newsspider", evaluate(pages, ours)), ("trafilatura alone", evaluate(pages, trafilatura_alone))]
    print(f"article-extraction-benchmark: {len(pages)} pages, 4-gram shingle P/R/F1 (macro)")
    print(f"{'extractor':<20} {'precision':>9} {'recall':>7} {'F1':>7} {'pages/s':>8}")
    for name, score in rows:
        print(f"{name:<20} {score['precision']:>9.3f} {score['recall']:>7.3f} {score['f1']:>7.3f} "
              f"{score['pages_per_s']:>8.1f}")
    print(f"F1 ratio newsspider / trafilatura: {rows[0][1]['f1'] / rows[1][1]['f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
