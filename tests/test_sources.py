import pytest

from newsspider.sources import DEFAULT_SOURCES, SourcesError, load_sources


def test_bundled_sources_are_valid_real_sites():
    sites = load_sources(DEFAULT_SOURCES)
    assert len(sites) >= 8
    assert all(s.feeds or s.sitemaps or s.sections for s in sites)


@pytest.mark.parametrize(("body", "message"), [
    ('[[site]]\nname = "A"\nfeeds = ["ftp://x/feed"]\n', "'A'"),
    ('[[site]]\nname = "B"\nfeedz = ["https://x/feed"]\n', "unknown field"),
    ('[[site]]\nname = "C"\n', "at least one of"),
    ('[[site]]\nname = "D"\nfeeds = ["https://x/f"]\narticle_patterns = ["("]\n', "not a valid regex"),
    ("not toml = = =", "not valid TOML"),
])
def test_bad_entry_is_named_in_the_error(tmp_path, body, message):
    path = tmp_path / "s.toml"
    path.write_text(body)
    with pytest.raises(SourcesError, match=message):
        load_sources(path)
