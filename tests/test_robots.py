"""robots.txt is obeyed even for requests queued while it is still being fetched."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import ROOT

from newsspider.sample_site.server import SampleSite

SCRIPT = textwrap.dedent('''
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    base = sys.argv[1]

    class Burst(scrapy.Spider):
        name = "burst"

        async def start(self):
            for i in range(8):
                yield scrapy.Request(f"{base}/private/news/2023/12/15/kaiju-no-8-premiere-date-embargoed/?n={i}",
                                     self.parse)
                yield scrapy.Request(f"{base}/about/?n={i}", self.parse)

        def parse(self, response):
            pass

    settings = get_project_settings()
    settings.set("ITEM_PIPELINES", {})
    settings.set("LOG_LEVEL", "ERROR")
    process = CrawlerProcess(settings)
    process.crawl(Burst)
    process.start()
''')


def test_requests_queued_before_robots_txt_loads_are_still_checked():
    with SampleSite() as site:
        proc = subprocess.run([sys.executable, "-c", SCRIPT, site.main_url], cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert site.count("/about/") == 8
        assert site.count("/private/") == 0
