"""Score the shipped pipeline on the dev set: per-label spans, per-document shows, and links.

    python -m models.evaluate [--model DIR] [--corpus models/corpus/dev] [--write-card]

Spans: exact character match per label. Shows: per document, the set of show keys (what a
user of the records sees). Links: per document, (show key, studio|platform, canonical name)
triples from the records `newsspider extract` would write. A second block scores whole pages
of the bundled sample site (HTML → article extraction → model) against its truth.json.
Every number in MODEL_CARD.md comes from this command (`--write-card` rewrites its scores
section and models/metrics.json).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from models.corpus import CORPUS, LABELS, CorpusDoc, read_dir
from newsspider.items import Article
from pipelines.entities import EntityExtractor
from pipelines.identity import show_key
from pipelines.records import build_records

HERE = Path(__file__).resolve().parent
CARD = HERE / "MODEL_CARD.md"
METRICS = HERE / "metrics.json"
BEGIN, END = "<!-- scores:begin -->", "<!-- scores:end -->"


def canonical_names() -> dict[tuple[str, str], str]:
    table = {}
    for label, name in (("platform", "platforms.jsonl"), ("studio", "studios.jsonl")):
        for line in (HERE / "patterns" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                for form in [item["name"], *item.get("aliases", [])]:
                    table[(label, form.lower())] = item["name"]
    return table


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


def evaluate(docs: list[CorpusDoc], model: Path | None = None) -> dict[str, dict[str, float]]:
    extractor = EntityExtractor(model)
    names = canonical_names()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    articles = [Article(url=f"https://dev.invalid/{d.id}", text=d.text, published=d.published) for d in docs]
    started = time.perf_counter()
    for doc, (article, mentions) in zip(docs, extractor.pipe(articles), strict=True):
        if isinstance(mentions, Exception):
            raise mentions
        gold = {(s, e, label) for s, e, label in doc.spans}
        pred = {(m.start, m.end, m.label) for m in mentions.entities if m.start >= 0}
        for label in LABELS:
            g = {x for x in gold if x[2] == label}
            p = {x for x in pred if x[2] == label}
            counts[label][0] += len(g & p)
            counts[label][1] += len(p - g)
            counts[label][2] += len(g - p)
        records = build_records(article, mentions)
        gold_shows = {show_key(doc.text[s:e]) for s, e, label in doc.spans if label == "SHOW"}
        pred_shows = {r.show["key"] for r in records}
        counts["shows (per doc)"][0] += len(gold_shows & pred_shows)
        counts["shows (per doc)"][1] += len(pred_shows - gold_shows)
        counts["shows (per doc)"][2] += len(gold_shows - pred_shows)
        aliases = {r.show["key"]: r.show["key"] for r in records}
        for r in records:
            for alias in r.show["aliases"]:
                aliases[show_key(alias)] = r.show["key"]
        for field in ("studio", "platform"):
            g_links = {(aliases.get(show_key(show), show_key(show)), _norm(names.get((field, t.lower()), t)))
                       for show, f, t in doc.links if f == field}
            p_links = set()
            for r in records:
                targets = r.studios if field == "studio" else [p["name"] for p in r.platforms]
                p_links.update((r.show["key"], _norm(names.get((field, t.lower()), t))) for t in targets)
            key = f"show→{field} links"
            counts[key][0] += len(g_links & p_links)
            counts[key][1] += len(p_links - g_links)
            counts[key][2] += len(g_links - p_links)
    elapsed = time.perf_counter() - started
    scores = {name: prf(*c) for name, c in counts.items()}
    scores["_run"] = {"docs": len(docs), "words": sum(len(d.text.split()) for d in docs),
                      "seconds": round(elapsed, 2)}
    return scores


def evaluate_sample_site(model: Path | None = None) -> dict[str, dict[str, float]]:
    """Per-article sets against newsspider/sample_site/truth.json, from the HTML pages as a crawl sees them.

    A second yardstick, written independently of the corpora: real page chrome, extraction by
    pipelines.articles, then the model; shows, studios, platforms and links per article.
    """
    from newsspider.sample_site.server import DEFAULT_ROOT, TRUTH_PATH
    from pipelines.articles import NotAnArticle, extract_article

    truth = json.loads(TRUTH_PATH.read_text(encoding="utf-8"))
    names = canonical_names()
    extractor = EntityExtractor(model)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    pages = []
    for entry in truth.values():
        if not entry.get("is_article") or entry.get("variant_of") or entry.get("syndicated_from"):
            continue
        path = DEFAULT_ROOT / entry["site"] / entry["path"].lstrip("/").split("?")[0]
        candidates = [path, path / "index.html", path.with_name(path.name + ".html")]
        file = next((c for c in candidates if c.is_file()), None)
        if file is None:
            continue
        html = file.read_bytes().decode("utf-8", errors="replace").replace("{{MAIN}}", "http://main.invalid") \
            .replace("{{PARTNER}}", "http://partner.invalid")
        try:
            pages.append((entry, extract_article(html, "http://main.invalid" + entry["path"])))
        except NotAnArticle:
            continue

    def canon(field: str, name: str) -> str:
        return _norm(names.get((field, name.lower()), name))

    for (entry, article), (_, mentions) in zip(pages, extractor.pipe([a for _, a in pages]), strict=True):
        if isinstance(mentions, Exception):
            raise mentions
        records = build_records(article, mentions)
        keys = {r.show["key"] for r in records}
        alias_of = {show_key(a): r.show["key"] for r in records for a in [r.show["title"], *r.show["aliases"]]}
        gold = {
            "shows": {show_key(s) for s in entry["shows"]},
            "studios": {canon("studio", s) for s in entry["studios"]},
            "platforms": {canon("platform", p) for p in entry["platforms"]},
            "links": {(alias_of.get(show_key(s), show_key(s)), f, canon(f, t)) for s, f, t in entry["links"]},
        }
        pred = {
            "shows": keys,
            "studios": {canon("studio", s) for r in records for s in r.studios},
            "platforms": {canon("platform", p["name"]) for r in records for p in r.platforms},
            "links": {(r.show["key"], "studio", canon("studio", s)) for r in records for s in r.studios}
            | {(r.show["key"], "platform", canon("platform", p["name"])) for r in records for p in r.platforms},
        }
        for name in gold:
            counts[name][0] += len(gold[name] & pred[name])
            counts[name][1] += len(pred[name] - gold[name])
            counts[name][2] += len(gold[name] - pred[name])
    scores = {f"sample site {name} (per article)": prf(*c) for name, c in counts.items()}
    scores["_sample_run"] = {"articles": len(pages)}
    return scores


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9+]+", " ", name.lower()).strip()


def table(scores: dict[str, dict[str, float]]) -> str:
    rows = ["| measure | precision | recall | F1 | tp | fp | fn |", "|---|---|---|---|---|---|---|"]
    for name, s in scores.items():
        if name.startswith("_"):
            continue
        rows.append(f"| {name} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {s['tp']} | {s['fp']} | {s['fn']} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--corpus", type=Path, default=CORPUS / "dev")
    parser.add_argument("--write-card", action="store_true")
    args = parser.parse_args()
    docs = read_dir(args.corpus)
    scores = evaluate(docs, args.model)
    scores.update(evaluate_sample_site(args.model))
    text = table(scores)
    run = scores["_run"]
    print(f"{args.corpus}: {run['docs']} documents, {run['words']} words, {run['seconds']} s")
    print(text)
    if args.write_card:
        METRICS.write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
        card = CARD.read_text(encoding="utf-8")
        if BEGIN in card and END in card:
            head, rest = card.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            block = (f"{BEGIN}\nDev set: {run['docs']} documents, {run['words']} words; sample site: "
                     f"{scores['_sample_run']['articles']} articles from newsspider/sample_site/truth.json "
                     f"(`python -m models.evaluate --write-card`).\n\n{text}\n{END}")
            CARD.write_text(head + block + tail, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
