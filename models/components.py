"""newsspider's spaCy components, registered as factories and configured in models/config.cfg.

Each signal does what it is good at:
- `newsspider_lines`: page text is line-oriented (headlines, captions, list rows); a newline ends a sentence.
- `ner` (trained, stock spaCy): SHOW/STUDIO/PLATFORM/DATE from context, for titles no list knows.
- `newsspider_gazetteer`: real platforms and studios from models/patterns, with canonical names and
  platform kinds; ambiguous names ("Bones", "Max") only with context or the NER's agreement.
- `newsspider_cues`: the page's own hints (italics, quotes) and phrases like "the anime X", "titled X",
  "X Season 2" add SHOW spans the NER missed.
- `newsspider_dates`: date phrases from pipelines.dates' grammar the NER missed.
- `newsspider_linker`: which studio, platform and date belongs to which show; the primary show.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipelines.identity import show_key

PATTERNS_DIR = Path(__file__).with_name("patterns")
LABELS = ("SHOW", "STUDIO", "PLATFORM", "DATE")
FIELDS = {"STUDIO": "studios", "PLATFORM": "platforms", "DATE": "dates"}

if not Doc.has_extension("links"):
    Doc.set_extension("links", default=None)
if not Doc.has_extension("primary"):
    Doc.set_extension("primary", default=None)
if not Doc.has_extension("emphasised"):
    Doc.set_extension("emphasised", default=None)


TITLE_ABBREVIATIONS = ("No.", "Vol.", "Ep.", "Pt.", "Mr.", "Mrs.", "Dr.", "St.", "vs.", "Jr.")


def add_special_cases(nlp: Language) -> None:
    """Keep "No." in "Kaiju No. 8" one token, so the title is not cut at a false sentence end."""
    from spacy.symbols import ORTH

    for abbreviation in TITLE_ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])


def split_kb(kb_id: str) -> tuple[str | None, str | None]:
    """(kind, canonical name) stored by the gazetteer in a span's kb_id as 'kind|name'."""
    if "|" not in kb_id:
        return None, None
    kind, name = kb_id.split("|", 1)
    return kind or None, name or None


# --- sentence boundaries at line breaks -------------------------------------------------------
@Language.component("newsspider_lines")
def newsspider_lines(doc: Doc) -> Doc:
    for token in doc[:-1]:
        if "\n" in token.whitespace_ or (token.is_space and "\n" in token.text):
            doc[token.i + 1].is_sent_start = True
    return doc


# --- gazetteer -----------------------------------------------------------------------------------
COMPANY_WORD = re.compile(r"\b(studios?|pictures|productions?|animation|films?|entertainment|media|works|"
                          r"television|tv|inc\.?|ltd\.?|co\.|llc|gmbh|company|films|arts|sound|digital|labs?)\b",
                          re.I)
STUDIO_CUES = {"studio", "studios", "animated", "animation", "produced", "production", "producer", "by",
               "from", "at", "animates", "animating", "co-production", "team", "behind"}
PLATFORM_CUES = {"on", "via", "streams", "streaming", "stream", "airs", "aired", "air", "airing", "broadcast",
                 "broadcasts", "network", "channel", "exclusively", "service", "to", "simulcast", "simulcasts",
                 "premieres", "premiere", "debuts", "watch", "available", "lands", "arrives", "and", "or", ","}


