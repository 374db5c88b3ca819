"""The bundled sample news sites: a fixture served over real HTTP for `make demo` and the tests.

`server.py` serves them (standard library only), `sites/` holds the pages, `truth.json` says
what a perfect crawl extracts from each page, and README.md lists the hostile cases.
"""
