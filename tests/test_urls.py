from newsspider.urls import canonicalize, site_of


def test_tracking_parameters_and_fragment_are_removed():
    url = "https://Example.com/news/show-renewed/?utm_source=twitter&utm_medium=social&fbclid=x&id=4#comments"
    assert canonicalize(url) == "https://example.com/news/show-renewed/?id=4"


def test_amp_variants_fold_into_the_article_url():
    assert canonicalize("https://example.com/news/story/amp/") == "https://example.com/news/story/"
    assert canonicalize("https://example.com/news/story/?amp=1") == "https://example.com/news/story/"
    assert canonicalize("https://example.com/news/story.amp.html") == "https://example.com/news/story.html"


def test_mobile_host_folds_only_when_asked():
    assert canonicalize("https://m.example.com/a") == "https://m.example.com/a"
    assert canonicalize("https://m.example.com/a", fold_mobile_host=True) == "https://example.com/a"


def test_default_port_dropped_and_query_sorted():
    assert canonicalize("http://example.com:80/a?b=2&a=1") == "http://example.com/a?a=1&b=2"
    assert canonicalize("http://127.0.0.1:8123/a") == "http://127.0.0.1:8123/a"


def test_site_name_keeps_port_and_drops_www():
    assert site_of("https://www.animenewsnetwork.com/news/") == "animenewsnetwork.com"
    assert site_of("http://127.0.0.1:8123/a") == "127.0.0.1:8123"
