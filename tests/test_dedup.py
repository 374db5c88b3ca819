from newsspider.items import Article
from pipelines.dedup import Deduplicator
from pipelines.state import CrawlState

STORY = ("Studio Bones will animate the original anime Metallic Rouge, which premieres in January 2024 on "
         "Fuji TV and streams worldwide on Crunchyroll. The studio behind Mob Psycho 100 and Bungo Stray Dogs "
         "announced the project during a livestream on 22 March 2023, together with a teaser, a key visual "
         "and the main cast. Motoki Takagi directs, and Yasuhiro Kiyooka writes the series composition. ")


def test_syndicated_copy_is_one_article_with_also_at():
    dedup = Deduplicator(CrawlState(None), threshold=0.5)
    first = Article(url="https://a.example/news/rouge/", text=STORY * 2)
    copy = Article(url="https://b.example/partner/rouge", text="Reposted from A Example. " + STORY * 2 + "Share this.")
    assert dedup.check(first).kind == "new"
    verdict = dedup.check(copy)
    assert verdict.kind == "near_duplicate" and verdict.original_id == first.id
    assert dedup.state.also_at(first.id) == ["https://b.example/partner/rouge"]


def test_recrawl_is_unchanged_and_edit_is_update():
    dedup = Deduplicator(CrawlState(None))
    article = Article(url="https://a.example/x", text=STORY)
    assert dedup.check(article).kind == "new"
    assert dedup.check(Article(url="https://a.example/x", text=STORY)).kind == "unchanged"
    edited = STORY.replace("January 2024", "April 2024").replace("livestream", "stream")
    assert dedup.check(Article(url="https://a.example/x", text=edited)).kind in ("updated", "near_duplicate")


def test_different_stories_are_both_kept():
    dedup = Deduplicator(CrawlState(None))
    other = ("Netflix renewed Wednesday for a second season, with Jenna Ortega returning and filming set to begin "
             "in Ireland in the spring. The first season became one of the most watched English-language series.")
    assert dedup.check(Article(url="https://a.example/1", text=STORY)).kind == "new"
    assert dedup.check(Article(url="https://a.example/2", text=other * 2)).kind == "new"