class Gazetteer:
    """Marks known platforms and studios; canonical name and kind go into the span's kb_id."""

    def __init__(self, nlp: Language, name: str, patterns_dir: str) -> None:
        self.nlp = nlp
        self.name = name
        self.patterns_dir = Path(patterns_dir) if patterns_dir else PATTERNS_DIR
        self.entries: list[dict[str, Any]] = []
        self.blocked: set[str] = set()
        self._build(self._read_files())

    def _read_files(self) -> dict[str, Any]:
        entries: list[dict[str, Any]] = []
        for label, filename in (("PLATFORM", "platforms.jsonl"), ("STUDIO", "studios.jsonl")):
            path = self.patterns_dir / filename
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    item = json.loads(line)
                    names = [item["name"], *item.get("aliases", [])]
                    risky = item.get("ambiguous_forms", names if item.get("ambiguous") else [])
                    entries.append({"label": label, "name": item["name"], "kind": item.get("kind", ""),
                                    "safe": [n for n in names if n not in risky],
                                    "risky": [n for n in names if n in risky]})
        blocked = []
        path = self.patterns_dir / "not_studios.jsonl"
        if path.exists():
            blocked = [json.loads(line)["name"] for line in path.read_text(encoding="utf-8").splitlines()
                       if line.strip()]
        return {"entries": entries, "blocked": blocked}

    def _build(self, data: dict[str, Any]) -> None:
        self.entries = data["entries"]
        self.blocked = set(data["blocked"])
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for i, entry in enumerate(self.entries):
            if entry["safe"]:
                self.exact.add(str(i), [self.nlp.make_doc(n) for n in entry["safe"]])
            if entry["risky"]:
                self.exact.add(f"{i}?", [self.nlp.make_doc(n) for n in entry["risky"]])
            # Case-insensitive only for distinctive names: "TOKYO MX", "CRUNCHYROLL".
            folded = [n for n in entry["safe"] if len(n) >= 6]
            if folded:
                self.folded.add(str(i), [self.nlp.make_doc(n) for n in folded])

    def __call__(self, doc: Doc) -> Doc:
        # The NER is sourced from en_core_web_sm: labels it still knows (PERSON, GPE…) are not ours.
        ner_spans = [e for e in doc.ents if e.label_ in LABELS]
        ner_labels = {(e.start, e.end): e.label_ for e in ner_spans}
        found = []
        seen = set()
        for matcher in (self.exact, self.folded):
            for match_id, start, end in matcher(doc):
                if (start, end) in seen:
                    continue
                key = self.nlp.vocab.strings[match_id]
                entry = self.entries[int(key.rstrip("?"))]
                if key.endswith("?") and not self._context_ok(doc, start, end, entry["label"], ner_labels):
                    continue
                seen.add((start, end))
                found.append(Span(doc, start, end, label=entry["label"],
                                  kb_id=f"{entry['kind']}|{entry['name']}"))
        found = filter_spans(found)
        taken = {i for s in found for i in range(s.start, s.end)}
        others = []
        for ent in ner_spans:
            if ent.label_ == "STUDIO" and (ent.text in self.blocked or not self._studio_like(doc, ent)):
                continue
            if not any(i in taken for i in range(ent.start, ent.end)):
                others.append(ent)
            elif ent.label_ == "SHOW":
                # "Science SARU's Dandadan" read as one title: the known name wins, the rest stays a title.
                rest = self._remainder(doc, ent, taken)
                if rest is not None:
                    others.append(rest)
        doc.ents = sorted(found + others, key=lambda s: s.start)
        return doc

    @staticmethod
    def _studio_like(doc: Doc, ent: Span) -> bool:
        """An unknown name is a studio only if it looks like a company or is credited as one.

        The NER alone confuses people and characters with studios; a real new studio is named
        "X Pictures" or "X Studio", or introduced as "animated by X" / "Animation Production: X".
        """
        if COMPANY_WORD.search(ent.text):
            return True
        before = doc[max(0, ent.start - 4):ent.start].text.lower()
        return bool(re.search(r"(animated|produced|animation|production|studio|made)\s*(by|at|from|:)?\s*$", before))

    @staticmethod
    def _remainder(doc: Doc, ent: Span, taken: set[int]) -> Span | None:
        free = [i for i in range(ent.start, ent.end) if i not in taken]
        if not free or free != list(range(free[0], free[-1] + 1)):
            return None
        start, end = free[0], free[-1] + 1
        while start < end and (doc[start].is_punct or doc[start].lower_ in {"'s", "’s", "on", "by", "from"}):
            start += 1
        while end > start and doc[end - 1].is_punct and doc[end - 1].text not in ("!", "?"):
            end -= 1
        if end <= start or not any(t.is_alpha for t in doc[start:end]):
            return None
        return Span(doc, start, end, label="SHOW")

    @staticmethod
    def _context_ok(doc: Doc, start: int, end: int, label: str, ner_labels: dict[tuple[int, int], str]) -> bool:
        if ner_labels.get((start, end)) == label:
            return True
        cues = STUDIO_CUES if label == "STUDIO" else PLATFORM_CUES
        before = {t.lower_ for t in doc[max(0, start - 3):start]}
        if before & cues:
            return True
        after = doc[end:end + 2]
        # "Trigger (Kill la Kill)", "Bones' new series", "Trigger's Delicious in Dungeon"
        if after and (after[0].text in ("(", "'s", "’s", "'", "’") or ner_labels.get((end + 1, end + 2)) == "SHOW"):
            return True
        if re.match(r"^,?\s*(the|a|an)\s+(\w+\s+)?(studio|network|channel|streamer|service|broadcaster|platform)\b",
                    doc[end:end + 5].text, re.I):
            return True
        line_start = doc[start].sent.start
        prefix = doc[line_start:start].text.lower()
        return bool(re.search(r"(animation|production|studio|network|platform|streaming|broadcast)\s*:?\s*$",
                              prefix))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "gazetteer.json").write_text(
            json.dumps({"entries": self.entries, "blocked": sorted(self.blocked)}, ensure_ascii=False),
            encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> Gazetteer:
        self._build(json.loads((Path(path) / "gazetteer.json").read_text(encoding="utf-8")))
        return self


@Language.factory("newsspider_gazetteer", default_config={"patterns_dir": ""})
def make_gazetteer(nlp: Language, name: str, patterns_dir: str) -> Gazetteer:
    return Gazetteer(nlp, name, patterns_dir)


# --- page and context cues for SHOW --------------------------------------------------------------
CONNECTORS = {"of", "the", "no", "x", "to", "in", "a", "an", "and", "on", "wa", "ga", "de", "ni", "wo", "o",
              "from", "with", "for", "at", "is", "&", "-", ":", "'s", "’s", "vs", "vs.", "my", "as"}
WORK_NOUNS = {"anime", "series", "show", "film", "movie", "drama", "sitcom", "miniseries", "documentary",
              "special", "ova", "adaptation", "spinoff", "spin-off", "sequel", "prequel", "reboot", "remake",
              "docuseries", "k-drama", "kdrama", "thriller", "comedy", "animated", "original"}
NAMING_VERBS = {"titled", "called", "dubbed", "named", "entitled"}
SEASON_WORDS = {"season", "part", "cour", "series"}
STOP_STARTS = {"the", "a", "an", "this", "that", "its", "his", "her", "their", "new", "first", "second",
               "next", "last", "netflix", "crunchyroll"}


def _titleish(token: Any) -> bool:
    return (token.text[:1].isupper() or token.text[:1].isdigit()) and not token.is_punct


def _title_run(doc: Doc, start: int, limit: int = 10) -> int:
    """End of a run of title-cased tokens (with connectors inside) beginning at `start`."""
    end = start
    i = start
    while i < len(doc) and i - start < limit:
        tok = doc[i]
        if "\n" in tok.whitespace_ and _titleish(tok):
            end = i + 1
            break
        if _titleish(tok) or (tok.text in ("!", "?") and i > start):
            end = i + 1
        elif tok.lower_ in CONNECTORS and i > start:
            pass
        else:
            break
        i += 1
    return end


class Cues:
    """SHOW spans from the page's emphasis and from naming phrases, only where nothing else is."""

    def __init__(self, nlp: Language, name: str, max_words: int) -> None:
        self.max_words = max_words

    def __call__(self, doc: Doc) -> Doc:
        taken = {i for e in doc.ents for i in range(e.start, e.end)}
        emphasised = [s for text in doc._.emphasised or [] for s in self._occurrences(doc, text)]
        emphasised = [s for s in filter_spans(emphasised) if not any(i in taken for i in range(s.start, s.end))]
        taken.update(i for s in emphasised for i in range(s.start, s.end))
        new: list[Span] = []
        for tok in doc:
            nxt = tok.i + 1
            # Lower-case trigger only: in a Title Case headline "Anime" is not a cue.
            if tok.text in WORK_NOUNS | NAMING_VERBS and nxt < len(doc):
                if doc[nxt].text in ('"', "“", "'", "‘"):
                    nxt += 1
                if nxt < len(doc) and _titleish(doc[nxt]) and doc[nxt].lower_ not in STOP_STARTS:
                    end = _title_run(doc, nxt)
                    if end > nxt:
                        new.append(Span(doc, nxt, end, label="SHOW"))
            if tok.lower_ in SEASON_WORDS and tok.i > 0 and nxt < len(doc) and (
                    doc[nxt].like_num or doc[nxt].text.lower() in {"one", "two", "three", "four", "five"}):
                start = tok.i
                while start > 0 and (_titleish(doc[start - 1]) or doc[start - 1].lower_ in CONNECTORS) \
                        and tok.i - start < 8 and "\n" not in doc[start - 1].whitespace_:
                    start -= 1
                while start < tok.i and doc[start].lower_ in CONNECTORS:
                    start += 1
                if start < tok.i:
                    new.append(Span(doc, start, tok.i, label="SHOW"))
        fresh = emphasised + [s for s in filter_spans(new) if not any(i in taken for i in range(s.start, s.end))
                              and 0 < len(s) <= self.max_words and s.text.lower() not in STOP_STARTS]
        if fresh:
            doc.ents = sorted([*doc.ents, *fresh], key=lambda s: s.start)
        return self._propagate(doc)

    def _propagate(self, doc: Doc) -> Doc:
        """A title recognised once is a title wherever it recurs in the article (also in ALL CAPS)."""
        titles = {e.text for e in doc.ents if e.label_ == "SHOW" and any(c.isupper() for c in e.text)
                  and e.text.lower() not in STOP_STARTS and len(e.text) > 2}
        other_labels = {e.text for e in doc.ents if e.label_ != "SHOW"}
        taken = {i for e in doc.ents for i in range(e.start, e.end)}
        new = []
        for title in titles - other_labels:
            for form in {title, title.upper()}:
                for match in re.finditer(rf"(?<![\w]){re.escape(form)}(?![\w])", doc.text):
                    span = doc.char_span(match.start(), match.end(), label="SHOW")
                    if span is not None and not any(i in taken for i in range(span.start, span.end)):
                        new.append(span)
                        taken.update(range(span.start, span.end))
        if new:
            doc.ents = sorted([*doc.ents, *new], key=lambda s: s.start)
        return doc

    @staticmethod
    def _occurrences(doc: Doc, text: str) -> list[Span]:
        if not text[:1].isupper() and not text[:1].isdigit():
            return []
        spans = []
        for match in re.finditer(re.escape(text), doc.text):
            span = doc.char_span(match.start(), match.end(), label="SHOW")
            if span is not None:
                spans.append(span)
        return spans


@Language.factory("newsspider_cues", default_config={"max_words": 12})
def make_cues(nlp: Language, name: str, max_words: int) -> Cues:
    return Cues(nlp, name, max_words)


# --- dates the grammar knows -------------------------------------------------------------------
@Language.component("newsspider_dates")
def newsspider_dates(doc: Doc) -> Doc:
    from pipelines.dates import find_date_spans

    taken = {i for e in doc.ents for i in range(e.start, e.end)}
    new = []
    for start, end in find_date_spans(doc.text):
        span = doc.char_span(start, end, label="DATE", alignment_mode="expand")
        if span is not None and not any(i in taken for i in range(span.start, span.end)):
            new.append(span)
    if new:
        doc.ents = sorted([*doc.ents, *filter_spans(new)], key=lambda s: s.start)
    return doc


# --- linking -----------------------------------------------------------------------------------
ANAPHORA = re.compile(r"\b(the (series|show|anime|film|movie|season|sequel|adaptation|drama|project|title)|"
                      r"it|its|it's)\b", re.I)
GROUP_GLUE = {",", "and", "&", "or", "(", ")", '"', "“", "”", "'", "‘", "’", "/", "as", "well", "both"}
INTRO_PAREN = re.compile(r"\(\s*$|\b(behind|known for|who (also )?(made|animated|produced)|"
                         r"which (also )?(made|animated|produced)|of|also made|creators of)\s*$", re.I)


class Linker:
    """Attaches each studio, platform and date to show mentions, and picks the primary shows.

    Within a sentence a fact goes to the nearest group of shows (a list such as "X, Y and Z" is one
    group); a studio also takes the shows it is credited with in a following parenthesis or
    "behind X" phrase. A sentence with no show hands its facts to the article's primary show when
    it refers back to it ("the series", "it") or the article is about one show.
    """

    def __init__(self, nlp: Language, name: str, max_distance: int, carry: int) -> None:
        self.max_distance = max_distance
        self.carry = carry

    def __call__(self, doc: Doc) -> Doc:
        shows = [e for e in doc.ents if e.label_ == "SHOW"]
        counts = Counter(show_key(s.text) for s in shows)
        primary = self._primary(doc, shows, counts)
        doc._.primary = primary
        links: list[dict[str, Any]] = []
        first_mention = {}
        for s in shows:
            first_mention.setdefault(show_key(s.text), s)
        recent: list[tuple[int, list[Span]]] = []  # (sentence number, nearest show group) of recent sentences
        for number, sent in enumerate(doc.sents):
            ents = [e for e in doc.ents if sent.start <= e.start < sent.end]
            sent_shows = [e for e in ents if e.label_ == "SHOW"]
            groups = self._groups(doc, sent_shows)
            carried = self._carried(recent, number, sent)
            for ent in ents:
                field = FIELDS.get(ent.label_)
                if field is None:
                    continue
                targets = self._targets(doc, ent, groups)
                if not targets and carried:
                    targets = carried
                if not targets and primary and (len(primary) == 1 and (
                        ANAPHORA.search(sent.text) or len(counts) == 1 or self._dominant(counts))):
                    targets = [first_mention[primary[0]]]
                for show in targets:
                    links.append({"show": (show.start_char, show.end_char), "field": field,
                                  "target": (ent.start_char, ent.end_char),
                                  "sentence": (sent.start_char, sent.end_char)})
            if groups:
                recent.append((number, groups[-1] if len(groups[-1]) > 1 or len(groups) == 1 else groups[0]))
        doc._.links = links
        return doc

    def _carried(self, recent: list[tuple[int, list[Span]]], number: int, sent: Span) -> list[Span]:
        """Shows a sentence without one inherits: the last show-bearing sentence, if one of the two before it.

        News keeps its subject across sentences ("X is delayed. Studio Y said…"), and list entries put
        the title on its own line with the facts on the next ("1. X" / "Studio: Y · Where: Z").
        """
        if not recent or number - recent[-1][0] > self.carry:
            return []
        return recent[-1][1]

    @staticmethod
    def _dominant(counts: Counter[str]) -> bool:
        top = counts.most_common(2)
        return len(top) == 1 or top[0][1] >= 2 * top[1][1]

    @staticmethod
    def _primary(doc: Doc, shows: list[Span], counts: Counter[str]) -> list[str]:
        if not shows:
            return []
        first_line_end = doc.text.find("\n")
        headline = [show_key(s.text) for s in shows if first_line_end < 0 or s.start_char < first_line_end]
        if headline:
            return list(dict.fromkeys(headline))[:2]
        top = counts.most_common(2)
        if len(top) == 1 or top[0][1] > top[1][1]:
            return [top[0][0]]
        return [show_key(shows[0].text)]

    @staticmethod
    def _groups(doc: Doc, shows: list[Span]) -> list[list[Span]]:
        groups: list[list[Span]] = []
        for show in shows:
            if groups:
                prev = groups[-1][-1]
                between = doc[prev.end:show.start]
                if all(t.text in GROUP_GLUE or t.lower_ in GROUP_GLUE for t in between):
                    groups[-1].append(show)
                    continue
            groups.append([show])
        return groups

    def _targets(self, doc: Doc, ent: Span, groups: list[list[Span]]) -> list[Span]:
        def distance(group: list[Span]) -> int:
            if group[-1].end <= ent.start:
                return ent.start - group[-1].end
            return group[0].start - ent.end + 1  # prefer the left side on ties

        credited = []
        if ent.label_ == "STUDIO":
            credited = [g for g in groups if 0 <= g[0].start - ent.end <= 6
                        and INTRO_PAREN.search(doc[ent.end:g[0].start].text)]
        others = [g for g in groups if not any(g is c for c in credited)]
        targets = [show for group in credited for show in group]
        if others:
            best = min(others, key=distance)
            if distance(best) <= self.max_distance:
                targets.extend(best)
        return targets


@Language.factory("newsspider_linker", default_config={"max_distance": 40, "carry": 2})
def make_linker(nlp: Language, name: str, max_distance: int, carry: int) -> Linker:
    return Linker(nlp, name, max_distance, carry)
