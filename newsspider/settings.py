"""Scrapy settings for newsspider. Every newsspider tunable lives here with its default and why."""

BOT_NAME = "newsspider"
SPIDER_MODULES = ["newsspider.spiders"]
NEWSPIDER_MODULE = "newsspider.spiders"

# Say who we are; sites block anonymous bots and deserve a way to reach the operator.
USER_AGENT = "newsspider/0.1 (+https://github.com/newsspider/newsspider; entertainment-news research crawler)"
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts to each server's latency; never hammer one host.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30

# Retries with exponential backoff (NEWSSPIDER_RETRY_BACKOFF_BASE * 2**n seconds, capped).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
NEWSSPIDER_RETRY_BACKOFF_BASE = 1.0
NEWSSPIDER_RETRY_BACKOFF_MAX = 60.0

# Bounded pages: an article page over 10 MB (after decompression) is not an article.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 8

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsspider.middlewares.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsspider.middlewares.BackoffRetryMiddleware": 550,
    "newsspider.middlewares.BackoffDelayMiddleware": 560,
    "newsspider.middlewares.ConditionalGetMiddleware": 580,
}

ITEM_PIPELINES = {
    "pipelines.articles.ArticlesPipeline": 100,
    "pipelines.dedup.DedupPipeline": 200,
    "pipelines.entities.EntitiesPipeline": 300,
    "pipelines.records.RecordsPipeline": 500,
    "pipelines.export.ExportPipeline": 900,
}

# newsspider settings -------------------------------------------------------------------------
# Where records go (append-only JSONL) and where fetched articles are kept for re-extraction.
NEWSSPIDER_OUTPUT = "out/records.jsonl"
NEWSSPIDER_ARTICLES_OUTPUT = "out/articles.jsonl"
# Persistent crawl state (dedup, validators); None keeps state in memory for this run only.
NEWSSPIDER_STATE_DIR = None
# The spaCy pipeline directory; None means the packaged models/newsspider_ner.
NEWSSPIDER_MODEL = None
# Articles sent to nlp.pipe together: bigger batches are faster, smaller ones flush sooner.
NEWSSPIDER_NLP_BATCH = 16
# Fewer words than this after extraction is a stub or teaser, not an article.
NEWSSPIDER_MIN_WORDS = 40
# Share of the article text's lines that are link text above which a page is a listing (a headline feed).
NEWSSPIDER_MAX_LINK_RATIO = 0.4
# Section pages followed per site (pagination budget: stops infinite calendars and paginations).
NEWSSPIDER_SECTION_PAGES = 20
# Sitemaps: URL cap per file (the protocol's own limit) and sitemap-index recursion depth.
NEWSSPIDER_SITEMAP_MAX_URLS = 50_000
NEWSSPIDER_SITEMAP_MAX_DEPTH = 3
# MinHash near-duplicate threshold (Jaccard of 5-word shingles) for syndicated copies.
NEWSSPIDER_NEAR_DUP_THRESHOLD = 0.5
# fsync the records file after this many records (and always at the end).
NEWSSPIDER_FSYNC_EVERY = 50

# Modern defaults.
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
