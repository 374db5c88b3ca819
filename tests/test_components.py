"""Each spaCy component of models/ on small inputs (no trained NER needed)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Span

import models.components  # noqa: F401 - registers the factories
from models.components import split_kb


@pytest.fixture(scope="module")
def nlp():
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    pipeline.add_pipe("newsspider_lines")
    pipeline.add_pipe("newsspider_gazetteer")
    pipeline.add_pipe("newsspider_cues")
    pipeline.add_pipe("newsspider_linker")
    return pipeline


def run(nlp, text: str, emphasised: list[str] | None = None):
    doc = nlp.make_doc(text)
    doc._.emphasised = emphasised or []
    return nlp(doc)


def ents(doc):
    return [(e.label_, e.text) for e in doc.ents]


def links(doc):
    return {(doc.text[slice(*link["show"])], link["field"], doc.text[slice(*link["target"])]) for link in doc._.links}


def test_gazetteer_gives_canonical_names_and_platform_kinds(nlp):
    doc = run(nlp, "It streams on Crunchyroll and airs on TOKYO MX, then arrives on Max in the US.")
    found = {e.text: split_kb(e.kb_id_) for e in doc.ents if e.label_ == "PLATFORM"}
    assert found["Crunchyroll"] == ("streaming", "Crunchyroll")
    assert found["TOKYO MX"][0] == "broadcast"
    assert found["Max"] == ("streaming", "HBO Max")


def test_ambiguous_names_need_context(nlp):
    assert ("STUDIO", "Bones") not in ents(run(nlp, "Bones are weak after the winter, the doctor said."))
    assert ("STUDIO", "Bones") in ents(run(nlp, "The new series is animated by Bones for next year."))
    assert ("STUDIO", "Trigger") in ents(run(nlp, "Trigger (Kill la Kill) is making a new original series."))


def test_distributors_are_not_studios(nlp):
    doc = nlp.make_doc("GKIDS will release the film in North America.")
    doc.ents = [Span(doc, 0, 1, label="STUDIO")]
    for name in ("newsspider_gazetteer",):
        doc = nlp.get_pipe(name)(doc)
    assert ("STUDIO", "GKIDS") not in ents(doc)


def test_page_emphasis_and_naming_phrases_mark_shows(nlp):
    doc = run(nlp, "Fans cheered for Metallic Rouge at the event.", emphasised=["Metallic Rouge"])
    assert ("SHOW", "Metallic Rouge") in ents(doc)
    assert ("SHOW", "Ghost Cat Anzu") in ents(run(nlp, "Science SARU made the anime Ghost Cat Anzu last year."))
    assert ("SHOW", "Vinland Saga") in ents(run(nlp, "Vinland Saga Season 2 starts in January."))


def test_title_case_headline_words_are_not_cues(nlp):
    doc = run(nlp, "Bones Reveals Original Anime Metallic Rouge for January 2024\nMore text here.",
              emphasised=["Metallic Rouge"])
    assert [e.text for e in doc.ents if e.label_ == "SHOW"] == ["Metallic Rouge"]


def test_studio_links_to_the_show_and_to_the_shows_it_is_credited_with(nlp):
    doc = run(nlp, "Bones (Mob Psycho 100, Bungo Stray Dogs) will animate Metallic Rouge for Crunchyroll.",
              emphasised=["Mob Psycho 100", "Bungo Stray Dogs", "Metallic Rouge"])
    got = links(doc)
    for show in ("Mob Psycho 100", "Bungo Stray Dogs", "Metallic Rouge"):
        assert (show, "studios", "Bones") in got
    assert ("Metallic Rouge", "platforms", "Crunchyroll") in got
    assert ("Mob Psycho 100", "platforms", "Crunchyroll") not in got


def test_facts_without_a_show_go_to_the_primary_show(nlp):
    text = "Metallic Rouge gets a premiere date\nThe series will stream on Crunchyroll worldwide."
    doc = run(nlp, text, emphasised=["Metallic Rouge"])
    assert doc._.primary == ["metallic-rouge"]
    assert ("Metallic Rouge", "platforms", "Crunchyroll") in links(doc)


def test_each_line_is_its_own_sentence(nlp):
    doc = run(nlp, "Frieren — Madhouse — Netflix\nDandadan — Science SARU — Crunchyroll",
              emphasised=["Frieren", "Dandadan"])
    got = links(doc)
    assert ("Dandadan", "platforms", "Crunchyroll") in got
    assert ("Frieren", "platforms", "Crunchyroll") not in got
