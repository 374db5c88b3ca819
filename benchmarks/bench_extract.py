"""Extraction throughput: newsspider's entity + records stages beside raw nlp.pipe of the same model.

    python benchmarks/bench_extract.py [--docs N] [--repeats 3]

Texts: the corpus documents in models/corpus (written by this project), cycled to N articles.
Prints medians of the repeats: words/s and articles/s for (a) raw `nlp.pipe` of the packaged
pipeline, (b) `EntityExtractor.pipe` + `build_records` (what `newsspider extract` runs, minus
file I/O), (c) the same with 2 worker processes; and the ratios b/a (target ≥ 0.85) and c/b
(target ≥ 1.6 on 2 cores).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from models.corpus import CORPUS, read_dir  # noqa: E402
from newsspider.items import Article  # noqa: E402
from pipelines.entities import EntityExtractor, compose  # noqa: E402
from pipelines.records import build_records  # noqa: E402


def articles(n: int) -> list[Article]:
    docs = read_dir(CORPUS / "train") + read_dir(CORPUS / "dev")
    out = []
    for i in range(n):
        d = docs[i % len(docs)]
        out.append(Article(url=f"https://bench.invalid/{i}", text=d.text, published=d.published))
    return out


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    batch = articles(args.docs)
    words = sum(len(a.text.split()) for a in batch)
    one = EntityExtractor(batch_size=32, n_process=1)
    two = EntityExtractor(batch_size=32, n_process=2)
    texts = [compose(a)[0] for a in batch]

    def raw() -> None:
        for _ in one.nlp.pipe(texts, batch_size=32):
            pass

    def ours(extractor: EntityExtractor) -> None:
        for article, mentions in extractor.pipe(batch):
            if not isinstance(mentions, Exception):
                build_records(article, mentions)

    raw()  # warm-up: lazy initialisation and caches
    rows = {}
    for name, fn in (("raw nlp.pipe", raw), ("newsspider extract, 1 process", lambda: ours(one)),
                     ("newsspider extract, 2 processes", lambda: ours(two))):
        rows[name] = statistics.median(timed(fn) for _ in range(args.repeats))
    print(f"{len(batch)} articles, {words} words; median of {args.repeats} runs")
    print(f"{'':34} {'seconds':>8} {'words/s':>9} {'articles/s':>11}")
    for name, seconds in rows.items():
        print(f"{name:34} {seconds:8.2f} {words / seconds:9.0f} {len(batch) / seconds:11.1f}")
    raw_s, one_s, two_s = rows.values()
    print(f"ratio extract/raw (1 process): {raw_s / one_s:.2f}   (target >= 0.85)")
    print(f"ratio 2 processes / 1 process: {one_s / two_s:.2f}   (target >= 1.6)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
