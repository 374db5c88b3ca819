import pytest

from newsspider.feeds import FeedError, parse

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>Show renewed</title><link>/news/a/</link><pubDate>Tue, 21 Mar 2023 10:00:00 GMT</pubDate></item>
<item><title>No link</title><guid isPermaLink="false">x</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>A</title><link rel="alternate" href="https://ex.com/b"/><updated>2024-01-02T00:00:00Z</updated></entry>
</feed>"""

NEWS_SITEMAP = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://ex.com/c</loc><lastmod>2024-01-03</lastmod><news:news>
<news:publication><news:name>Ex</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2024-01-03T09:00:00Z</news:publication_date><news:title>Premiere set</news:title>
</news:news></url></urlset>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<urlset><url><loc>&lol2;</loc></url></urlset>"""


def test_rss_links_are_absolute_with_dates():
    parsed = parse(RSS, "https://ex.com/feed.xml")
    assert parsed.kind == "rss"
    assert [(e.url, e.title) for e in parsed.entries] == [("https://ex.com/news/a/", "Show renewed")]
    assert parsed.entries[0].published == "Tue, 21 Mar 2023 10:00:00 GMT"


def test_atom_entry_keeps_updated():
    parsed = parse(ATOM, "https://ex.com/atom.xml")
    assert parsed.kind == "atom"
    assert parsed.entries[0].updated == "2024-01-02T00:00:00Z"


def test_news_sitemap_keeps_publication_date_and_title():
    entry = parse(NEWS_SITEMAP, "https://ex.com/news-sitemap.xml").entries[0]
    assert (entry.url, entry.title, entry.published, entry.updated) == (
        "https://ex.com/c", "Premiere set", "2024-01-03T09:00:00Z", "2024-01-03")


def test_entity_declarations_are_refused_not_expanded():
    with pytest.raises(FeedError) as info:
        parse(BILLION_LAUGHS, "https://ex.com/sitemap.xml")
    assert info.value.reason == "xml_entities"


def test_sitemap_is_cut_at_the_url_limit():
    body = b"<urlset>" + b"".join(b"<url><loc>https://ex.com/%d</loc></url>" % i for i in range(20)) + b"</urlset>"
    parsed = parse(body, "https://ex.com/s.xml", max_urls=5)
    assert len(parsed.entries) == 5 and parsed.truncated


def test_html_is_not_a_feed():
    with pytest.raises(FeedError):
        parse(b"<html><body>hi</body></html>", "https://ex.com/")
