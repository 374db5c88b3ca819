"""Read the corpus format (models/corpus/FORMAT.md) into texts, entity spans and gold links.

`python -m models.corpus` writes models/corpus/train.spacy and dev.spacy (DocBin) for
`spacy train`. Training documents about a dev-set show (named in the headline or more than
once) are left out, so the dev score measures subjects the model never trained on; passing
mentions are kept and counted.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.util import filter_spans

CORPUS = Path(__file__).with_name("corpus")
HEADER = re.compile(r"^=== (\S+) \| (.*?) ===\s*$")
MARK = re.compile(r"\[([^\[\]\n]+?)\]\((SHOW|STUDIO|PLATFORM|DATE)\)")
LABELS = ("SHOW", "STUDIO", "PLATFORM", "DATE")


@dataclass
class CorpusDoc:
    id: str
    style: str
    text: str
    spans: list[tuple[int, int, str]]
    published: str | None = None
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (show, field, target)


def parse_text(raw: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Strip inline markup; return plain text and (start, end, label) character spans."""
    out: list[str] = []
    spans = []
    pos = 0
    length = 0
    for match in MARK.finditer(raw):
        before = raw[pos:match.start()]
        out.append(before)
        length += len(before)
        surface = match.group(1)
        spans.append((length, length + len(surface), match.group(2)))
        out.append(surface)
        length += len(surface)
        pos = match.end()
    out.append(raw[pos:])
    return "".join(out), spans


def read_file(path: Path) -> list[CorpusDoc]:
    docs: list[CorpusDoc] = []
    current: dict | None = None
    body: list[str] = []

    def flush() -> None:
        if current is not None:
            text, spans = parse_text("\n".join(body).strip("\n"))
            docs.append(CorpusDoc(current["id"], current["style"], text, spans, current.get("published"),
                                  current["links"]))

    for line in path.read_text(encoding="utf-8").splitlines():
        header = HEADER.match(line)
        if header:
            flush()
            current = {"id": header.group(1), "style": header.group(2), "links": []}
            body = []
            continue
        if current is None:
            continue
        if not body and line.startswith("@published"):
            current["published"] = line.split(None, 1)[1].strip() if " " in line else None
            continue
        if not body and line.startswith("@link"):
            parts = [p.strip() for p in line[len("@link"):].split("|")]
            if len(parts) == 3 and parts[1] in ("studio", "platform"):
                current["links"].append((parts[0], parts[1], parts[2]))
            continue
        body.append(line)
    flush()
    return docs


def read_dir(directory: Path) -> list[CorpusDoc]:
    docs = []
    for path in sorted(directory.glob("*.txt")):
        docs.extend(read_file(path))
    return docs


# The dev set's subjects, reserved when it was commissioned (other shows appear there in passing).
DEV_SUBJECTS = (
    "Frieren: Beyond Journey's End", "Frieren", "Sousou no Frieren", "The Apothecary Diaries",
    "Kusuriya no Hitorigoto", "Dandadan", "Dan Da Dan", "Solo Leveling", "Oshi no Ko", "Kaiju No. 8",
    "Delicious in Dungeon", "Sakamoto Days", "Blue Lock", "Mushoku Tensei: Jobless Reincarnation",
    "Mushoku Tensei", "Undead Unluck", "Pokémon Horizons", "Zenshu", "The Summer Hikaru Died",
    "Witch Hat Atelier", "Blue Box", "Orb: On the Movements of the Earth", "Gachiakuta", "Lazarus",
    "Takopi's Original Sin", "Pluribus", "Severance", "Shogun", "The Bear", "Fallout", "The Penguin", "Arcane",
    "Andor", "Slow Horses", "Wednesday", "Squid Game", "The Boys", "Hazbin Hotel", "Invincible", "Adolescence",
    "The White Lotus", "Daredevil: Born Again", "Alien: Earth", "Blue Eye Samurai", "Ne Zha 2", "The Studio",
    "Paradise", "Silo", "The Diplomat", "Nobody Wants This",
)


def dev_show_keys() -> set[str]:
    from pipelines.identity import show_key

    return {show_key(title) for title in DEV_SUBJECTS}


def to_docbin(docs: list[CorpusDoc], nlp: spacy.Language) -> tuple[DocBin, int]:
    db = DocBin(store_user_data=False)
    misaligned = 0
    for item in docs:
        doc = nlp.make_doc(item.text)
        ents = []
        for start, end, label in item.spans:
            span = doc.char_span(start, end, label=label, alignment_mode="contract")
            if span is None or not span.text.strip():
                misaligned += 1
                continue
            ents.append(span)
        doc.ents = filter_spans(ents)
        db.add(doc)
    return db, misaligned


def main() -> int:
    parser = argparse.ArgumentParser(description="Convert the corpus to DocBin files for spacy train.")
    parser.add_argument("--out", type=Path, default=CORPUS)
    args = parser.parse_args()
    from pipelines.identity import show_key

    from models.components import add_special_cases

    nlp = spacy.blank("en")
    add_special_cases(nlp)
    dev = read_dir(CORPUS / "dev")
    train_all = read_dir(CORPUS / "train")
    held_out = dev_show_keys()

    def about_dev_show(doc: CorpusDoc) -> bool:
        headline_end = doc.text.find("\n") if "\n" in doc.text else len(doc.text)
        hits = [(s, show_key(doc.text[s:e])) for s, e, label in doc.spans if label == "SHOW"]
        dev_hits = [(s, k) for s, k in hits if k in held_out]
        return len(dev_hits) >= 2 or any(s < headline_end for s, _ in dev_hits)

    train = [d for d in train_all if not about_dev_show(d)]
    passing = sum(1 for d in train if any(show_key(d.text[s:e]) in held_out
                                          for s, e, label in d.spans if label == "SHOW"))
    for name, docs in (("train", train), ("dev", dev)):
        db, misaligned = to_docbin(docs, nlp)
        db.to_disk(args.out / f"{name}.spacy")
        words = sum(len(d.text.split()) for d in docs)
        print(f"{name}: {len(docs)} docs, {words} words, {sum(len(d.spans) for d in docs)} spans, "
              f"{misaligned} misaligned")
    print(f"train docs left out for being about a dev show: {len(train_all) - len(train)}; "
          f"kept with a passing mention of one: {passing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
